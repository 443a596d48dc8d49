/* One pasted post: score it, show its card, and keep it in the queue (source "paste"). */
import { $, clear } from "./dom.js";
import { getLang, t } from "./i18n.js";
import { ApiError, NetworkError, request, service } from "./api.js";
import { codePointLength } from "./offsets.js";
import { renderResultCard } from "./result-card.js";
import { applyFeedback } from "./queue.js";
import { queue, renderQueue, save } from "./queue-view.js";
import { badgeFor, pct } from "./shared/vocab.js";

export const single = { item: null };

export function renderSingle() {
  const area = $("single-result");
  clear(area);
  const it = single.item;
  if (!it) return;
  area.appendChild(renderResultCard(it, { key: "single", headingTag: "h3", onFeedback: (rec, fb) => {
    applyFeedback(it, fb);
    save([it]);
    renderQueue();
  } }));
}

/** What a screen reader hears: the badge's words (a level, "job fraud", or a kind), then the score. */
export function announceFor(res) {
  const b = badgeFor(res, getLang());
  const head = b.tone === b.level ? t("level.full." + b.level) : b.text;
  return head + " — " + t("result.score") + " " + pct(res.risk_score);
}

export function showSingleError(msg) {
  const e = $("single-error");
  e.textContent = msg || "";
  e.hidden = !msg;
}

export async function scoreSingle() {
  const text = $("post-text").value;
  showSingleError("");
  if (!text.trim()) { showSingleError(t("single.empty")); $("post-text").focus(); return; }
  const n = codePointLength(text);
  if (n > service.maxChars) { showSingleError(t("single.toolong", { n, max: service.maxChars })); return; }
  const btn = $("score-btn");
  btn.disabled = true;
  $("single-loading").textContent = t("single.loading");
  let announce = "";
  try {
    const res = await request("v1/score", { method: "POST", body: { text, explain: true } });
    const at = new Date();
    const item = { key: "paste:" + at.getTime().toString(36) + Math.random().toString(36).slice(2, 6), source: "paste",
      sourceName: t("queue.source.paste"), addedAt: at.toISOString(), line: queue.items.filter((i) => i.source === "paste").length + 1,
      text, result: res, error: null, review: "new", history: [] };
    single.item = item;
    queue.items.push(item);
    save([item]);
    renderSingle();
    renderQueue();
    announce = announceFor(res);
  } catch (err) {
    if (single.item && single.item.text !== text) { single.item = null; renderSingle(); }  // never show a stale card
    if (err instanceof NetworkError) showSingleError(t("banner.unreachable"));
    else if (err instanceof ApiError && [400, 413, 422].includes(err.status)) showSingleError(t("err.invalid", { msg: err.message }));
    else showSingleError(t("err.generic", { msg: err.message }));
  } finally {
    btn.disabled = false;
    $("single-loading").textContent = announce;
  }
}
