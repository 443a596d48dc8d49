/* Moderators' page: check a poster advert (an image). Drop or pick a PNG, JPEG or WebP; it is sent
 * to POST v1/score/image (api.js, like the page's other requests), and shown with a box over every red
 * flag (numbered like the list beside it) and the text Tesseract read, flagged words marked as on a
 * pasted post's card (result-card.js, with the same explanations on hover). Nothing from the image or
 * its text is put into the page as HTML: text goes in with textContent only. The image is shown from a
 * data: URL (the page's CSP allows data: images, not blob: ones). */
import { $, clear, el } from "./dom.js";
import { t } from "./i18n.js";
import { request } from "./api.js";
import { badge, flagName, highlightedText, hitReason } from "./result-card.js";
import { boxPlacements } from "./poster-boxes.js";
import { pct } from "./shared/vocab.js";

const TYPES = ["image/png", "image/jpeg", "image/webp"];

let last = null; // {dataUrl, record} of the poster shown, drawn again when the language changes

function showError(message) {
  const box = $("poster-error");
  box.textContent = message;
  box.hidden = !message;
}

/** Draw the poster shown last (if any) in the current language. */
export function renderPoster() {
  if (!last) return;
  const { dataUrl, record } = last;
  $("poster-result").hidden = false;
  $("poster-img").src = dataUrl;
  const layer = $("poster-boxes");
  clear(layer);
  for (const p of boxPlacements(record)) {
    const b = el("div", { class: `poster-box poster-box-${p.kind}`, "data-flag": p.flag, "data-index": String(p.index),
                          title: `${flagName(p.flag)}: ${p.text}` });
    Object.assign(b.style, { left: `${p.left}%`, top: `${p.top}%`, width: `${p.width}%`, height: `${p.height}%` });
    if (p.kind === "risk") b.appendChild(el("span", { class: "poster-box-num" }, String(p.index + 1)));
    layer.appendChild(b);
  }
  const level = $("poster-level");
  clear(level);
  level.append(badge(record, true), " " + pct(record.risk_score));
  const list = $("poster-flags");
  clear(list);
  for (const h of record.evidence || []) {
    list.appendChild(el("li", {}, el("strong", {}, flagName(h.flag)), ` «${h.text}» — ${hitReason(h)}`));
  }
  $("poster-flags-title").textContent = record.evidence && record.evidence.length ? t("poster.flags") : t("poster.none");
  const ocr = record.ocr || {};
  $("poster-conf").textContent = t("poster.conf", { c: Math.round(ocr.mean_confidence || 0), n: ocr.words || 0 });
  const text = $("poster-text");
  clear(text);
  text.appendChild(highlightedText(ocr.text || "", record));
}

function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

async function check(file) {
  showError("");
  if (!file || !TYPES.includes(file.type)) { showError(t("poster.notImage")); return; }
  const status = $("poster-status");
  status.textContent = t("poster.reading");
  try {
    const form = new FormData();
    form.append("image", file, file.name || "poster");
    const [dataUrl, record] = await Promise.all([readAsDataUrl(file), request("v1/score/image", { method: "POST", form })]);
    last = { dataUrl, record };
    renderPoster();
  } catch (err) {
    last = null;
    $("poster-result").hidden = true;
    showError((err && err.message) || t("poster.failed"));
  } finally {
    status.textContent = "";
  }
}

export function bindPoster() {
  const drop = $("poster-drop");
  $("poster-input").addEventListener("change", (ev) => {
    const f = ev.target.files && ev.target.files[0];
    ev.target.value = "";
    check(f);
  });
  drop.addEventListener("dragover", (ev) => { ev.preventDefault(); ev.stopPropagation(); drop.classList.add("dragover"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("dragover"));
  drop.addEventListener("drop", (ev) => {
    ev.preventDefault();
    ev.stopPropagation(); // an image dropped here is a poster, not a file of posts for the queue
    drop.classList.remove("dragover");
    check(ev.dataTransfer.files && ev.dataTransfer.files[0]);
  });
}
