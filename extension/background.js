/* Service worker: the only part of the extension that talks to the scoring service.
 *
 * - content scripts send candidate posts here ({type: "scoreBatch"}); they are deduplicated by the
 *   SHA-256 of their text (cache + in-flight map), queued, and sent in batches to POST /v1/score/batch;
 * - the popup and the context menu score one text ({type: "scoreText"});
 * - "Periksa gambar lowongan ini" (context menu on an image) fetches that one image and sends it to
 *   POST /v1/score/image; images are sent only on that explicit click, never by the content scripts;
 * - every call carries X-API-Key when a key is set and never cookies (credentials: "omit");
 * - the outcome of the last call (ok / unreachable / key rejected / rate-limited / ...) is kept in
 *   chrome.storage.local "serviceState" for the popup, and shown as "!" on the toolbar icon.
 *
 * A fetch from here to a host in host_permissions (or an optional permission the user granted) is not
 * subject to CORS, so the service needs no CORS entry for the extension (see README.md).
 */
"use strict";
importScripts("lib/common.js");

const T = self.TPPO;
const BATCH_MAX_ITEMS = 32;          // per request (the service's default limit is 256)
const BATCH_MAX_CHARS = 120000;      // per request
const BATCH_DELAY_MS = 120;          // wait this long for more posts before sending a batch
const REQUEST_TIMEOUT_MS = 20000;
const CACHE_MAX = 500;
const CUSTOM_SCRIPT_ID = "tppo-custom-sites";
const MENU_ID = "tppo-check-selection";
const IMAGE_MENU_ID = "tppo-check-image";
const IMAGE_MAX_BYTES = 10 * 1024 * 1024;   // the service's default max_image_bytes
const IMAGE_TIMEOUT_MS = 60000;             // reading a poster takes 1-3 s of the service's CPU

// ----------------------------------------------------------------------------------------- settings

async function getSettings() {
  const raw = await chrome.storage.sync.get(null);
  return T.normalizeSettings(raw);
}

let sitesPromise = null;
function getSites() {
  if (!sitesPromise) {
    sitesPromise = fetch(chrome.runtime.getURL("sites.json"))
      .then((r) => r.json())
      .catch(() => ({ defaults: {}, sites: [] }));
  }
  return sitesPromise;
}

/** Which configuration applies to a page URL: a built-in site, a site the user enabled, or none. */
async function siteFor(url, settings) {
  let u;
  try { u = new URL(url); } catch (_) { return { host: "", enabled: false, kind: null }; }
  if (u.protocol !== "http:" && u.protocol !== "https:") return { host: u.hostname, enabled: false, kind: null };
  const host = u.hostname.toLowerCase();
  const conf = await getSites();
  const builtIn = (conf.sites || []).find((s) => (s.hosts || []).some((h) => T.hostMatches(host, h)));
  const custom = settings.customSites.find((c) => T.hostMatches(host, c.host));
  const defaults = conf.defaults || {};
  if (builtIn && settings.sites[builtIn.id] !== false) {
    return { host, enabled: true, kind: "builtin", id: builtIn.id, name: builtIn.name,
             posts: builtIn.posts || [], generic: builtIn.generic !== false || !!custom, defaults };
  }
  if (custom) {
    return { host, enabled: true, kind: "custom", id: "custom:" + custom.host, name: custom.host,
             posts: custom.selector ? [custom.selector] : [], generic: true, defaults };
  }
  return { host, enabled: false, kind: builtIn ? "builtin-off" : null, id: builtIn && builtIn.id,
           name: builtIn && builtIn.name, defaults };
}

// ------------------------------------------------------------------------------------ service state

let stateCache = null;

async function getState() {
  if (!stateCache) {
    const { serviceState } = await chrome.storage.local.get("serviceState");
    stateCache = serviceState || { status: "unknown", at: 0 };
  }
  return stateCache;
}

const STATE_MESSAGES = {
  ok: () => "Layanan tersambung.",
  unreachable: (s) => `Layanan tidak dapat dihubungi di ${s.serviceUrl}. Pastikan layanan berjalan ` +
    "(detector serve) dan URL di Pengaturan benar.",
  key_rejected: (s) => `Kunci API ditolak oleh layanan (HTTP ${s.httpStatus}). Periksa kunci API di Pengaturan.`,
  rate_limited: (s) => `Terlalu banyak permintaan: layanan membatasi (HTTP 429). Coba lagi dalam ${s.retryAfter} detik.`,
  model_unavailable: () => "Model di layanan belum siap (HTTP 503). Coba lagi sebentar lagi.",
  no_permission: (s) => `Ekstensi belum diizinkan menghubungi ${s.serviceUrl}. Buka Pengaturan lalu tekan Simpan ` +
    "untuk memberi izin.",
  bad_url: (s) => `URL layanan tidak valid: ${s.serviceUrl}. Gunakan https://… (atau http://127.0.0.1:PORT).`,
  http_error: (s) => `Layanan menjawab dengan galat (HTTP ${s.httpStatus}${s.code ? ", " + s.code : ""}).`,
};

async function setState(status, details = {}) {
  const prev = await getState();
  const next = Object.assign({ status, at: Date.now() }, details);
  next.message = (STATE_MESSAGES[status] || (() => ""))(next);
  stateCache = next;
  const changed = prev.status !== next.status || prev.message !== next.message;
  if (changed || Date.now() - (prev.at || 0) > 5000) {
    await chrome.storage.local.set({ serviceState: next });
  }
  if (changed) {
    const bad = status !== "ok" && status !== "unknown";
    try {
      await chrome.action.setBadgeText({ text: bad ? "!" : "" });
      if (bad) await chrome.action.setBadgeBackgroundColor({ color: status === "rate_limited" ? "#b26a00" : "#b3261e" });
      await chrome.action.setTitle({ title: bad ? "Periksa Lowongan TPPO — " + next.message : "Periksa Lowongan TPPO" });
    } catch (_) { /* no action UI (e.g. during shutdown) */ }
  }
  return next;
}

/** Seconds to wait after a 429/503, from Retry-After (seconds or an HTTP date). */
function retryAfterSeconds(resp) {
  const h = resp.headers.get("Retry-After");
  if (!h) return 30;
  const n = Number(h);
  if (Number.isFinite(n)) return Math.max(1, Math.ceil(n));
  const d = Date.parse(h);
  return Number.isFinite(d) ? Math.max(1, Math.ceil((d - Date.now()) / 1000)) : 30;
}

async function pausedFor() {
  const st = await getState();
  const { serviceUrl } = await getSettings();
  if ((st.status === "rate_limited" || st.status === "model_unavailable") && st.serviceUrl === serviceUrl &&
      st.until && st.until > Date.now()) {
    return Math.ceil((st.until - Date.now()) / 1000);
  }
  return 0;
}

// ------------------------------------------------------------------------------------------ the API

/** One call to the service. Resolves {ok: true, data} or {ok: false, error: {code, message, retryAfter?}}. */
async function callApi(path, body, settings) {
  const base = settings.serviceUrl;
  const need = T.serviceOriginPattern(base);
  if (need === undefined) {
    const st = await setState("bad_url", { serviceUrl: base });
    return { ok: false, error: { code: "bad_url", message: st.message } };
  }
  if (need && !(await chrome.permissions.contains({ origins: [need] }))) {
    const st = await setState("no_permission", { serviceUrl: base });
    return { ok: false, error: { code: "no_permission", message: st.message } };
  }
  const headers = { Accept: "application/json" };
  const form = typeof FormData !== "undefined" && body instanceof FormData;  // an image upload (multipart)
  if (body !== undefined && !form) headers["Content-Type"] = "application/json";
  if (settings.apiKey) headers["X-API-Key"] = settings.apiKey;
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), form ? IMAGE_TIMEOUT_MS : REQUEST_TIMEOUT_MS);
  let resp;
  try {
    resp = await fetch(base + path, {
      method: body === undefined ? "GET" : "POST",
      headers,
      body: body === undefined ? undefined : (form ? body : JSON.stringify(body)),
      credentials: "omit",
      cache: "no-store",
      redirect: "error",
      signal: ctrl.signal,
    });
  } catch (e) {
    const st = await setState("unreachable", { serviceUrl: base });
    return { ok: false, error: { code: "unreachable", message: st.message } };
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try { data = await resp.json(); } catch (_) { data = null; }
  const code = data && data.error && data.error.code;
  if (resp.ok) {
    await setState("ok", { serviceUrl: base, modelVersion: (data && data.model_version) || undefined });
    return { ok: true, data };
  }
  if (resp.status === 401 || resp.status === 403) {
    const st = await setState("key_rejected", { serviceUrl: base, httpStatus: resp.status, code });
    return { ok: false, error: { code: "key_rejected", message: st.message, httpStatus: resp.status } };
  }
  if (resp.status === 429 || resp.status === 503) {
    const wait = retryAfterSeconds(resp);
    const status = resp.status === 429 ? "rate_limited" : "model_unavailable";
    const st = await setState(status, { serviceUrl: base, httpStatus: resp.status, code, retryAfter: wait,
                                        until: Date.now() + wait * 1000 });
    return { ok: false, error: { code: status, message: st.message, retryAfter: wait } };
  }
  // 413/422/5xx: the request itself was refused; the service is up.
  const message = (data && data.error && data.error.message) || `HTTP ${resp.status}`;
  await setState("http_error", { serviceUrl: base, httpStatus: resp.status, code });
  return { ok: false, error: { code: code || "http_error", message, httpStatus: resp.status } };
}

/** The fields the UI needs from the core's record (docs/CORE_API.md). */
function compact(r) {
  const ev = (list) => (list || []).map((e) => ({ flag: e.flag, text: e.text, reason: e.reason || e.reason_id || "" }));
  return {
    level: r.risk_level,
    score: r.risk_score,
    label: r.label,
    flags: r.flags || [],
    evidence: ev(r.evidence),
    counter: ev(r.counter_evidence),
    summary: r.summary || "",
    modelVersion: r.model_version,
  };
}

// ------------------------------------------------------------------------ dedupe, cache and batching

const cache = new Map();      // text hash -> compact result (insertion order = LRU order)
const inflight = new Map();   // text hash -> Promise of {result} | {error}
let queue = [];               // [{hash, text, resolve}]
let flushTimer = null;
let flushing = false;

async function sha256(text) {
  const buf = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function cachePut(hash, result) {
  cache.delete(hash);
  cache.set(hash, result);
  while (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value);
  persistCache();
}

// The worker is stopped when idle; the cache survives that in storage.session (memory only, cleared when
// the browser closes, never readable by content scripts).
// The cache holds results of one service, key and language (its "fingerprint", a hash); other settings
// start a new one, whatever order the storage events arrive in.
let cacheLoaded = null;
let cacheFp = null;
let persistTimer = null;

function loadCache() {
  if (!cacheLoaded) {
    cacheLoaded = chrome.storage.session.get("resultCache").then(({ resultCache }) => {
      if (!resultCache || !Array.isArray(resultCache.entries)) return;
      cacheFp = resultCache.fp;
      for (const [h, r] of resultCache.entries) if (!cache.has(h)) cache.set(h, r);
    }).catch(() => {});
  }
  return cacheLoaded;
}

function persistCache() {
  if (persistTimer) return;
  persistTimer = setTimeout(() => {
    persistTimer = null;
    const entries = [...cache.entries()].slice(-CACHE_MAX);
    chrome.storage.session.set({ resultCache: { fp: cacheFp, entries } }).catch(() => {});
  }, 1000);
}

function clearCache() {
  cache.clear();
  clearTimeout(persistTimer);
  persistTimer = null;
  chrome.storage.session.remove("resultCache").catch(() => {});
}

async function useCacheFor(settings) {
  await loadCache();
  const fp = await sha256([settings.serviceUrl, settings.apiKey, settings.lang].join("\n"));
  if (cacheFp !== fp) {
    clearCache();
    cacheFp = fp;
  }
}

/** Score one text, sharing the cache, the in-flight requests and the batches with everyone else. */
async function scoreOne(text) {
  await useCacheFor(await getSettings());
  const hash = await sha256(text);
  if (cache.has(hash)) {
    const r = cache.get(hash);
    cachePut(hash, r);
    return { result: r, hash, cached: true };
  }
  if (inflight.has(hash)) return inflight.get(hash);
  const p = new Promise((resolve) => {
    queue.push({ hash, text, resolve });
    scheduleFlush();
  }).then((out) => {
    inflight.delete(hash);
    if (out.result) cachePut(hash, out.result);
    return Object.assign({ hash }, out);
  });
  inflight.set(hash, p);
  return p;
}

function scheduleFlush() {
  if (flushing) return;
  if (queue.length >= BATCH_MAX_ITEMS) {
    clearTimeout(flushTimer);
    flushTimer = null;
    flush();
  } else if (!flushTimer) {
    flushTimer = setTimeout(() => { flushTimer = null; flush(); }, BATCH_DELAY_MS);
  }
}

async function flush() {
  if (flushing) return;
  flushing = true;
  try {
    while (queue.length) {
      const chunk = [];
      let chars = 0;
      while (queue.length && chunk.length < BATCH_MAX_ITEMS &&
             (chunk.length === 0 || chars + queue[0].text.length <= BATCH_MAX_CHARS)) {
        const item = queue.shift();
        chars += item.text.length;
        chunk.push(item);
      }
      await sendChunk(chunk);
    }
  } finally {
    flushing = false;
  }
}

async function sendChunk(chunk) {
  const wait = await pausedFor();
  if (wait > 0) {
    const st = await getState();
    for (const it of chunk) it.resolve({ error: { code: st.status, message: st.message, retryAfter: wait } });
    return;
  }
  const settings = await getSettings();
  const body = {
    items: chunk.map((it) => ({ id: it.hash.slice(0, 16), text: it.text })),
    explain: true,
    lang: settings.lang,
  };
  let out;
  try {
    out = await callApi("/v1/score/batch", body, settings);
  } catch (e) {
    out = { ok: false, error: { code: "internal", message: String(e && e.message || e) } };
  }
  if (!out.ok) {
    for (const it of chunk) it.resolve({ error: out.error });
    return;
  }
  const byIndex = new Map(((out.data && out.data.results) || []).map((r) => [r.index, r]));
  chunk.forEach((it, i) => {
    const r = byIndex.get(i);
    if (r && r.ok && r.result) it.resolve({ result: compact(r.result) });
    else it.resolve({ error: Object.assign({ code: "item_error", final: true }, (r && r.error) || {}) });
  });
}

// ------------------------------------------------------------------------------------- page scoring

async function handleScoreBatch(msg, sender) {
  const settings = await getSettings();
  const site = await siteFor((sender.tab && sender.tab.url) || sender.url || "", settings);
  const items = Array.isArray(msg.items) ? msg.items.slice(0, 200) : [];
  if (!site.enabled) {
    return { results: items.map(() => ({ error: { code: "site_disabled", final: true } })) };
  }
  const results = await Promise.all(items.map(async (it) => {
    const text = typeof it.text === "string" ? it.text : "";
    if (!text.trim()) return { error: { code: "empty_text", final: true } };
    // Second guard for the privacy switch: whatever a page's script did to the content script's
    // view, non-advert text never leaves the browser while the switch is on.
    if (settings.privacyJobOnly && !T.looksLikeJobAdvert(text)) return { error: { code: "not_job_advert", final: true } };
    const out = await scoreOne(text);
    return out.result ? { result: out.result } : { error: out.error };
  }));
  const state = await getState();
  return { results, state: { status: state.status, message: state.message } };
}

async function handleScoreText(text) {
  text = String(text || "").trim();
  if (!text) return { error: { code: "empty_text", message: "Teks kosong." } };
  if (text.length > 20000) return { error: { code: "text_too_long", message: "Teks terlalu panjang (maks. 20.000 karakter)." } };
  const wait = await pausedFor();
  if (wait > 0) {
    const st = await getState();
    return { error: { code: st.status, message: st.message, retryAfter: wait }, state: st };
  }
  const out = await scoreOne(text);
  return { result: out.result, error: out.error, cached: !!out.cached, state: await getState() };
}

/** "Periksa gambar lowongan ini": fetch the one image the user clicked, send it to the service. */
async function handleScoreImage(srcUrl) {
  const url = String(srcUrl || "");
  if (!/^(https?:|data:image\/)/i.test(url)) {
    return { error: { code: "unsupported_image", message: "Gambar ini tidak dapat diambil (bukan alamat http/https)." } };
  }
  let blob;
  try {
    const resp = await fetch(url, { credentials: "omit", cache: "force-cache", redirect: "follow" });
    if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
    blob = await resp.blob();
  } catch (e) {
    return { error: { code: "image_unreachable",
                      message: "Gambar tidak dapat diambil dari halaman ini. Simpan gambarnya, lalu periksa di halaman moderator." } };
  }
  if (blob.size > IMAGE_MAX_BYTES) {
    return { error: { code: "image_too_large", message: "Gambar terlalu besar (maks. 10 MB)." } };
  }
  const settings = await getSettings();
  const form = new FormData();
  form.append("image", blob, "gambar");
  const out = await callApi("/v1/score/image", form, settings);
  if (!out.ok) return { error: out.error, state: await getState() };
  return { result: compact(out.data), readText: (out.data.ocr && out.data.ocr.text) || "", state: await getState() };
}

async function testConnection() {
  const settings = await getSettings();
  const ready = await callApi("/readyz", undefined, settings);
  if (!ready.ok) return { state: await getState() };
  const model = await callApi("/v1/model", undefined, settings);   // needs the key when keys are set
  return { state: await getState(), model: model.ok ? { version: model.data.version } : null };
}

// ---------------------------------------------------------------- sites the user enabled (dynamic)

let syncChain = Promise.resolve();

function syncContentScripts() {
  syncChain = syncChain.then(doSync, doSync);
  return syncChain;
}

async function doSync() {
  const settings = await getSettings();
  const matches = [];
  for (const c of settings.customSites) {
    for (const p of T.sitePatterns(c.host)) {
      try {
        if (await chrome.permissions.contains({ origins: [p] })) matches.push(p);
      } catch (_) { /* invalid pattern */ }
    }
  }
  try { await chrome.scripting.unregisterContentScripts({ ids: [CUSTOM_SCRIPT_ID] }); } catch (_) { /* none yet */ }
  if (matches.length) {
    await chrome.scripting.registerContentScripts([{
      id: CUSTOM_SCRIPT_ID, matches, js: ["lib/common.js", "content.js"],
      runAt: "document_idle", allFrames: false, persistAcrossSessions: true,
    }]);
  }
  return { registered: matches };
}

async function addCustomSite(host, tabId) {
  const parsed = T.parseSiteLine(host);
  if (!parsed) return { ok: false, message: "Nama situs tidak valid." };
  const settings = await getSettings();
  if (!settings.customSites.some((c) => c.host === parsed.host)) {
    settings.customSites.push(parsed);
    await chrome.storage.sync.set({ customSites: settings.customSites });
  }
  const res = await syncContentScripts();
  if (tabId) {
    try {
      await chrome.scripting.executeScript({ target: { tabId }, files: ["lib/common.js", "content.js"] });
    } catch (_) { /* the page reloads into it next time */ }
  }
  return { ok: true, registered: res.registered };
}

// --------------------------------------------------------------------------------- context menu

function createMenu() {
  chrome.contextMenus.removeAll(() => {
    chrome.contextMenus.create({ id: MENU_ID, title: "Periksa lowongan ini", contexts: ["selection"] });
    chrome.contextMenus.create({ id: IMAGE_MENU_ID, title: "Periksa gambar lowongan ini", contexts: ["image"] });
  });
}

/** Injected into the page (activeTab) to show the result of "Periksa lowongan ini". Self-contained. */
function showResultPanel(view) {
  try {
    const old = document.getElementById("tppo-check-panel");
    if (old) old.remove();
    const host = document.createElement("div");
    host.id = "tppo-check-panel";
    const shadow = host.attachShadow({ mode: "open" });
    const colors = { rendah: "#1b6e3a", sedang: "#8a5300", tinggi: "#b3261e" };
    const style = document.createElement("style");
    style.textContent = `:host{all:initial}
      .p{position:fixed;top:16px;right:16px;z-index:2147483647;max-width:380px;max-height:70vh;overflow:auto;
         background:#fff;color:#1d1b20;border:1px solid #c9c5ca;border-radius:10px;padding:12px 14px;
         box-shadow:0 6px 24px rgba(0,0,0,.25);font:14px/1.45 system-ui,sans-serif}
      h2{font-size:15px;margin:0 0 6px}
      .lvl{display:inline-block;color:#fff;border-radius:999px;padding:2px 10px;font-weight:600}
      ul{padding-left:18px;margin:6px 0} li{margin:3px 0} q{font-weight:600}
      .r{color:#49454f;font-size:12.5px} button{float:right;border:0;background:none;font-size:18px;cursor:pointer}`;
    const box = document.createElement("div");
    box.className = "p";
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-label", "Hasil pemeriksaan lowongan");
    const close = document.createElement("button");
    close.textContent = "×";
    close.setAttribute("aria-label", "Tutup");
    close.addEventListener("click", () => host.remove());
    box.appendChild(close);
    const h = document.createElement("h2");
    h.textContent = view.title || "Periksa lowongan ini";
    box.appendChild(h);
    if (view.error) {
      const p = document.createElement("p");
      p.textContent = view.error;
      box.appendChild(p);
    } else {
      const lvl = document.createElement("span");
      lvl.className = "lvl";
      lvl.style.background = colors[view.level] || "#555";
      lvl.textContent = view.levelText + " (" + view.percent + "%)";
      box.appendChild(lvl);
      for (const [title, items] of [["Tanda bahaya", view.flags], ["Tanda lowongan resmi", view.counter]]) {
        if (!items.length) continue;
        const t = document.createElement("div");
        t.textContent = title + ":";
        t.style.marginTop = "8px";
        box.appendChild(t);
        const ul = document.createElement("ul");
        for (const f of items) {
          const li = document.createElement("li");
          li.append(f.label + " ");
          for (const w of f.words) { const q = document.createElement("q"); q.textContent = w; li.append(q, " "); }
          if (f.reason) { const r = document.createElement("div"); r.className = "r"; r.textContent = f.reason; li.append(r); }
          ul.appendChild(li);
        }
        box.appendChild(ul);
      }
      if (!view.flags.length) {
        const p = document.createElement("p");
        p.textContent = "Tidak ada tanda bahaya yang dikenali.";
        box.appendChild(p);
      }
      if (view.readText) {
        const p = document.createElement("p");
        p.className = "r";
        p.textContent = "Teks terbaca: " + view.readText.slice(0, 400) + (view.readText.length > 400 ? "…" : "");
        box.appendChild(p);
      }
    }
    shadow.append(style, box);
    (document.body || document.documentElement).appendChild(host);
    close.focus();
    setTimeout(() => { if (host.isConnected) host.remove(); }, 60000);
  } catch (_) { /* never break the page */ }
}

function groupByFlag(flags, evidence) {
  return flags.map((flag) => {
    const ev = evidence.filter((e) => e.flag === flag);
    return { flag, label: T.flagLabel(flag) + " (" + flag + ")", words: [...new Set(ev.map((e) => e.text))],
             reason: (ev[0] && ev[0].reason) || "" };
  });
}

function viewOf(out) {
  if (!out.result) return { error: (out.error && out.error.message) || "Gagal memeriksa." };
  const r = out.result;
  const counterFlags = [...new Set(r.counter.map((e) => e.flag))];
  return { level: r.level, levelText: T.LEVEL_TEXT[r.level] || r.level, percent: Math.round(r.score * 100),
           flags: groupByFlag(r.flags, r.evidence), counter: groupByFlag(counterFlags, r.counter) };
}

async function onMenuClick(info, tab) {
  if (info.menuItemId !== MENU_ID && info.menuItemId !== IMAGE_MENU_ID) return;
  const image = info.menuItemId === IMAGE_MENU_ID;
  const out = image ? await handleScoreImage(info.srcUrl) : await handleScoreText(info.selectionText);
  const text = image ? (out.readText || "") : String(info.selectionText || "").trim();
  await chrome.storage.session.set({ lastCheck: { text: text.slice(0, 20000), out, at: Date.now() } });
  const view = Object.assign(viewOf(out), image ? { title: "Periksa gambar lowongan ini", readText: out.readText } : {});
  let shown = false;
  if (tab && tab.id !== undefined && tab.id >= 0) {
    try {
      await chrome.scripting.executeScript({ target: { tabId: tab.id, frameIds: [info.frameId || 0] },
                                             func: showResultPanel, args: [view] });
      shown = true;
    } catch (_) { /* e.g. a chrome:// page or a PDF */ }
  }
  if (!shown) {
    try { await chrome.action.openPopup(); } catch (_) { /* the popup shows lastCheck when opened */ }
  }
}

// ------------------------------------------------------------------------------------ wiring

chrome.runtime.onInstalled.addListener(() => { createMenu(); syncContentScripts(); });
chrome.runtime.onStartup.addListener(() => { syncContentScripts(); });
chrome.contextMenus.onClicked.addListener((info, tab) => { onMenuClick(info, tab).catch(() => {}); });
chrome.permissions.onAdded.addListener(() => { syncContentScripts(); });
chrome.permissions.onRemoved.addListener(() => { syncContentScripts(); });

chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== "sync") return;
  if (changes.serviceUrl || changes.apiKey || changes.lang) {
    stateCache = { status: "unknown", at: 0 };
    chrome.storage.local.set({ serviceState: stateCache });
    chrome.action.setBadgeText({ text: "" }).catch(() => {});
  }
  if (changes.customSites) syncContentScripts();
});

const HANDLERS = {
  async config(msg, sender) {
    const settings = await getSettings();
    const site = await siteFor((sender.tab && sender.tab.url) || msg.url || "", settings);
    return { site, minLevel: settings.minLevel, privacyJobOnly: settings.privacyJobOnly };
  },
  scoreBatch: handleScoreBatch,
  async scoreText(msg) { return handleScoreText(msg.text); },
  async status() {
    const settings = await getSettings();
    return { state: await getState(), pausedFor: await pausedFor(), serviceUrl: settings.serviceUrl };
  },
  testConnection,
  async settingsChanged() { return syncContentScripts(); },
  async siteStatus(msg) {
    const settings = await getSettings();
    const site = await siteFor(msg.url || "", settings);
    return { site };
  },
  async addCustomSite(msg) { return addCustomSite(msg.host, msg.tabId); },
  async lastCheck() {
    const { lastCheck } = await chrome.storage.session.get("lastCheck");
    return { lastCheck: lastCheck || null };
  },
  // Test hook (extension pages only): what a click on "Periksa lowongan ini" does, for a given tab.
  // Headless Chromium cannot open a context menu, so tests/extension drives this instead.
  async simulateMenuClick(msg) {
    await onMenuClick({ menuItemId: MENU_ID, selectionText: msg.text, frameId: 0 }, { id: msg.tabId });
    return { ok: true };
  },
  // The same for "Periksa gambar lowongan ini" on the image at msg.srcUrl.
  async simulateImageMenuClick(msg) {
    await onMenuClick({ menuItemId: IMAGE_MENU_ID, srcUrl: msg.srcUrl, frameId: 0 }, { id: msg.tabId });
    return { ok: true };
  },
};

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id || !msg || !HANDLERS[msg.type]) return false;
  // Pages (tabs) may only ask for their config and score their posts.
  if (sender.tab && !String(sender.url || "").startsWith(chrome.runtime.getURL("")) &&
      !["config", "scoreBatch"].includes(msg.type)) return false;
  HANDLERS[msg.type](msg, sender)
    .then(sendResponse)
    .catch((e) => sendResponse({ error: { code: "internal", message: String((e && e.message) || e) } }));
  return true;
});
