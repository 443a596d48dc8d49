/* Moderators' page: wires the modules together. No build step, no external requests. */
import { $ } from "./dom.js";
import { applyStatic, getLang, setLang, t } from "./i18n.js";
import { loadIndicators, loadModel, loadNextSteps, modelVersion, onReachability, service, swallow } from "./api.js";
import { moderatorName, onFeedbackSent, refreshStats, setModeratorName } from "./feedback.js";
import { openStore, allItems, persistent } from "./store.js";
import { bindQueue, queue, renderQueue } from "./queue-view.js";
import {
  batch, bindPicker, cancelRun, continueRun, handleFile, renderBatchMessages, resumeUnscored, selectTab, updateProgress,
} from "./batch.js";
import { announceFor, renderSingle, scoreSingle, showSingleError, single } from "./single.js";
import { bindTips, hideTip } from "./tip.js";
import { bindPoster, renderPoster } from "./poster.js";

function renderModel() {
  const v = modelVersion();
  $("model-version").textContent = v ? t("model.version", { v }) : t("model.unknown");
}

async function showStats() {
  const n = await refreshStats();
  const out = $("pending-count");
  out.textContent = n === null ? "–" : String(n);
  out.setAttribute("data-pending", n === null ? "" : String(n));
  $("pending").setAttribute("aria-label", n === null ? "" : t("pending.aria", { n }));
}

function initData() {
  return Promise.all([
    loadModel().then(renderModel).catch(swallow),
    loadIndicators().catch(swallow),
    loadNextSteps().catch(swallow),
    showStats().catch(swallow),
  ]);
}

function applyLang(lang) {
  setLang(lang);
  try { localStorage.setItem("tppo.lang", getLang()); } catch { /* private mode */ }
  document.documentElement.lang = getLang();
  document.title = t("app.title");
  applyStatic();
  $("lang-toggle").setAttribute("lang", getLang() === "id" ? "en" : "id");
  renderModel();
  if (single.item) { renderSingle(); $("single-loading").textContent = announceFor(single.item.result); }
  renderBatchMessages();
  if (batch.run) updateProgress();
  renderQueue();
  renderPoster();
}

function hasFiles(ev) {
  const types = ev.dataTransfer && ev.dataTransfer.types;
  return !!types && Array.prototype.indexOf.call(types, "Files") >= 0;
}

function bind() {
  $("lang-toggle").addEventListener("click", () => applyLang(getLang() === "id" ? "en" : "id"));
  onReachability((down, why, changed) => {
    $("banner-extra").textContent = down && why ? why : "";
    if (!changed) return;
    $("banner").hidden = !down;
    $("status-ok").textContent = down ? "" : t("banner.ok");
  });
  $("banner-retry").addEventListener("click", async () => {
    const btn = $("banner-retry");
    btn.disabled = true;
    await initData();
    btn.disabled = false;
    if (!service.unreachable && batch.run && batch.run.paused && !batch.run.finished) continueRun(batch.run);
    if (!service.unreachable && single.item) renderSingle();  // picks up next steps loaded late
  });

  $("single-form").addEventListener("submit", (ev) => { ev.preventDefault(); scoreSingle(); });
  $("post-text").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); scoreSingle(); }
  });
  $("clear-btn").addEventListener("click", () => {
    $("post-text").value = "";
    single.item = null;
    showSingleError("");
    $("single-loading").textContent = "";
    renderSingle();
    $("post-text").focus();
  });

  for (const [id, which] of [["tab-single", "single"], ["tab-batch", "batch"]]) {
    $(id).addEventListener("click", () => { selectTab(which); hideTip(); });
    $(id).addEventListener("keydown", (ev) => {
      if (!["ArrowLeft", "ArrowRight", "Home", "End"].includes(ev.key)) return;
      ev.preventDefault();
      let next = which === "single" ? "batch" : "single";
      if (ev.key === "Home") next = "single";
      if (ev.key === "End") next = "batch";
      selectTab(next);
      $("tab-" + next).focus();
    });
  }

  $("file-input").addEventListener("change", (ev) => {
    const f = ev.target.files && ev.target.files[0];
    if (f) handleFile(f);
    ev.target.value = "";
  });
  const dz = $("dropzone");
  for (const type of ["dragenter", "dragover"]) {
    document.addEventListener(type, (ev) => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = "copy";
      dz.classList.add("dragover");
    });
  }
  document.addEventListener("dragleave", (ev) => { if (!ev.relatedTarget) dz.classList.remove("dragover"); });
  document.addEventListener("drop", (ev) => {
    if (!hasFiles(ev)) return;
    ev.preventDefault();                 // never let the browser navigate away to the file
    dz.classList.remove("dragover");
    const f = ev.dataTransfer.files && ev.dataTransfer.files[0];
    if (f) handleFile(f);
  });
  $("batch-cancel").addEventListener("click", cancelRun);
  $("moderator-name").value = moderatorName();
  $("moderator-name").addEventListener("change", (ev) => setModeratorName(ev.target.value));
  onFeedbackSent(() => showStats().catch(swallow));
  bindPicker();
  bindQueue();
  bindTips();
  bindPoster();
}

async function start() {
  let saved = null;
  try { saved = localStorage.getItem("tppo.lang"); } catch { /* ignore */ }
  applyLang(saved === "en" ? "en" : "id");
  bind();
  await openStore();
  try { queue.items = await allItems(); } catch (e) { console.warn(e); }
  $("queue-persist").textContent = persistent ? t("queue.persistent") : t("queue.memory");
  await initData();
  renderQueue();
  if (!service.unreachable) resumeUnscored();
  document.body.dataset.ready = "1";
  setInterval(() => { if (!document.hidden && !service.unreachable) showStats().catch(swallow); }, 60000);
}

start();
