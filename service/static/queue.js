/* The review queue's logic: filters, sorting, review actions with their history, and CSV export.
 * Pure: no DOM, no storage, so tests can import it. */
import { categoryOf, kindOf, levelOf, REVIEW_STATES } from "./shared/vocab.js";

export const EMPTY_FILTERS = Object.freeze({
  level: "", kind: "", category: "", flag: "", review: "", source: "", search: "",
});

/** Does ``item`` (scored) pass ``f``? flag "__none__" means "no red flag". */
export function matches(item, f) {
  const r = item.result;
  if (!r) return false;
  if (f.level && levelOf(r) !== f.level) return false;
  if (f.kind && kindOf(r) !== f.kind) return false;
  if (f.category && categoryOf(r) !== f.category) return false;
  if (f.review && (item.review || "new") !== f.review) return false;
  if (f.source && item.source !== f.source) return false;
  const flags = r.flags || [];
  if (f.flag === "__none__" ? flags.length : f.flag && !flags.includes(f.flag)) return false;
  if (f.search) {
    const q = f.search.toLowerCase();
    const hay = [item.text, item.id, item.account, item.url].filter(Boolean).join("\n").toLowerCase();
    if (!hay.includes(q)) return false;
  }
  return true;
}

export function isFiltered(f) { return Object.values(f).some((v) => v); }

function byFileOrder(a, b) {
  return (a.addedAt < b.addedAt ? -1 : a.addedAt > b.addedAt ? 1 : 0) || a.line - b.line;
}

export function visible(items, f, sort) {
  const rows = items.filter((it) => matches(it, f));
  if (sort === "risk_desc") rows.sort((a, b) => (b.result.risk_score - a.result.risk_score) || byFileOrder(a, b));
  else if (sort === "risk_asc") rows.sort((a, b) => (a.result.risk_score - b.result.risk_score) || byFileOrder(a, b));
  else rows.sort(byFileOrder);
  return rows;
}

/** Set the review state (one of REVIEW_STATES) and log it. Returns the item, changed in place. */
export function review(item, state, opts = {}) {
  if (!REVIEW_STATES.includes(state)) throw new Error("unknown review state " + state);
  item.review = state;
  if (state !== "corrected") delete item.reviewLevel;
  if (opts.level) item.reviewLevel = opts.level;
  item.reviewedAt = opts.at || new Date().toISOString();
  if (opts.by) item.reviewedBy = opts.by;
  item.history = (item.history || []).concat([{
    at: item.reviewedAt, action: state, by: opts.by || "", detail: opts.detail || (opts.level ? "level=" + opts.level : ""),
  }]);
  return item;
}

/** The moderator's level for ``item``: the same as the model's marks it correct, another corrects it. */
export function setLevel(item, level, opts = {}) {
  return levelOf(item.result) === level
    ? review(item, "correct", opts)
    : review(item, "corrected", Object.assign({}, opts, { level }));
}

export function logFeedback(item, fb, opts = {}) {
  item.feedback = fb;
  item.history = (item.history || []).concat([{
    at: opts.at || new Date().toISOString(), action: "feedback", by: fb.moderator || "",
    detail: fb.correct_label + (fb.reason ? " / " + fb.reason : ""),
  }]);
  return item;
}

/** Feedback sent for ``item``: logged, and its review state follows (confirmed = correct, else corrected). */
export function applyFeedback(item, fb) {
  logFeedback(item, fb);
  return review(item, fb.reason === "confirmed" ? "correct" : "corrected", { by: fb.moderator, detail: fb.correct_label });
}

export const EXPORT_COLUMNS = ["source", "line", "id", "url", "account", "date", "kind", "risk_level", "risk_score",
  "label", "category", "flags", "counter_evidence", "money", "destinations", "model_version", "review",
  "review_level", "reviewed_by", "reviewed_at", "feedback_label", "feedback_reason", "feedback_note",
  "feedback_sent", "text"];

function csvCell(v, guard) {
  let s = v === undefined || v === null ? "" : String(v);
  if (guard && /^[=+\-@\t\r]/.test(s)) s = "'" + s;    // keep spreadsheets from running formulas
  return '"' + s.replace(/"/g, '""') + '"';
}

/** CSV text (with a BOM, CRLF) of ``items``, one row each, review and feedback included. */
export function exportCSV(items) {
  const out = [EXPORT_COLUMNS.map((h) => csvCell(h)).join(",")];
  for (const it of items) {
    const r = it.result || {};
    const counters = [...new Set((r.counter_evidence || []).map((h) => h.flag))];
    const fb = it.feedback || {};
    const row = {
      source: it.sourceName, line: it.line, id: it.id, url: it.url, account: it.account, date: it.date,
      kind: kindOf(r), risk_level: r.risk_level, risk_score: r.risk_score, label: r.label, category: categoryOf(r),
      flags: (r.flags || []).join(";"), counter_evidence: counters.join(";"),
      money: (r.money || []).map((m) => m.text).join(" | "), destinations: (r.destinations || []).join(";"),
      model_version: r.model_version, review: it.review || "new", review_level: it.reviewLevel,
      reviewed_by: it.reviewedBy, reviewed_at: it.reviewedAt, feedback_label: fb.correct_label,
      feedback_reason: fb.reason, feedback_note: fb.note, feedback_sent: fb.sent ? "yes" : (fb.correct_label ? "no" : ""),
      text: it.text,
    };
    const guarded = new Set(["id", "url", "account", "date", "money", "text", "source", "feedback_note", "reviewed_by"]);
    out.push(EXPORT_COLUMNS.map((c) => csvCell(row[c], guarded.has(c))).join(","));
  }
  return "\ufeff" + out.join("\r\n") + "\r\n";
}
