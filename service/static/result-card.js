/* One scored post as a card: level or kind badge, highlighted text, red flags and counter-evidence,
 * money, next steps for its kind, and the feedback form. Post text only through text nodes. */
import { el } from "./dom.js";
import { t, getLang } from "./i18n.js";
import { cmpSpans, toUtf16Spans } from "./offsets.js";
import { service } from "./api.js";
import { guidanceFor } from "./guidance.js";
import { badgeFor, categoryOf, evidenceGroups, flagLabel, flagReason, kindOf, levelOf, needsAction, pct } from "./shared/vocab.js";
import { feedbackWidget } from "./feedback.js";

export const flagName = (flag) => flagLabel(flag, getLang(), service.indicators);
export const hitReason = (h) => flagReason(h, getLang(), service.indicators);
const pick = (o) => (!o ? "" : typeof o === "string" ? o : o[getLang()] || o.id || o.en || "");

/** The badge of a record: its level, "job fraud", or its kind for reports and warnings. */
export function badge(r, large) {
  const b = badgeFor(r, getLang());
  return el("span", {
    class: "badge badge-" + b.tone + (large ? " badge-lg" : ""), "data-testid": "level-badge",
    "data-level": b.level, "data-kind": b.kind, "data-tone": b.tone,
  }, b.text);
}

export function kindChip(r) {
  const kind = kindOf(r);
  return el("span", { class: "kind-chip kind-" + kind, "data-testid": "kind", "data-kind": kind }, t("kind." + kind));
}

export function actChip(r) {
  return needsAction(r) ? el("span", { class: "act-chip", "data-testid": "act-now" }, t("act.now")) : null;
}

/** Render ``text`` into ``parent`` with one <mark> per span; overlapping spans nest, crossing ones split. */
function renderRange(parent, text, from, to, spans) {
  let cur = from;
  let rest = spans.slice().sort(cmpSpans);
  while (rest.length) {
    const h = rest.shift();
    if (h.s > cur) parent.appendChild(document.createTextNode(text.slice(cur, h.s)));
    const inner = [], after = [];
    for (const o of rest) {
      if (o.s >= h.e) after.push(o);
      else if (o.e <= h.e) inner.push(o);
      else { inner.push(Object.assign({}, o, { e: h.e, part: true })); after.push(Object.assign({}, o, { s: h.e, part: true })); }
    }
    const mark = el("mark", {
      class: "hl hl-" + h.kind, "data-flag": h.flag, "data-kind": h.kind,
      "data-part": h.part ? "1" : null, "data-realigned": h.realigned ? "1" : null, tabindex: "0",
    });
    mark._hit = h;
    renderRange(mark, text, h.s, h.e, inner);
    parent.appendChild(mark);
    cur = h.e;
    rest = after.sort(cmpSpans);
  }
  if (cur < to) parent.appendChild(document.createTextNode(text.slice(cur, to)));
}

export function highlightedText(text, result) {
  const spans = toUtf16Spans(text, result.evidence, "risk").concat(toUtf16Spans(text, result.counter_evidence, "counter"));
  const p = el("p", { class: "post-text", "data-testid": "post-text" });
  renderRange(p, text, 0, text.length, spans);
  return p;
}

const countFlags = (hits) => new Set(hits.map((h) => h.flag)).size;
const capitalise = (s) => { s = String(s || ""); return s.charAt(0).toUpperCase() + s.slice(1); };

/** The grouped evidence the extension's popover shows too (shared/vocab.js evidenceGroups). */
function evidenceList(hits, kind, emptyText) {
  const groups = evidenceGroups(hits, getLang(), service.indicators);
  if (!groups.length) return el("p", { class: "help" }, emptyText);
  const ul = el("ul", { class: "evidence-list " + kind, "data-testid": kind === "risk" ? "flag-list" : "counter-list" });
  for (const g of groups) {
    const quotes = [];
    g.words.forEach((w, i) => { if (i) quotes.push(", "); quotes.push(el("q", { class: "ev-quote" }, w)); });
    ul.appendChild(el("li", { "data-flag": g.flag }, el("span", { class: "ev-name" }, g.label), ": ", quotes,
      el("span", { class: "ev-reason" }, g.reason)));
  }
  return ul;
}

function fmtNumber(n) {
  try { return new Intl.NumberFormat(getLang() === "en" ? "en-GB" : "id-ID", { maximumFractionDigits: 0 }).format(n); }
  catch { return String(Math.round(n)); }
}

function moneyList(money) {
  if (!money.length) return el("p", { class: "help" }, t("result.money.none"));
  const ul = el("ul", { class: "money-list", "data-testid": "money-list" });
  for (const m of money) {
    const li = el("li", {}, el("q", { class: "money-text" }, String(m.text || "")));
    const lo = m.idr_per_month_min, hi = m.idr_per_month_max;
    if (lo !== null && lo !== undefined && Number.isFinite(Number(lo))) {
      let v = "Rp " + fmtNumber(Number(lo));
      if (hi !== null && hi !== undefined && Number(hi) !== Number(lo)) v += " – " + fmtNumber(Number(hi));
      li.appendChild(document.createTextNode(" " + t("result.money.month", { v })));
    }
    ul.appendChild(li);
  }
  return ul;
}

function nextStepsSection(r) {
  const kind = kindOf(r);
  const fraud = categoryOf(r) === "job_fraud" ? " job-fraud" : "";
  const sec = el("section", { class: "next-steps level-" + levelOf(r) + " kind-" + kind + fraud, "data-testid": "next-steps",
    "data-kind": kind }, el("h4", {}, t(kind === "question" ? "result.next.question" : "result.next")));
  const ns = service.nextSteps;
  if (!ns) { sec.appendChild(el("p", { class: "help" }, t("result.next.missing"))); return sec; }
  const g = guidanceFor(r, ns);
  for (const b of g.blocks) {
    if (b.title) sec.appendChild(el("p", { class: "steps-title" }, el("strong", {}, pick(b.title))));
    sec.appendChild(el("ol", { class: "steps-list" }, (b.steps || []).map((s) => el("li", {}, pick(s)))));
  }
  if (g.channels) {
    sec.appendChild(el("p", { class: "steps-title" }, el("strong", {}, pick(ns.channels.title))));
    sec.appendChild(el("ul", { class: "channels-list" }, (ns.channels.items || []).map((s) => el("li", {}, pick(s)))));
  }
  sec.appendChild(el("p", { class: "disclaimer" }, t("result.disclaimer")));
  return sec;
}

/** rec: {text, result, feedback}; opts: {key, headingTag, title, onFeedback(rec, fb)}. */
export function renderResultCard(rec, opts) {
  const r = rec.result, text = rec.text;
  const level = levelOf(r), kind = kindOf(r);
  const headingId = "res-h-" + (opts.key || "single");
  const card = el("article", { class: "result-card", "data-testid": "result", "data-level": level, "data-kind": kind,
    "aria-labelledby": headingId });
  const scoreBar = el("span", { class: "score-bar", "aria-hidden": "true" }, el("span"));
  scoreBar.firstChild.style.width = Math.max(0, Math.min(100, Number(r.risk_score) * 100 || 0)) + "%";

  card.appendChild(el(opts.headingTag || "h3", { id: headingId, class: opts.headingTag === "h4" ? "visually-hidden" : "" },
    t("result.heading") + (opts.title ? " — " + opts.title : "")));
  card.appendChild(el("div", { class: "result-head" },
    el("div", { class: "metric" }, el("span", { class: "metric-name" }, t("result.level")), badge(r, true), actChip(r)),
    el("div", { class: "metric", title: t("result.score.help") },
      el("span", { class: "metric-name" }, t("result.score")),
      el("span", { class: "metric-value", "data-testid": "risk-score", "data-score": String(r.risk_score) }, pct(r.risk_score)),
      scoreBar),
    el("div", { class: "metric" },
      el("span", { class: "metric-name" }, t("result.label")),
      el("span", { class: "metric-value", "data-testid": "label", "data-label": r.label }, t("label." + r.label))),
    el("div", { class: "metric" }, el("span", { class: "metric-name" }, t("result.kind")), kindChip(r)),
    el("p", { class: "visually-hidden" }, kind === "report" || kind === "warning" ? t("kind.full." + kind) : t("level.full." + level))));
  if (kind === "report" || kind === "warning") {
    card.appendChild(el("p", { class: "notice notice-info", "data-testid": "kind-note" }, t("kind.note." + kind)));
  }

  const left = el("section", { class: "text-col" },
    el("h4", {}, t("result.text")),
    el("p", { class: "legend" },
      el("span", {}, el("span", { class: "swatch swatch-risk", "aria-hidden": "true" }), t("result.legend.risk")),
      el("span", {}, el("span", { class: "swatch swatch-counter", "aria-hidden": "true" }), t("result.legend.counter"))),
    highlightedText(text, r),
    el("p", { class: "help" }, t("result.legend.help")));
  const ev = r.evidence || [], ce = r.counter_evidence || [];
  const right = el("section", { class: "facts-col" },
    el("h4", {}, t("result.flags", { n: countFlags(ev) })), evidenceList(ev, "risk", t("result.flags.none")),
    el("h4", {}, t("result.counter", { n: countFlags(ce) })), evidenceList(ce, "counter", t("result.counter.none")),
    el("h4", {}, t("result.money")), moneyList(r.money || []));
  if (r.destinations && r.destinations.length) {
    right.appendChild(el("h4", {}, t("result.destinations")));
    right.appendChild(el("p", { "data-testid": "destinations" }, r.destinations.map(capitalise).join(", ")));
  }
  card.appendChild(el("div", { class: "result-grid" }, left, right));
  card.appendChild(nextStepsSection(r));
  card.appendChild(feedbackWidget(rec, opts.key || "single", opts.onFeedback));
  return card;
}
