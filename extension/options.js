/* Options page: settings in chrome.storage.sync; asks for host permissions the settings need.
 * Shown in the language of the "Bahasa" setting (strings.js), and redrawn when it changes. */
import { applyStrings, tr } from "./strings.js";

const T = globalThis.TPPO;
let lang = "id";
const S = (key, params) => tr(lang, key, params);
{
  const $ = (id) => document.getElementById(id);
  let sitesConf = { sites: [] };

  function status(text, kind) {
    const s = $("status");
    s.textContent = text;
    s.dataset.kind = kind || "";
  }

  async function load() {
    sitesConf = await fetch(chrome.runtime.getURL("sites.json")).then((r) => r.json()).catch(() => ({ sites: [] }));
    const s = T.normalizeSettings(await chrome.storage.sync.get(null));
    lang = s.lang;
    applyStrings(lang);
    $("showQuiet").checked = s.showQuiet;
    $("serviceUrl").value = s.serviceUrl;
    $("apiKey").value = s.apiKey;
    $("minLevel").value = s.minLevel;
    $("lang").value = s.lang;
    $("privacyJobOnly").checked = s.privacyJobOnly;
    $("customSites").value = s.customSites.map((c) => c.host + (c.selector ? " " + c.selector : "")).join("\n");
    const box = $("builtin-sites");
    box.replaceChildren();
    for (const site of sitesConf.sites || []) {
      const label = document.createElement("label");
      label.className = "inline";
      const cb = document.createElement("input");
      cb.type = "checkbox";
      cb.id = "site-" + site.id;
      cb.dataset.site = site.id;
      cb.checked = s.sites[site.id] !== false;
      const span = document.createElement("span");
      span.textContent = site.name;
      label.append(cb, span);
      box.append(label);
    }
    $("origin").textContent = new URL(chrome.runtime.getURL("")).origin;
    $("origin-note").textContent = S("opt.origin", { origin: $("origin").textContent });
    document.body.dataset.ready = "true";
  }

  async function save(e) {
    e.preventDefault();
    const btn = $("save");
    btn.disabled = true;
    try {
      const serviceUrl = $("serviceUrl").value.trim().replace(/\/+$/, "") || T.DEFAULT_SETTINGS.serviceUrl;
      const servicePattern = T.serviceOriginPattern(serviceUrl);
      if (servicePattern === undefined) {
        status(S("opt.bad_url"), "error");
        return;
      }
      const lines = $("customSites").value.split(/\n/).map((l) => l.trim()).filter(Boolean);
      const custom = [];
      const bad = [];
      for (const line of lines) {
        const p = T.parseSiteLine(line);
        if (p) { if (!custom.some((c) => c.host === p.host)) custom.push(p); } else if (!line.startsWith("#")) bad.push(line);
      }
      if (bad.length) { status(S("opt.bad_sites", { sites: bad.join(", ") }), "error"); return; }

      // Ask for every origin the settings need in one prompt, while the click still counts as a user gesture.
      const origins = [];
      if (servicePattern) origins.push(servicePattern);
      for (const c of custom) origins.push(...T.sitePatterns(c.host));
      let granted = true;
      if (origins.length) {
        try { granted = await chrome.permissions.request({ origins }); } catch (err) { granted = false; }
      }
      if (!granted) {
        status(S("opt.denied"), "error");
        return;
      }
      const sites = {};
      document.querySelectorAll("#builtin-sites input[data-site]").forEach((cb) => { sites[cb.dataset.site] = cb.checked; });
      await chrome.storage.sync.set({
        serviceUrl,
        apiKey: $("apiKey").value.trim(),
        minLevel: $("minLevel").value,
        lang: $("lang").value,
        privacyJobOnly: $("privacyJobOnly").checked,
        showQuiet: $("showQuiet").checked,
        sites,
        customSites: custom,
      });
      // Wait until the service worker has (re)registered the content script for the added sites.
      await chrome.runtime.sendMessage({ type: "settingsChanged" });
      lang = $("lang").value === "en" ? "en" : "id";
      applyStrings(lang);
      $("origin-note").textContent = S("opt.origin", { origin: $("origin").textContent });
      status(S("opt.saved"), "ok");
    } catch (err) {
      status(S("opt.save_failed", { why: String((err && err.message) || err) }), "error");
    } finally {
      btn.disabled = false;
    }
  }

  async function testConnection() {
    status(S("opt.testing"), "");
    const out = await chrome.runtime.sendMessage({ type: "testConnection" }).catch(() => null);
    const st = out && out.state;
    if (!st) { status(S("opt.test_failed"), "error"); return; }
    if (st.status === "ok") status(S("opt.connected", { model: out.model ? " · model " + out.model.version : "" }), "ok");
    else status(st.message || st.status, "error");
  }

  $("form").addEventListener("submit", save);
  $("test").addEventListener("click", testConnection);
  $("showKey").addEventListener("change", () => { $("apiKey").type = $("showKey").checked ? "text" : "password"; });
  load();
}
