/* Popup: check a pasted text, show the service's state, enable the extension on the current site.
 * Words in the language of the settings (strings.js); levels, kinds, flag names and the score's
 * format are the moderators' page's (shared/vocab.js, applied by the service worker). */
import { applyStrings, STRINGS, tr } from "./strings.js";

const T = globalThis.TPPO;
const $ = (id) => document.getElementById(id);
let lang = "id";
const S = (key, params) => tr(lang, key, params);
const isServiceState = (code) => Object.prototype.hasOwnProperty.call(STRINGS.id, "state." + code);
{

  function send(msg) {
    return chrome.runtime.sendMessage(msg).catch((e) => ({ error: { code: "internal", message: String(e.message || e) } }));
  }

  let countdown = null;

  function renderState(state, serviceUrl) {
    const box = $("state");
    const st = state || { status: "unknown" };
    box.dataset.state = st.status;
    box.setAttribute("role", ["ok", "unknown"].includes(st.status) ? "status" : "alert");
    $("state-title").textContent = isServiceState(st.status) ? S("state." + st.status) : st.status;
    clearInterval(countdown);
    const text = $("state-text");
    if (st.status === "unknown") {
      text.textContent = S("popup.service", { url: serviceUrl || st.serviceUrl || "?" });
    } else if (st.status === "ok") {
      text.textContent = (st.serviceUrl || serviceUrl || "") + (st.modelVersion ? " · model " + st.modelVersion : "");
    } else if (st.status === "rate_limited" && st.until) {
      const tick = () => {
        const left = Math.ceil((st.until - Date.now()) / 1000);
        text.textContent = left > 0 ? S("popup.rate.wait", { n: left }) : S("popup.rate.over");
        if (left <= 0) clearInterval(countdown);
      };
      tick();
      countdown = setInterval(tick, 1000);
    } else {
      text.textContent = st.message || "";
    }
  }

  /** Flag groups as shared/vocab.js recordView makes them (the service worker adds them to each result). */
  function flagList(groups, cls) {
    const ul = document.createElement("ul");
    ul.className = cls;
    for (const g of groups) {
      const li = document.createElement("li");
      li.dataset.flag = g.flag;
      const b = document.createElement("strong");
      b.textContent = g.label || g.flag;
      li.append(b);
      if (g.words.length) {
        li.append(": ");
        g.words.forEach((w, i) => {
          if (i) li.append(", ");
          const q = document.createElement("q");
          q.textContent = w;
          li.append(q);
        });
      }
      if (g.reason) {
        const r = document.createElement("div");
        r.className = "reason";
        r.textContent = g.reason;
        li.append(r);
      }
      ul.append(li);
    }
    return ul;
  }

  let checkedText = "";   // the text the shown result is for ("Tandai salah" sends its hash)

  /** "Tandai salah": the choices other than the prediction, sent by the service worker as a hash. */
  function feedbackBox(label) {
    const box = document.createElement("div");
    box.className = "fb";
    const wrong = document.createElement("button");
    wrong.type = "button";
    wrong.id = "fb-wrong";
    wrong.textContent = S("fb.wrong");
    const choices = document.createElement("div");
    choices.hidden = true;
    choices.append(S("fb.question"), " ");
    const status = document.createElement("p");
    status.id = "fb-status";
    status.setAttribute("role", "status");
    for (const choice of ["low", "other_scam", "high", "not_job"]) {
      if (choice === label) continue;
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.fb = choice;
      b.textContent = S("fb." + choice);
      b.addEventListener("click", async () => {
        choices.querySelectorAll("button").forEach((x) => { x.disabled = true; });
        const out = await send({ type: "feedback", text: checkedText, choice });
        status.dataset.ok = String(!!(out && out.ok));
        status.textContent = out && out.ok ? S("fb.sent") : S("fb.failed", { why: (out && out.error && out.error.code) || "?" });
        if (!(out && out.ok)) choices.querySelectorAll("button").forEach((x) => { x.disabled = false; });
      });
      choices.append(b);
    }
    wrong.addEventListener("click", () => { wrong.hidden = true; choices.hidden = false; });
    box.append(wrong, choices, status);
    return box;
  }

  function renderResult(out) {
    const box = $("result");
    box.replaceChildren();
    if (!out) return;
    if (!out.result) {
      const p = document.createElement("p");
      p.className = "error";
      p.dataset.code = (out.error && out.error.code) || "error";
      const code = out.error && out.error.code;
      // Service problems are explained in the banner above; do not repeat them here.
      p.textContent = isServiceState(code) ? S("popup.see_above") : (out.error && out.error.message) || S("popup.failed");
      box.append(p);
      return;
    }
    const r = out.result;
    const pill = document.createElement("span");
    pill.className = "pill";
    pill.dataset.level = r.level;
    pill.dataset.tone = r.tone || r.level;
    pill.textContent = (r.badgeText || r.level) + " · " + (r.scoreText || "–");
    const kind = document.createElement("p");
    kind.className = "kind";
    kind.dataset.kind = r.kind || "offer";
    kind.textContent = S("result.kind", { kind: r.kindText || "" });
    box.append(pill, kind, feedbackBox(r.label));
    const groups = r.groups || [];
    if (groups.length) {
      const h = document.createElement("h2");
      h.textContent = S("result.flags", { n: groups.length });
      box.append(h, flagList(groups, "flags"));
    } else {
      const p = document.createElement("p");
      p.textContent = S("result.noflags");
      box.append(p);
    }
    if ((r.counterGroups || []).length) {
      const h = document.createElement("h2");
      h.textContent = S("result.counter");
      box.append(h, flagList(r.counterGroups, "counter"));
    }
  }

  async function check() {
    const text = $("text").value.trim();
    if (!text) {   // never leave an earlier result on screen as if it answered an empty box
      renderResult({ error: { code: "empty_text", message: S("popup.empty") } });
      $("text").focus();
      return;
    }
    const btn = $("check");
    btn.disabled = true;
    btn.textContent = S("popup.checking");
    try {
      const out = await send({ type: "scoreText", text });
      checkedText = text;
      renderResult(out);
      const st = await send({ type: "status" });
      renderState(st.state, st.serviceUrl);
    } finally {
      btn.disabled = false;
      btn.textContent = S("popup.check");
    }
  }

  async function testConnection() {
    const btn = $("test");
    btn.disabled = true;
    try {
      const out = await send({ type: "testConnection" });
      const st = await send({ type: "status" });
      renderState(out.state || st.state, st.serviceUrl);
    } finally {
      btn.disabled = false;
    }
  }

  async function siteSection() {
    let tab;
    try { [tab] = await chrome.tabs.query({ active: true, currentWindow: true }); } catch (_) { return; }
    if (!tab || !tab.url || !/^https?:/.test(tab.url)) return;
    const { site } = await send({ type: "siteStatus", url: tab.url });
    if (!site || !site.host) return;
    $("site").hidden = false;
    const btn = $("site-enable");
    if (site.enabled) {
      $("site-text").textContent = S("popup.site.on", { host: site.host + (site.kind === "builtin" ? " (" + site.name + ")" : "") });
      return;
    }
    if (site.kind === "builtin-off") {
      $("site-text").textContent = S("popup.site.builtin_off", { name: site.name });
      return;
    }
    $("site-text").textContent = S("popup.site.off", { host: site.host });
    btn.hidden = false;
    btn.addEventListener("click", async () => {
      const origins = T.sitePatterns(site.host);
      let granted = false;
      try { granted = await chrome.permissions.request({ origins }); } catch (_) { granted = false; }
      if (!granted) { $("site-text").textContent = S("popup.site.denied", { host: site.host }); return; }
      const res = await send({ type: "addCustomSite", host: site.host, tabId: tab.id });
      $("site-text").textContent = res && res.ok ? S("popup.site.on", { host: site.host }) : (res && res.message) || S("popup.site.failed");
      btn.hidden = !!(res && res.ok);
    });
  }

  async function init() {
    lang = T.normalizeSettings(await chrome.storage.sync.get(null)).lang;
    applyStrings(lang);
    $("check").addEventListener("click", check);
    $("test").addEventListener("click", testConnection);
    $("text").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) check(); });
    $("open-options").addEventListener("click", (e) => { e.preventDefault(); chrome.runtime.openOptionsPage(); });
    chrome.storage.onChanged.addListener((changes, area) => {
      if (area === "local" && changes.serviceState) renderState(changes.serviceState.newValue);
    });
    const st = await send({ type: "status" });
    renderState(st.state, st.serviceUrl);
    const { lastCheck } = await send({ type: "lastCheck" });
    if (lastCheck && Date.now() - lastCheck.at < 10 * 60 * 1000) {
      $("text").value = lastCheck.text;
      checkedText = lastCheck.text;
      renderResult(lastCheck.out);
    }
    siteSection().catch(() => {});
  }

  init();
}
