/* The explanation shown for a highlighted word: on hover, keyboard focus, or tap (pinned until a
 * tap elsewhere or Escape). */
import { $, clear, el } from "./dom.js";
import { flagName, hitReason } from "./result-card.js";

let tip = null, tipFor = null, pinned = false;

function show(mark, pin) {
  tip = tip || $("tip");
  const marks = [];
  for (let n = mark; n && n.nodeType === 1; n = n.parentNode) {
    if (n.tagName === "MARK" && n._hit) marks.push(n);
    if (n.classList && n.classList.contains("post-text")) break;
  }
  clear(tip);
  const seen = new Set();
  for (const m of marks) {
    const h = m._hit, k = h.kind + ":" + h.flag;
    if (seen.has(k)) continue;
    seen.add(k);
    tip.appendChild(el("div", { class: "tip-item" },
      el("strong", {}, (h.kind === "risk" ? "⚑ " : "✓ ") + flagName(h.flag)), el("span", {}, hitReason(h.hit))));
  }
  tip.hidden = false;
  tipFor = mark;
  pinned = !!pin;
  mark.setAttribute("aria-describedby", "tip");
  const rect = mark.getBoundingClientRect();
  const maxLeft = window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8;
  tip.style.top = rect.bottom + window.scrollY + 6 + "px";
  tip.style.left = Math.max(window.scrollX + 8, Math.min(rect.left + window.scrollX, maxLeft)) + "px";
}

export function hideTip() {
  if (!tip) return;
  tip.hidden = true;
  if (tipFor) tipFor.removeAttribute("aria-describedby");
  tipFor = null;
  pinned = false;
}

const markFrom = (target) => (target && target.closest ? target.closest("mark.hl") : null);

export function bindTips() {
  document.addEventListener("mouseover", (ev) => { const m = markFrom(ev.target); if (m && !pinned) show(m, false); });
  document.addEventListener("mouseout", (ev) => {
    const m = markFrom(ev.target);
    if (m && !pinned && !markFrom(ev.relatedTarget)) hideTip();
  });
  document.addEventListener("focusin", (ev) => { const m = markFrom(ev.target); if (m) show(m, false); else if (!pinned) hideTip(); });
  document.addEventListener("click", (ev) => {
    const m = markFrom(ev.target);
    if (m) show(m, true); else if (pinned && !(tip && tip.contains(ev.target))) hideTip();
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") hideTip();
    const m = markFrom(ev.target);
    if (m && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); show(m, true); }
  });
  window.addEventListener("resize", hideTip);
}
