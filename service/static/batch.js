/* A file of posts: read it, ask for the text column when none is named, add its rows to the queue,
 * and score them in batches the service accepts (halving on 413/422, waiting on 429, pausing while
 * the service is unreachable). */
import { $, append, clear, el, fillSelect } from "./dom.js";
import { t, tn } from "./i18n.js";
import { ApiError, NetworkError, request, service } from "./api.js";
import { parseFileContent } from "./import.js";
import { queue, renderQueue, save } from "./queue-view.js";
import { KINDS, kindOf, needsAction } from "./shared/vocab.js";

const MAX_FILE_MB = 50;

export const batch = {
  file: null,          // {name, content}
  badRows: [],
  fileError: null,
  run: null,
  added: 0,
};

const badRow = (line, key, params) => ({ line, key, params: params || null });

export function selectTab(which) {
  const single = which !== "batch";
  $("tab-single").setAttribute("aria-selected", String(single));
  $("tab-batch").setAttribute("aria-selected", String(!single));
  $("tab-single").tabIndex = single ? 0 : -1;
  $("tab-batch").tabIndex = single ? -1 : 0;
  $("panel-single").hidden = !single;
  $("panel-batch").hidden = single;
}

export function handleFile(file) {
  if (!file) return;
  selectTab("batch");
  if (batch.run && !batch.run.finished) batch.run.cancelled = true;
  Object.assign(batch, { file: { name: file.name }, badRows: [], fileError: null, added: 0 });
  $("column-picker").hidden = true;
  renderBatchMessages();
  if (file.size > MAX_FILE_MB * 1024 * 1024) {
    batch.fileError = { key: "batch.err.toobig", params: { mb: (file.size / 1048576).toFixed(1), max: MAX_FILE_MB } };
    renderBatchMessages();
    return;
  }
  $("batch-status").textContent = t("batch.reading", { name: file.name });
  const reader = new FileReader();
  reader.onerror = () => { batch.fileError = { key: "batch.err.read" }; renderBatchMessages(); };
  reader.onload = () => {
    batch.file.content = String(reader.result || "");
    importParsed(file.name, batch.file.content, {});
  };
  reader.readAsText(file, "utf-8");
}

function importParsed(name, content, opts) {
  let parsed;
  try { parsed = parseFileContent(name, content, service.maxChars, opts); }
  catch (e) { console.warn(e); parsed = { rows: [], bad: [], error: { key: "batch.err.read" } }; }
  if (parsed.pick) { showPicker(parsed.pick); $("batch-status").textContent = ""; return; }
  $("column-picker").hidden = true;
  batch.badRows = parsed.bad;
  batch.fileError = parsed.error;
  if (!parsed.error && !parsed.rows.length) batch.fileError = { key: "batch.err.no_rows", params: { name } };
  const source = "s" + Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
  const at = new Date();
  const sourceName = name + " · " + at.toLocaleString("sv-SE").slice(0, 16);
  const items = parsed.rows.map((r) => ({
    key: source + ":" + r.line, source, sourceName, addedAt: at.toISOString(), line: r.line, id: r.id,
    sendId: r.id || "line-" + r.line, text: r.text, url: r.url, account: r.account, date: r.date,
    result: null, error: null, review: "new", history: [],
  }));
  batch.added = items.length;
  queue.items = queue.items.concat(items);
  queue.filters.source = items.length ? source : queue.filters.source;
  renderBatchMessages();
  if (items.length) { save(items); startRun(items, name); } else $("batch-status").textContent = "";
}

function showPicker(pick) {
  const box = $("column-picker");
  box.hidden = false;
  fillSelect($("pick-column"), pick.columns.map((c) => [String(c.index),
    (c.name || t("pick.col", { n: c.index + 1 })) + (c.sample ? " — " + c.sample.slice(0, 40) : "")]), "0");
  $("pick-columns").textContent = t("pick.found", { cols: pick.columns.map((c) => c.name).join(", ") || "–" });
  $("pick-column").focus();
}

export function bindPicker() {
  $("pick-ok").addEventListener("click", () => {
    if (!batch.file || batch.file.content === undefined) return;
    importParsed(batch.file.name, batch.file.content,
      { column: Number($("pick-column").value), header: $("pick-header").checked });
  });
  $("pick-lines").addEventListener("click", () => {
    if (!batch.file || batch.file.content === undefined) return;
    importParsed(batch.file.name, batch.file.content, { plain: true });
  });
}

/** Score what an interrupted run (a closed tab, a reload) left unscored in the queue. */
export function resumeUnscored() {
  const left = queue.items.filter((it) => !it.result && !it.error);
  if (!left.length || (batch.run && !batch.run.finished)) return 0;
  left.sort((a, b) => (a.addedAt < b.addedAt ? -1 : a.addedAt > b.addedAt ? 1 : a.line - b.line));
  startRun(left, t("queue.resumed", { n: left.length }));
  return left.length;
}

function startRun(items, name) {
  const run = { items, pos: 0, total: items.length, size: service.batchLimit, cancelled: false, finished: false,
    paused: false, controller: null, name };
  batch.run = run;
  $("batch-progress-wrap").hidden = false;
  $("batch-cancel").disabled = false;
  updateProgress();
  continueRun(run);
}

const encoder = new TextEncoder();

/** The next rows to send: at most run.size items and well under the service's batch body limit. */
function nextChunk(run) {
  const budget = Math.floor(service.maxBatchBytes * 0.8) - 200;
  const chunk = [];
  let used = 0;
  for (let i = run.pos; i < run.items.length && chunk.length < run.size; i++) {
    const r = run.items[i];
    const cost = encoder.encode(JSON.stringify({ id: r.sendId, text: r.text })).length + 1;
    if (chunk.length && used + cost > budget) break;
    chunk.push(r);
    used += cost;
  }
  return chunk;
}

export async function continueRun(run) {
  run.paused = false;
  while (run === batch.run && !run.cancelled && run.pos < run.total) {
    const chunk = nextChunk(run);
    run.controller = new AbortController();
    const body = { items: chunk.map((r) => ({ id: r.sendId, text: r.text })), explain: true };
    try {
      const resp = await request("v1/score/batch", { method: "POST", body, signal: run.controller.signal });
      applyBatchResponse(chunk, resp);
      run.pos += chunk.length;
    } catch (err) {
      if (err && err.name === "AbortError") break;
      if (err instanceof ApiError && err.status === 429) {   // rate limited: wait, then the same chunk again
        await new Promise((res) => setTimeout(res, Math.min(60, err.retryAfter) * 1000));
        continue;
      }
      if (err instanceof ApiError && (err.status === 413 || err.status === 422) && run.size > 1 && chunk.length > 1) {
        run.size = Math.max(1, Math.floor(run.size / 2));   // the service wants smaller batches
        continue;
      }
      if (err instanceof NetworkError) { run.paused = true; updateProgress(); return; }  // resumed by "retry"
      for (const r of chunk) { r.error = err.message; batch.badRows.push(badRow(r.line, "row.err.service", { msg: err.message })); }
      run.pos += chunk.length;
      renderBatchMessages();
    }
    updateProgress();
  }
  finishRun(run);
}

function applyBatchResponse(chunk, resp) {
  const list = Array.isArray(resp) ? resp : (resp.results || resp.items || []);
  chunk.forEach((row, i) => {
    const entry = list.find((e) => e && e.index === i) || list[i];
    const errObj = entry && (entry.error || (entry.ok === false ? entry : null));
    const result = entry && (entry.result || (entry.risk_level ? entry : null));
    if (!entry || errObj || !result) {
      const m = errObj ? (errObj.message || errObj.code || JSON.stringify(errObj)) : "no result";
      row.error = m;
      batch.badRows.push(badRow(row.line, "row.err.service", { msg: m }));
    } else {
      row.result = result;
    }
  });
  batch.badRows.sort((a, b) => a.line - b.line);
  save(chunk);
  renderBatchMessages();
  renderQueue();
}

export function updateProgress() {
  const run = batch.run;
  if (!run) return;
  const p = $("batch-progress");
  p.max = Math.max(1, run.total);
  p.value = run.pos;
  p.setAttribute("aria-valuetext", t("batch.progress", { done: run.pos, total: run.total }));
  if (run.finished) { $("batch-status").textContent = finishedText(run); return; }
  $("batch-status").textContent = t(run.paused ? "batch.paused" : "batch.progress", { done: run.pos, total: run.total });
}

export function finishRun(run) {
  if (run.finished) return;
  run.finished = true;
  if (run !== batch.run) return;
  $("batch-cancel").disabled = true;
  $("batch-progress-wrap").hidden = true;
  $("batch-status").textContent = finishedText(run);
  renderQueue();
}

function finishedText(run) {
  const scored = run.items.filter((r) => r.result);
  const head = run.cancelled || run.pos < run.total
    ? t("batch.done.partial", { done: run.pos, total: run.total, name: run.name })
    : tn("batch.done", scored.length, { name: run.name });
  return scored.length ? head + " " + kindSummary(scored) : head;
}

/** "Tawaran kerja 3 · Pertanyaan 1 · Laporan kasus 1. Perlu tindakan: 2." */
function kindSummary(items) {
  const counts = new Map();
  for (const it of items) counts.set(kindOf(it.result), (counts.get(kindOf(it.result)) || 0) + 1);
  const parts = KINDS.filter((k) => counts.has(k)).map((k) => t("kind." + k) + " " + counts.get(k));
  const act = items.filter((it) => needsAction(it.result)).length;
  return parts.join(" · ") + ". " + t("act.now") + ": " + act + ".";
}

export function cancelRun() {
  const run = batch.run;
  if (!run || run.finished) return;
  run.cancelled = true;
  const left = run.items.filter((it) => !it.result && !it.error);
  for (const it of left) it.error = "cancelled";   // not resumed on the next visit
  save(left);
  if (run.controller) run.controller.abort();
  if (run.paused) finishRun(run);
}

export function renderBatchMessages() {
  const box = $("batch-errors");
  clear(box);
  const parts = [];
  if (batch.fileError) parts.push(el("p", { "data-testid": "file-error" }, t(batch.fileError.key, batch.fileError.params)));
  if (batch.badRows.length) {
    const lines = batch.badRows.map((b) => b.line);
    const shownLines = lines.length > 30 ? lines.slice(0, 30).join(", ") + ", …" : lines.join(", ");
    const key = batch.added ? "batch.badrows" : "batch.badrows.none_left";
    parts.push(el("p", { "data-testid": "bad-rows-summary", "data-count": String(lines.length) },
      tn(key, lines.length, { lines: shownLines })));
    const ul = el("ul");
    for (const b of batch.badRows.slice(0, 200)) {
      const params = Object.assign({ max: service.maxChars }, b.params || {});
      ul.appendChild(el("li", { "data-line": String(b.line) }, t("batch.badrow.item", { line: b.line, reason: t(b.key, params) })));
    }
    parts.push(el("details", {}, el("summary", {}, t("batch.badrows.details")), ul));
  }
  append(box, parts);
  box.hidden = !parts.length;
  box.className = "notice " + (batch.fileError ? "notice-error" : "notice-warn");
}
