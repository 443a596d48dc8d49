/* Moderators' page: check a poster advert (an image). Drop or pick a PNG, JPEG or WebP; it is sent
 * to POST v1/score/image, and shown with a box over every red flag (numbered like the list beside
 * it) and the text Tesseract read, flagged words marked. Nothing from the image or its text is put
 * into the page as HTML: text goes in with textContent only. The image is shown from a data: URL
 * (the page's CSP allows data: images, not blob: ones). */

import { boxPlacements, textPieces } from "./poster-boxes.js";

const TEXT = {
  id: {
    heading: "Periksa gambar poster lowongan",
    help: "Gambar PNG, JPEG atau WebP (poster, tangkapan layar). Teksnya dibaca dengan OCR lalu diperiksa.",
    drop: "Letakkan gambar di sini, atau", choose: "pilih gambar", reading: "Membaca gambar…",
    read: "Teks terbaca", conf: "keyakinan OCR rata-rata {c}/100, {n} kata", flags: "Tanda bahaya",
    none: "Tidak ada tanda bahaya pada teks terbaca.", notImage: "Itu bukan gambar PNG, JPEG atau WebP.",
    unreachable: "Layanan tidak dapat dihubungi.", counter: "Tanda sah",
    level: { rendah: "Risiko rendah", sedang: "Risiko sedang", tinggi: "Risiko tinggi" },
  },
  en: {
    heading: "Check a poster advert (image)",
    help: "A PNG, JPEG or WebP image (poster, screenshot). Its text is read with OCR, then checked.",
    drop: "Drop an image here, or", choose: "choose an image", reading: "Reading the image…",
    read: "Text read", conf: "mean OCR confidence {c}/100, {n} words", flags: "Red flags",
    none: "No red flags in the text read.", notImage: "That is not a PNG, JPEG or WebP image.",
    unreachable: "The service cannot be reached.", counter: "Signs of legitimacy",
    level: { rendah: "Low risk", sedang: "Medium risk", tinggi: "High risk" },
  },
};
const TYPES = ["image/png", "image/jpeg", "image/webp"];

const $ = (id) => document.getElementById(id);
const lang = () => (document.documentElement.lang === "en" ? "en" : "id");
const t = (key) => TEXT[lang()][key];
let last = null; // {dataUrl, record} of the poster shown, re-rendered when the language changes

function node(tag, cls, text) {
  const n = document.createElement(tag);
  if (cls) n.className = cls;
  if (text !== undefined) n.textContent = text;
  return n;
}

function setStatic() {
  $("poster-heading").textContent = t("heading");
  $("poster-help").textContent = t("help");
  $("poster-drop-text").textContent = t("drop");
  $("poster-choose").textContent = t("choose");
  if (last) render(last.dataUrl, last.record);
}

function showError(message) {
  const box = $("poster-error");
  box.textContent = message;
  box.hidden = !message;
}

function reason(hit) {
  return hit.reason || (lang() === "en" ? hit.reason_en : hit.reason_id) || "";
}

function render(dataUrl, record) {
  last = { dataUrl, record };
  $("poster-result").hidden = false;
  $("poster-img").src = dataUrl;
  const layer = $("poster-boxes");
  layer.replaceChildren();
  boxPlacements(record).forEach((p) => {
    const b = node("div", `poster-box poster-box-${p.kind}`);
    b.dataset.flag = p.flag;
    b.dataset.index = String(p.index);
    b.title = `${p.flag}: ${p.text}`;
    Object.assign(b.style, { left: `${p.left}%`, top: `${p.top}%`, width: `${p.width}%`, height: `${p.height}%` });
    if (p.kind === "risk") b.appendChild(node("span", "poster-box-num", String(p.index + 1)));
    layer.appendChild(b);
  });
  const level = $("poster-level");
  level.textContent = `${t("level")[record.risk_level] || record.risk_level} (${Math.round(100 * record.risk_score)}%)`;
  level.className = `poster-level level-${record.risk_level}`;
  const list = $("poster-flags");
  list.replaceChildren();
  (record.evidence || []).forEach((h) => {
    const li = node("li");
    li.appendChild(node("strong", null, h.flag));
    li.appendChild(document.createTextNode(` «${h.text}» — ${reason(h)}`));
    list.appendChild(li);
  });
  $("poster-flags-title").textContent = record.evidence && record.evidence.length ? t("flags") : t("none");
  $("poster-read-title").textContent = t("read");
  const ocr = record.ocr || {};
  $("poster-conf").textContent = t("conf").replace("{c}", Math.round(ocr.mean_confidence || 0)).replace("{n}", ocr.words || 0);
  const text = $("poster-text");
  text.replaceChildren();
  textPieces(ocr.text || "", record).forEach((piece) => {
    if (!piece.flag) { text.appendChild(document.createTextNode(piece.text)); return; }
    const mark = node("mark", `poster-mark-${piece.kind}`, piece.text);
    mark.dataset.flag = piece.flag;
    text.appendChild(mark);
  });
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
  if (!file || !TYPES.includes(file.type)) { showError(t("notImage")); return; }
  const status = $("poster-status");
  status.textContent = t("reading");
  try {
    const body = new FormData();
    body.append("image", file, file.name || "poster");
    const [dataUrl, resp] = await Promise.all([readAsDataUrl(file), fetch("v1/score/image", {
      method: "POST", body, headers: { Accept: "application/json" }, cache: "no-store", credentials: "same-origin" })]);
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) {
      $("poster-result").hidden = true;
      last = null;
      showError((data.error && data.error.message) || `HTTP ${resp.status}`);
      return;
    }
    render(dataUrl, data);
  } catch (err) {
    showError(t("unreachable"));
  } finally {
    status.textContent = "";
  }
}

function init() {
  if (!$("panel-poster")) return;
  const drop = $("poster-drop");
  $("poster-input").addEventListener("change", (ev) => check(ev.target.files[0]));
  drop.addEventListener("dragover", (ev) => { ev.preventDefault(); ev.stopPropagation(); drop.classList.add("dragover"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("dragover"));
  drop.addEventListener("drop", (ev) => {
    ev.preventDefault();
    ev.stopPropagation(); // an image dropped here is a poster, not a file of posts for the batch panel
    drop.classList.remove("dragover");
    check(ev.dataTransfer.files[0]);
  });
  new MutationObserver(setStatic).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
  setStatic();
}

init();
