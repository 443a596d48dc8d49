/* "Is this result right?": a confirmation or a correction, sent to POST /v1/feedback.
 *
 * The correction form preselects nothing, and refuses a "correction" that repeats the prediction
 * unless the reason is about flags (a missed or a false flag can leave the label as it was).
 * The moderator's name, when given, goes into the note ("[moderator: …]") and into the queue's history. */
import { el } from "./dom.js";
import { t } from "./i18n.js";
import { request, modelVersion, NetworkError } from "./api.js";
import { LABELS } from "./shared/vocab.js";

export const FEEDBACK_REASONS = ["missed_flag", "false_flag", "legit_job", "scam_not_trafficking",
  "trafficking", "not_job_ad", "other"];
export const CONFIRMED_REASON = "confirmed";
/** Reasons that may keep the predicted label (the flags, not the label, were wrong). */
export const SAME_LABEL_REASONS = ["missed_flag", "false_flag"];
const NAME_KEY = "tppo.moderator";

export function moderatorName() {
  try { return (localStorage.getItem(NAME_KEY) || "").trim().slice(0, 80); } catch { return ""; }
}
export function setModeratorName(name) {
  try { localStorage.setItem(NAME_KEY, String(name || "").trim().slice(0, 80)); } catch { /* private mode */ }
}

/** Why this correction cannot be sent (an i18n key), or null. Pure. */
export function correctionProblem(predictedLabel, correctLabel, reason) {
  if (!LABELS.includes(correctLabel)) return "fb.need_label";
  if (!reason) return "fb.need_reason";
  if (correctLabel === predictedLabel && !SAME_LABEL_REASONS.includes(reason)) return "fb.same_label";
  return null;
}

let onSent = () => {};
export function onFeedbackSent(fn) { onSent = fn; }

export function sendFeedback(text, r, p) {
  const by = moderatorName();
  const note = [by ? "[moderator: " + by + "]" : "", p.note || ""].filter(Boolean).join(" ");
  const body = {
    model_version: r.model_version || modelVersion() || "unknown",
    text, store_text: !!p.store_text, predicted_label: r.label, correct_label: p.correct_label, reason: p.reason,
  };
  const sc = Number(r.risk_score);
  if (Number.isFinite(sc) && sc >= 0 && sc <= 1) body.predicted_score = sc;
  if (note) body.note = note.slice(0, 1000);
  return request("v1/feedback", { method: "POST", body });
}

/** rec: {text, result, feedback}; ``after(rec, fb)`` is told about each feedback that was stored. */
export function feedbackWidget(rec, key, after) {
  const r = rec.result;
  const wrap = el("section", { class: "feedback", "data-testid": "feedback" });
  const fs = el("fieldset", {}, el("legend", {}, t("fb.heading")));
  const status = el("p", { class: "fb-status", role: "status", "aria-live": "polite", "data-testid": "fb-status" });
  const okBtn = el("button", { type: "button", class: "btn btn-secondary", "data-testid": "fb-correct" }, t("fb.correct"));
  const wrongBtn = el("button", { type: "button", class: "btn btn-secondary", "aria-expanded": "false",
    "aria-controls": "fb-form-" + key, "data-testid": "fb-wrong" }, t("fb.wrong"));
  fs.appendChild(el("div", { class: "fb-buttons" }, okBtn, wrongBtn));

  const labelSel = el("select", { id: "fb-label-" + key, name: "correct_label", "data-testid": "fb-label" },
    el("option", { value: "" }, t("fb.label.placeholder")),
    LABELS.map((l) => el("option", { value: l }, t("label." + l) + (l === r.label ? " " + t("fb.label.predicted") : ""))));
  const reasonSel = el("select", { id: "fb-reason-" + key, name: "reason", required: true, "data-testid": "fb-reason" },
    el("option", { value: "" }, t("fb.reason.placeholder")),
    FEEDBACK_REASONS.map((x) => el("option", { value: x }, t("fb.reason." + x))));
  const note = el("textarea", { id: "fb-note-" + key, name: "note", rows: "2", maxlength: "900", "data-testid": "fb-note" });
  const store = el("input", { type: "checkbox", id: "fb-store-" + key, name: "store_text", "data-testid": "fb-store" });
  const submit = el("button", { type: "submit", class: "btn btn-primary", "data-testid": "fb-submit" }, t("fb.submit"));
  const form = el("form", { class: "fb-form", id: "fb-form-" + key, hidden: true, novalidate: true },
    el("label", { for: labelSel.id }, t("fb.correct_label")), labelSel,
    el("label", { for: reasonSel.id }, t("fb.reason")), reasonSel,
    el("label", { for: note.id }, t("fb.note")), note,
    el("label", { class: "check", for: store.id }, store, el("span", {}, t("fb.store_text"))),
    el("div", {}, submit));
  fs.appendChild(form);
  wrap.append(fs, status);

  const lock = (done) => { okBtn.disabled = done; wrongBtn.disabled = done; submit.disabled = done; };
  const showDone = () => {
    lock(true);
    form.hidden = true;
    status.className = "fb-status ok";
    status.textContent = rec.feedback.reason === CONFIRMED_REASON ? t("fb.sent.correct") : t("fb.sent");
  };
  if (rec.feedback && rec.feedback.sent) showDone();
  const fail = (key) => { status.className = "fb-status err"; status.textContent = t(key); };

  async function send(p) {
    lock(true);
    status.className = "fb-status";
    status.textContent = t("fb.sending");
    try {
      await sendFeedback(rec.text, r, p);
    } catch (err) {
      lock(false);
      status.className = "fb-status err";
      status.textContent = err instanceof NetworkError ? t("banner.unreachable") : t("fb.error", { msg: err.message });
      return;
    }
    rec.feedback = { sent: true, correct_label: p.correct_label, reason: p.reason, note: p.note || "",
      moderator: moderatorName(), at: new Date().toISOString() };
    showDone();
    if (after) after(rec, rec.feedback);
    onSent();
  }

  okBtn.addEventListener("click", () => send({ correct_label: r.label, reason: CONFIRMED_REASON, store_text: false }));
  wrongBtn.addEventListener("click", () => {
    form.hidden = !form.hidden;
    wrongBtn.setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) labelSel.focus();
  });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const problem = correctionProblem(r.label, labelSel.value, reasonSel.value);
    if (problem) {
      fail(problem);
      (problem === "fb.need_reason" ? reasonSel : labelSel).focus();
      return;
    }
    send({ correct_label: labelSel.value, reason: reasonSel.value, note: note.value.trim() || undefined,
      store_text: store.checked });
  });
  return wrap;
}

export async function refreshStats() {
  const s = await request("v1/feedback/stats");
  return s && typeof s.pending === "number" ? s.pending : null;
}
