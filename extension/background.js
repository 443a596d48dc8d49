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
 * - results carry their display words (badge text, score as "<1%", flag names) from shared/vocab.js,
 *   the vocabulary the moderators' page uses too, in the language of the settings;
 * - "Tandai salah" in a badge's popover sends a correction to POST /v1/feedback with the text's
 *   SHA-256 only, never the text.
 *
 * A fetch from here to a host in host_permissions (or an optional permission the user granted) is not
 * subject to CORS, so the service needs no CORS entry for the extension (see README.md).
 */
import "./lib/common.js";
import { FLAG_NAMES, LABELS, recordView } from "./shared/vocab.js";
import { STRINGS, tr } from "./strings.js";
import { showResultPanel, viewOf } from "./panel.js";

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

async function setState(status, details = {}) {
  const prev = await getState();
  const next = Object.assign({ status, at: Date.now() }, details);
  const { lang } = await getSettings();
  next.message = STRINGS.id["msg." + status] ? tr(lang, "msg." + status, next) : "";
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
      const name = tr(lang, "app.name");
      await chrome.action.setTitle({ title: bad ? name + " — " + next.message : name });
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

/** The fields the UI needs from the core's record (docs/CORE_API.md), with the display words every view
 *  shares with the moderators' page (shared/vocab.js recordView: badge, score text, kind, flag groups). */
function compact(r, lang, indicators) {
  const view = recordView(r, lang, indicators);
  return {
    level: r.risk_level,
    score: r.risk_score,
    label: r.label,
    flags: r.flags || [],
    summary: r.summary || "",
    modelVersion: r.model_version,
    tone: view.tone,                        // rendah|sedang|tinggi, "fraud", or "info" (report/warning/other)
    kind: view.kind,
    badgeText: view.badgeText,
    levelText: view.levelText,
    kindText: view.kindText,
    scoreText: view.scoreText,
    act: view.act,
    groups: view.flags,                     // [{flag, label, words, reason}]
    counterGroups: view.counter,
    // the level a badge counts as against the minimum: job fraud at least "sedang", a report/warning as "rendah"
    rank: view.tone === "fraud" ? 1 : view.tone === "info" ? 0 : T.levelRank(view.level),
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
  // "display-3": results carry display words (issue 16); older cached results are dropped
  const fp = await sha256(["display-3", settings.serviceUrl, settings.apiKey, settings.lang].join("\n"));
  if (cacheFp !== fp) {
    clearCache();
    cacheFp = fp;
  }
}

// ------------------------------------------------------------- names of flags the vocabulary lacks

// Flag names come from shared/vocab.js. A flag it does not know (a newer service) is named from the
// service's GET /v1/indicators (its label or description), fetched once per service and key and kept
// for the browser session; a failed fetch is not retried (the flag's code name is shown instead).
let indicatorCache = null;   // {fp, map}

function hasUnknownFlag(r) {
  const flags = [...(r.flags || []), ...(r.evidence || []).map((e) => e.flag),
                 ...(r.counter_evidence || []).map((e) => e.flag)];
  return flags.some((f) => f && !FLAG_NAMES.includes(f));
}

async function indicatorsFor(settings) {
  const fp = settings.serviceUrl + "\n" + settings.apiKey;
  if (!indicatorCache) {
    const { indicatorMap } = await chrome.storage.session.get("indicatorMap").catch(() => ({}));
    indicatorCache = indicatorMap || null;
  }
  if (indicatorCache && indicatorCache.fp === fp) return indicatorCache.map;
  const out = await callApi("/v1/indicators", undefined, settings);
  const map = {};
  for (const ind of (out.ok && out.data && out.data.indicators) || []) {
    if (ind && ind.name) map[ind.name] = { label: ind.label, description: ind.description, reason: ind.reason };
  }
  indicatorCache = { fp, map };
  chrome.storage.session.set({ indicatorMap: indicatorCache }).catch(() => {});
  return map;
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
  const inds = [...byIndex.values()].some((r) => r && r.ok && r.result && hasUnknownFlag(r.result))
    ? await indicatorsFor(settings) : undefined;
  chunk.forEach((it, i) => {
    const r = byIndex.get(i);
    if (r && r.ok && r.result) it.resolve({ result: compact(r.result, settings.lang, inds) });
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
  const { lang } = await getSettings();
  if (!text) return { error: { code: "empty_text", message: tr(lang, "popup.empty") } };
  if (text.length > 20000) return { error: { code: "text_too_long", message: "> 20.000" } };
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
  const settings = await getSettings();
  const lang = settings.lang;
  if (!/^(https?:|data:image\/)/i.test(url)) {
    return { error: { code: "unsupported_image", message: tr(lang, "image.unsupported") } };
  }
  const wait = await pausedFor();
  if (wait > 0) {
    const st = await getState();
    return { error: { code: st.status, message: st.message, retryAfter: wait }, state: st };
  }
  let blob;
  try {
    const resp = await fetch(url, { credentials: "omit", cache: "force-cache", redirect: "follow" });
    if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
    blob = await resp.blob();
  } catch (e) {
    return { error: { code: "image_unreachable", message: tr(lang, "image.unreachable") } };
  }
  if (blob.size > IMAGE_MAX_BYTES) {
    return { error: { code: "image_too_large", message: tr(lang, "image.too_large", { mb: IMAGE_MAX_BYTES / 1048576 }) } };
  }
  const form = new FormData();
  form.append("image", blob, "gambar");
  const out = await callApi("/v1/score/image", form, settings);
  if (!out.ok) return { error: out.error, state: await getState() };
  const inds = hasUnknownFlag(out.data) ? await indicatorsFor(settings) : undefined;
  return { result: compact(out.data, lang, inds), readText: (out.data.ocr && out.data.ocr.text) || "",
           state: await getState() };
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

async function createMenu() {
  const { lang } = await getSettings();
  chrome.contextMenus.removeAll(() => {
    chrome.contextMenus.create({ id: MENU_ID, title: tr(lang, "menu.check"), contexts: ["selection"] });
    chrome.contextMenus.create({ id: IMAGE_MENU_ID, title: tr(lang, "menu.check_image"), contexts: ["image"] });
  });
}

// ----------------------------------------------------------------------------- "Tandai salah"

/** What the moderator says is right -> the feedback record's correct label and reason. */
const CORRECTIONS = {
  low: { correct_label: "low", reason: "legit_job" },
  other_scam: { correct_label: "other_scam", reason: "scam_not_trafficking" },
  high: { correct_label: "high", reason: "trafficking" },
  not_job: { correct_label: "low", reason: "not_job_ad" },
};

/** Send a correction for a text this browser scored: only its SHA-256 leaves the browser. */
async function handleFeedback(msg) {
  const fix = CORRECTIONS[msg.choice];
  if (!fix) return { error: { code: "bad_choice" } };
  const settings = await getSettings();
  await useCacheFor(settings);
  const hash = await sha256(String(msg.text || ""));
  const r = cache.get(hash);
  if (!r || !LABELS.includes(r.label)) return { error: { code: "unknown_post", message: "?" } };
  if (fix.correct_label === r.label && fix.reason !== "not_job_ad") return { error: { code: "same_label", message: "=" } };
  const body = { model_version: r.modelVersion || "unknown", text_sha256: hash, store_text: false,
                 predicted_label: r.label, correct_label: fix.correct_label, reason: fix.reason, note: "extension" };
  if (Number.isFinite(r.score)) body.predicted_score = r.score;
  const out = await callApi("/v1/feedback", body, settings);
  return out.ok ? { ok: true } : { error: out.error };
}

async function onMenuClick(info, tab) {
  if (info.menuItemId !== MENU_ID && info.menuItemId !== IMAGE_MENU_ID) return;
  const image = info.menuItemId === IMAGE_MENU_ID;
  const out = image ? await handleScoreImage(info.srcUrl) : await handleScoreText(info.selectionText);
  const text = image ? (out.readText || "") : String(info.selectionText || "").trim();
  await chrome.storage.session.set({ lastCheck: { text: text.slice(0, 20000), out, at: Date.now() } });
  const view = viewOf(out, (await getSettings()).lang, image);
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
  if (changes.lang) createMenu().catch(() => {});
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
    const strings = {};
    for (const k of Object.keys(STRINGS.id)) {
      if (/^(mark|fb|result|state)\./.test(k)) strings[k] = tr(settings.lang, k);
    }
    return { site, minLevel: settings.minLevel, privacyJobOnly: settings.privacyJobOnly, showQuiet: settings.showQuiet,
             lang: settings.lang, strings };
  },
  scoreBatch: handleScoreBatch,
  feedback: handleFeedback,
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
      !["config", "scoreBatch", "feedback"].includes(msg.type)) return false;
  HANDLERS[msg.type](msg, sender)
    .then(sendResponse)
    .catch((e) => sendResponse({ error: { code: "internal", message: String((e && e.message) || e) } }));
  return true;
});
