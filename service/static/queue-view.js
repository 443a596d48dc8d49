/* The review queue on screen: filters, sorting, selection and bulk marks, per-row review state,
 * expandable detail with the history, export, and the keyboard (j/k, 1-3, e, x, o, ?).
 * The queue's items live in ``queue.items``; every change is written through store.js. */
import { $, clear, download, el, fillSelect } from "./dom.js";
import { t, getLang } from "./i18n.js";
import { snippet } from "./offsets.js";
import { applyFeedback, EMPTY_FILTERS, exportCSV, isFiltered, review, setLevel, visible } from "./queue.js";
import { putItems, clearItems } from "./store.js";
import { actChip, badge, flagName, kindChip, renderResultCard } from "./result-card.js";
import { moderatorName } from "./feedback.js";
import { categoryOf, KINDS, LEVELS, levelOf, pct, REVIEW_STATES } from "./shared/vocab.js";

const TABLE_PAGE = 200;

export const queue = {
  items: [],
  filters: Object.assign({}, EMPTY_FILTERS),
  sort: "line",
  shown: TABLE_PAGE,
  expanded: new Set(),
  selected: new Set(),
  cursor: null,      // key of the current row (keyboard)
};

const scored = () => queue.items.filter((it) => it.result);
export const rowsShown = () => visible(queue.items, queue.filters, queue.sort);
const byKey = (key) => queue.items.find((it) => it.key === key);

export async function save(items) {
  try { await putItems(items); } catch (err) { console.warn("queue not saved", err); }
}

function counts(list, keyOf) {
  const out = {};
  for (const it of list) for (const k of [].concat(keyOf(it))) out[k] = (out[k] || 0) + 1;
  return out;
}

function renderFilters(all) {
  const f = queue.filters;
  const lv = counts(all, (it) => levelOf(it.result));
  fillSelect($("filter-level"), [["", t("table.filter.all")]].concat(
    LEVELS.slice().reverse().map((l) => [l, t("level." + l) + " (" + (lv[l] || 0) + ")"])), f.level);
  const kd = counts(all, (it) => it.result.kind || "offer");
  fillSelect($("filter-kind"), [["", t("table.filter.all")]].concat(
    KINDS.map((k) => [k, t("kind." + k) + " (" + (kd[k] || 0) + ")"])), f.kind);
  const cat = counts(all, (it) => categoryOf(it.result));
  fillSelect($("filter-category"), [["", t("table.filter.all")]].concat(
    ["tppo", "job_fraud", "none"].map((c) => [c, t("category." + c) + " (" + (cat[c] || 0) + ")"])), f.category);
  const fl = counts(all, (it) => it.result.flags || []);
  const noFlag = all.filter((it) => !(it.result.flags || []).length).length;
  fillSelect($("filter-flag"), [["", t("table.filter.all")]].concat(
    Object.keys(fl).sort((a, b) => fl[b] - fl[a] || (a < b ? -1 : 1)).map((x) => [x, flagName(x) + " (" + fl[x] + ")"]),
    [["__none__", t("table.filter.noflag") + " (" + noFlag + ")"]]), f.flag);
  f.flag = $("filter-flag").value;
  const rv = counts(all, (it) => it.review || "new");
  fillSelect($("filter-review"), [["", t("table.filter.all")]].concat(
    REVIEW_STATES.map((s) => [s, t("review." + s) + " (" + (rv[s] || 0) + ")"])), f.review);
  const sources = [];
  for (const it of all) if (!sources.some((s) => s[0] === it.source)) sources.push([it.source, it.sourceName]);
  fillSelect($("filter-source"), [["", t("table.filter.all")]].concat(sources), f.source);
  f.source = $("filter-source").value;
  fillSelect($("sort-select"), [["line", t("table.sort.line")], ["risk_desc", t("table.sort.risk_desc")],
    ["risk_asc", t("table.sort.risk_asc")]], queue.sort);
  if ($("filter-search").value !== f.search) $("filter-search").value = f.search;
}

function renderHeader() {
  for (const th of document.querySelectorAll("#results-table thead th")) {
    const col = th.getAttribute("data-col");
    th.removeAttribute("aria-sort");
    if (col === "line" && queue.sort === "line") th.setAttribute("aria-sort", "ascending");
    if ((col === "level" || col === "score") && queue.sort !== "line") {
      th.setAttribute("aria-sort", queue.sort === "risk_desc" ? "descending" : "ascending");
    }
    const btn = th.querySelector(".sort-btn");
    if (btn) btn.setAttribute("aria-label", t("table.sortby", { col: btn.textContent }));
  }
}

export function renderQueue() {
  const all = scored();
  $("table-area").hidden = !all.length;
  const body = $("results-body");
  if (!all.length) { clear(body); return; }
  renderFilters(all);
  renderHeader();
  const rows = rowsShown();
  clear(body);
  const shown = rows.slice(0, queue.shown);
  shown.forEach((it, i) => {
    body.appendChild(tableRow(it, i));
    if (queue.expanded.has(it.key)) body.appendChild(detailRow(it, i));
  });
  $("table-caption").textContent = t("table.caption", { shown: rows.length, total: all.length });
  $("table-empty").hidden = rows.length > 0;
  const filtered = isFiltered(queue.filters);
  $("export-btn").textContent = filtered ? t("table.export.filtered", { n: rows.length, total: all.length })
    : t("table.export.all", { n: all.length });
  $("export-btn").dataset.scope = filtered ? "filtered" : "all";
  $("export-all-btn").hidden = !filtered;
  $("export-all-btn").textContent = t("table.export.all", { n: all.length });
  renderBulk(rows);
  const old = $("table-more");
  if (old) old.remove();
  if (rows.length > shown.length) {
    const more = el("button", { type: "button", id: "table-more", class: "btn btn-secondary" },
      t("table.more", { n: Math.min(TABLE_PAGE, rows.length - shown.length) }));
    more.addEventListener("click", () => { queue.shown += TABLE_PAGE; renderQueue(); });
    $("table-area").appendChild(more);
  }
}

function renderBulk(rows) {
  const sel = rows.filter((it) => queue.selected.has(it.key)).length;
  $("bulk-count").textContent = t("bulk.count", { n: sel });
  for (const id of ["bulk-correct", "bulk-escalate", "bulk-new"]) $(id).disabled = !sel;
  const all = $("select-all");
  all.checked = rows.length > 0 && sel === rows.length;
  all.indeterminate = sel > 0 && sel < rows.length;
}

function reviewMarker(it) {
  const st = it.review || "new";
  const text = t("review." + st) + (st === "corrected" && it.reviewLevel ? " → " + t("level." + it.reviewLevel) : "");
  return el("span", { class: "review review-" + st, "data-testid": "review", "data-review": st,
    title: it.reviewedBy ? t("review.by", { by: it.reviewedBy }) : null }, st === "new" ? "" : "✓ ", text);
}

function tableRow(it, i) {
  const res = it.result, level = levelOf(res);
  const expanded = queue.expanded.has(it.key);
  const detailId = "detail-" + i;
  const btn = el("button", { type: "button", class: "btn btn-secondary btn-small expand-btn", "aria-expanded": String(expanded),
    "aria-controls": detailId, "aria-label": t("table.expand.aria", { line: it.line }) },
  expanded ? t("table.collapse") : t("table.expand"));
  btn.addEventListener("click", () => { toggleExpand(it.key); });
  const check = el("input", { type: "checkbox", class: "row-select", "aria-label": t("table.select.aria", { line: it.line }) });
  check.checked = queue.selected.has(it.key);
  check.addEventListener("change", () => { toggleSelect(it.key, check.checked); });
  const chips = el("span", { class: "chips" }, (res.flags || []).map((f) => el("span", { class: "chip", "data-flag": f }, flagName(f))));
  const extra = [it.account, it.date].filter(Boolean).join(" · ");
  return el("tr", { class: "row-main" + (queue.cursor === it.key ? " row-current" : ""), tabindex: "-1",
    "data-key": it.key, "data-line": String(it.line), "data-level": level, "data-kind": res.kind || "offer",
    "data-review": it.review || "new", "data-score": String(res.risk_score) },
  el("td", { class: "cell-select" }, check),
  el("td", { "data-label": t("table.col.line") }, String(it.line)),
  el("td", { "data-label": t("table.col.id"), class: "cell-id" }, it.id || "–",
    it.url ? el("a", { href: safeUrl(it.url), class: "cell-url", rel: "noopener noreferrer", target: "_blank" }, "↗") : null),
  el("td", { "data-label": t("table.col.level") }, badge(res), actChip(res)),
  el("td", { "data-label": t("table.col.kind") }, kindChip(res)),
  el("td", { "data-label": t("table.col.score"), class: "cell-score" }, pct(res.risk_score)),
  el("td", { "data-label": t("table.col.label") }, t("category." + categoryOf(res))),
  el("td", { "data-label": t("table.col.flags") }, chips),
  el("td", { "data-label": t("table.col.text"), class: "cell-text" }, snippet(it.text),
    extra ? el("span", { class: "cell-meta" }, extra) : null),
  el("td", { "data-label": t("table.col.review") }, reviewMarker(it)),
  el("td", {}, btn));
}

function safeUrl(u) { return /^https?:\/\//i.test(u) ? u : "about:blank"; }

function detailRow(it, i) {
  const td = el("td", { colspan: "11" });
  td.appendChild(renderResultCard(it, { key: "row-" + i, headingTag: "h4",
    title: t("table.col.line") + " " + it.line + (it.id ? " (" + it.id + ")" : ""),
    onFeedback: (rec, fb) => { applyFeedback(it, fb); save([it]); renderQueue(); } }));
  const hist = it.history || [];
  td.appendChild(el("section", { class: "history", "data-testid": "history" }, el("h4", {}, t("history.heading")),
    hist.length ? el("ol", {}, hist.map((h) => el("li", {}, fmtTime(h.at) + " — " + t("history." + h.action)
      + (h.detail ? " (" + h.detail + ")" : "") + (h.by ? " — " + h.by : ""))))
      : el("p", { class: "help" }, t("history.none"))));
  return el("tr", { class: "row-detail", id: "detail-" + i, "data-key": it.key, "data-line": String(it.line) }, td);
}

function fmtTime(iso) {
  try { return new Date(iso).toLocaleString(getLang() === "en" ? "en-GB" : "id-ID"); } catch { return iso; }
}

function toggleExpand(key) {
  if (queue.expanded.has(key)) queue.expanded.delete(key); else queue.expanded.add(key);
  queue.cursor = key;
  renderQueue();
  const again = document.querySelector(`tr.row-main[data-key="${CSS.escape(key)}"] .expand-btn`);
  if (again) again.focus();
}

function toggleSelect(key, on) {
  if (on) queue.selected.add(key); else queue.selected.delete(key);
  renderBulk(rowsShown());
}

/** Apply ``fn(item)`` to the items with these keys, log and save them, and redraw. */
export async function mark(keys, fn) {
  const changed = keys.map(byKey).filter(Boolean);
  for (const it of changed) fn(it);
  renderQueue();
  await save(changed);
  $("queue-status").textContent = t("bulk.done", { n: changed.length });
}

const by = () => ({ by: moderatorName() });

function bulk(state) {
  const keys = rowsShown().filter((it) => queue.selected.has(it.key)).map((it) => it.key);
  return mark(keys, (it) => review(it, state, by())).then(() => { queue.selected.clear(); renderQueue(); });
}

// ---------------------------------------------------------------- keyboard

function moveCursor(delta) {
  const rows = rowsShown().slice(0, queue.shown);
  if (!rows.length) return;
  let i = rows.findIndex((it) => it.key === queue.cursor);
  i = i < 0 ? 0 : Math.max(0, Math.min(rows.length - 1, i + delta));
  queue.cursor = rows[i].key;
  for (const tr of document.querySelectorAll("#results-body tr.row-main")) {
    tr.classList.toggle("row-current", tr.getAttribute("data-key") === queue.cursor);
  }
  const tr = document.querySelector(`#results-body tr.row-main[data-key="${CSS.escape(queue.cursor)}"]`);
  if (tr) {
    tr.focus({ preventScroll: true });
    const box = tr.getBoundingClientRect();   // scroll the page only vertically, never the table sideways
    if (box.top < 0 || box.bottom > window.innerHeight) window.scrollBy(0, box.top - window.innerHeight / 3);
  }
}

function focusCursor() {
  const tr = queue.cursor && document.querySelector(`#results-body tr.row-main[data-key="${CSS.escape(queue.cursor)}"]`);
  if (tr) tr.focus({ preventScroll: true });
}

function onKey(ev) {
  if (ev.ctrlKey || ev.metaKey || ev.altKey || $("panel-batch").hidden) return;
  const tag = ev.target && ev.target.tagName;
  if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (ev.target && ev.target.isContentEditable)) return;
  const k = ev.key;
  if (k === "?") { ev.preventDefault(); toggleHelp(); return; }
  if (k === "Escape" && !$("keys-help").hidden) { toggleHelp(false); return; }
  if (!scored().length) return;
  const cur = queue.cursor && byKey(queue.cursor);
  if (k === "j" || k === "ArrowDown" && ev.target.closest && ev.target.closest("#results-body")) { ev.preventDefault(); moveCursor(1); }
  else if (k === "k" || k === "ArrowUp" && ev.target.closest && ev.target.closest("#results-body")) { ev.preventDefault(); moveCursor(-1); }
  else if (cur && (k === "1" || k === "2" || k === "3")) {
    ev.preventDefault();
    mark([cur.key], (it) => setLevel(it, LEVELS[Number(k) - 1], by())).then(focusCursor);
  } else if (cur && k === "e") { ev.preventDefault(); mark([cur.key], (it) => review(it, "escalated", by())).then(focusCursor); }
  else if (cur && k === "x") { ev.preventDefault(); toggleSelect(cur.key, !queue.selected.has(cur.key)); renderQueue(); focusCursor(); }
  else if (cur && (k === "o" || (k === "Enter" && ev.target.matches && ev.target.matches("tr.row-main")))) {
    ev.preventDefault();
    toggleExpand(cur.key);
  }
}

function toggleHelp(force) {
  const box = $("keys-help");
  box.hidden = force === undefined ? !box.hidden : !force;
  if (!box.hidden) box.focus();
}

// ---------------------------------------------------------------- wiring

export function bindQueue() {
  const filter = (id, field) => $(id).addEventListener("change", (ev) => {
    queue.filters[field] = ev.target.value; queue.shown = TABLE_PAGE; renderQueue();
  });
  filter("filter-level", "level"); filter("filter-kind", "kind"); filter("filter-category", "category");
  filter("filter-flag", "flag"); filter("filter-review", "review"); filter("filter-source", "source");
  $("filter-search").addEventListener("input", (ev) => { queue.filters.search = ev.target.value.trim(); queue.shown = TABLE_PAGE; renderQueue(); });
  $("filters-reset").addEventListener("click", () => { queue.filters = Object.assign({}, EMPTY_FILTERS); renderQueue(); });
  $("sort-select").addEventListener("change", (ev) => { queue.sort = ev.target.value; renderQueue(); });
  for (const btn of document.querySelectorAll(".sort-btn")) {
    btn.addEventListener("click", () => {
      const k = btn.getAttribute("data-sort");
      queue.sort = k === "line" ? "line" : (queue.sort === "risk_desc" ? "risk_asc" : "risk_desc");
      renderQueue();
      const same = document.querySelector(`.sort-btn[data-sort="${k}"]`);
      if (same) same.focus();
    });
  }
  $("select-all").addEventListener("change", (ev) => {
    for (const it of rowsShown()) { if (ev.target.checked) queue.selected.add(it.key); else queue.selected.delete(it.key); }
    renderQueue();
  });
  $("bulk-correct").addEventListener("click", () => bulk("correct"));
  $("bulk-escalate").addEventListener("click", () => bulk("escalated"));
  $("bulk-new").addEventListener("click", () => bulk("new"));
  const stamp = () => new Date().toISOString().slice(0, 16).replace(/[T:]/g, "-");
  $("export-btn").addEventListener("click", () => download(`antrean-tppo-${$("export-btn").dataset.scope}-${stamp()}.csv`,
    exportCSV(rowsShown()), "text/csv;charset=utf-8"));
  $("export-all-btn").addEventListener("click", () => download(`antrean-tppo-all-${stamp()}.csv`,
    exportCSV(visible(queue.items, EMPTY_FILTERS, queue.sort)), "text/csv;charset=utf-8"));
  $("queue-clear").addEventListener("click", async () => {
    if (!window.confirm(t("queue.clear.confirm", { n: queue.items.length }))) return;
    queue.items = []; queue.selected.clear(); queue.expanded.clear(); queue.cursor = null;
    await clearItems();
    renderQueue();
  });
  $("results-body").addEventListener("click", (ev) => {
    const tr = ev.target.closest && ev.target.closest("tr.row-main");
    if (!tr || ev.target.closest("button, input, a, select")) return;
    queue.cursor = tr.getAttribute("data-key");
    moveCursor(0);
  });
  $("keys-btn").addEventListener("click", () => toggleHelp());
  $("keys-close").addEventListener("click", () => toggleHelp(false));
  document.addEventListener("keydown", onKey);
}
