/* Shared by the service worker (importScripts), the content script and the extension pages.
 * Plain script: defines globalThis.TPPO and nothing else. No network, no DOM access.
 * (Display words, levels and flag names live in shared/vocab.js, shared with the moderators' page.) */
(function (root) {
  "use strict";
  if (root.TPPO) return;

  const LEVELS = ["rendah", "sedang", "tinggi"];

  const DEFAULT_SETTINGS = Object.freeze({
    serviceUrl: "http://127.0.0.1:8000",
    apiKey: "",
    minLevel: "sedang",          // badge posts at this level or above
    privacyJobOnly: true,        // send only text that looks like a job advert
    lang: "id",                  // language of the reasons ("id" | "en")
    sites: {},                   // built-in site id -> false when switched off (missing = on)
    customSites: [],             // [{host, selector}] the user enabled (generic fallback + optional selector)
    showQuiet: true,             // small grey marks on posts without a badge (low, skipped, pending, failed)
  });

  // ---- job-advert heuristic (the privacy switch) --------------------------------------------------
  // Words that on their own say "this is a job offer".
  const STRONG = [
    "lowongan", "loker", "lowker", "dibutuhkan", "dicari", "butuh cepat", "hiring", "we are hiring",
    "vacancy", "vacancies", "rekrut", "rekrutmen", "perekrutan", "recruitment", "open recruitment", "oprec",
    "penempatan", "gaji", "salary", "upah", "lamaran", "melamar", "lamar", "kirim cv", "info kerja",
    "info loker", "info japri", "lowongan kerja", "karyawan", "karyawati", "tenaga kerja", "pekerja",
    "job", "jobs", "walk in interview", "interview", "wawancara", "penyalur", "agensi", "magang",
    "pmi", "tki", "tkw", "calon pekerja",
  ];
  // Words common in adverts but also elsewhere: they only count together with others.
  const WEAK = [
    "kerja", "bekerja", "pekerjaan", "japri", "inbox", "dm", "pm", "wa", "whatsapp", "telegram",
    "syarat", "persyaratan", "kualifikasi", "posisi", "pengalaman", "usia", "umur", "pendidikan",
    "lulusan", "sma", "smk", "berangkat", "keberangkatan", "visa", "paspor", "luar negeri", "kontrak",
    "bonus", "tunjangan", "shift", "part time", "full time", "freelance", "minat", "hubungi", "daftar",
    "pendaftaran", "jt", "juta", "perbulan", "per bulan", "umk", "ump", "bpjs", "mess", "asrama",
    "admin", "operator", "staff", "staf", "kasir", "sopir", "driver", "perusahaan", "pt",
  ];

  function esc(w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/ /g, "\\s+"); }
  function wordRegex(words) {
    return new RegExp("(?<![\\p{L}\\p{N}])(" + words.map(esc).join("|") + ")(?![\\p{L}\\p{N}])", "giu");
  }
  const STRONG_RE = wordRegex(STRONG);
  const WEAK_RE = wordRegex(WEAK);

  function distinct(re, text) {
    const found = new Set();
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) found.add(m[1].toLowerCase().replace(/\s+/g, " "));
    return found;
  }

  /** {job: bool, strong: [...], weak: [...]} -- is this text plausibly a job advert? */
  function jobAdvertSignals(text) {
    const t = String(text || "").normalize("NFKC").slice(0, 20000);
    const strong = distinct(STRONG_RE, t);
    const weak = distinct(WEAK_RE, t);
    const job = strong.size >= 2 || (strong.size >= 1 && weak.size >= 2);
    return { job, strong: [...strong], weak: [...weak] };
  }
  function looksLikeJobAdvert(text) { return jobAdvertSignals(text).job; }

  function levelRank(level) { return LEVELS.indexOf(level); }
  function atLeast(level, min) { return levelRank(level) >= 0 && levelRank(level) >= Math.max(0, levelRank(min)); }

  /** Settings as stored (chrome.storage.sync) merged over the defaults, with types checked. */
  function normalizeSettings(raw) {
    const s = Object.assign({}, DEFAULT_SETTINGS, raw || {});
    s.serviceUrl = String(s.serviceUrl || DEFAULT_SETTINGS.serviceUrl).trim().replace(/\/+$/, "");
    s.apiKey = String(s.apiKey || "").trim();
    if (!LEVELS.includes(s.minLevel)) s.minLevel = DEFAULT_SETTINGS.minLevel;
    s.privacyJobOnly = s.privacyJobOnly !== false;
    if (s.lang !== "en") s.lang = "id";
    s.showQuiet = s.showQuiet !== false;
    s.sites = (s.sites && typeof s.sites === "object") ? Object.assign({}, s.sites) : {};
    s.customSites = Array.isArray(s.customSites) ? s.customSites.filter((c) => c && c.host) : [];
    return s;
  }

  /** "example.com .post" / "https://example.com" / "127.0.0.1:8080" -> {host, selector} or null. */
  function parseSiteLine(line) {
    const raw = String(line || "").trim();
    if (!raw || raw.startsWith("#")) return null;
    const sp = raw.search(/\s/);
    let hostPart = sp < 0 ? raw : raw.slice(0, sp);
    const selector = sp < 0 ? "" : raw.slice(sp + 1).trim();
    hostPart = hostPart.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "").toLowerCase();
    if (hostPart.startsWith("*.")) hostPart = hostPart.slice(2);
    const host = hostPart.replace(/:\d+$/, "");
    if (!/^[a-z0-9.-]+$/.test(host) || host.startsWith(".") || host.endsWith(".")) return null;
    return { host, selector };
  }

  function isLoopbackHost(host) { return host === "127.0.0.1" || host === "localhost" || host === "[::1]"; }

  /** Match patterns for a custom site: loopback hosts over http (already granted), others over https. */
  function sitePatterns(host) {
    if (isLoopbackHost(host)) return ["http://" + host + "/*"];
    return ["https://" + host + "/*", "https://*." + host + "/*"];
  }

  /** The permission origin a service URL needs, or null when the manifest already grants it. */
  function serviceOriginPattern(url) {
    let u;
    try { u = new URL(url); } catch (_) { return undefined; }
    if (u.protocol === "http:" && isLoopbackHost(u.hostname)) return null;
    if (u.protocol !== "https:") return undefined; // plain http to a remote host is not allowed
    return "https://" + u.hostname + "/*";
  }

  function hostMatches(host, pattern) {
    host = String(host || "").toLowerCase();
    return host === pattern || host.endsWith("." + pattern);
  }

  root.TPPO = Object.freeze({
    LEVELS, DEFAULT_SETTINGS,
    jobAdvertSignals, looksLikeJobAdvert, levelRank, atLeast, normalizeSettings,
    parseSiteLine, sitePatterns, serviceOriginPattern, isLoopbackHost, hostMatches,
  });
})(typeof globalThis !== "undefined" ? globalThis : self);
