/* Content script: finds candidate posts, sends their text (only the job-advert-like ones while the privacy
 * switch is on) to the service worker in batches, and marks each scored post with a badge whose popover
 * lists the red flags and the words that matched. Posts added later (infinite scroll) are picked up by a
 * MutationObserver; an element is never sent twice (WeakSet + data-tppo-state attribute).
 *
 * Needs lib/common.js (globalThis.TPPO) loaded before it. Never throws into the page; all styles live in
 * shadow roots. */
(() => {
  "use strict";
  if (globalThis.__tppoContentLoaded) return;
  globalThis.__tppoContentLoaded = true;
  const T = globalThis.TPPO;
  if (!T || typeof chrome === "undefined" || !chrome.runtime || !chrome.runtime.id) return;

  const STATE = "data-tppo-state";          // pending | scored | skipped | error (on the post element)
  const BADGE = "data-tppo-badge";          // on our badge host: the level shown
  const SEND_MAX = 25;                      // posts per message to the service worker
  const SCAN_DELAY_MS = 250;
  const RETRY_BACKOFF_S = [10, 60, 300];

  // Generic fallback: blocks that carry text of their own, climbed up to the post that holds them.
  const BLOCK_SEL = "p, div, li, article, section, blockquote, td, dd, [role=\"article\"]";
  const EXCLUDE_SEL = "script, style, noscript, template, nav, header, footer, form, button, select, textarea, " +
    "input, code, pre, [contenteditable=\"\"], [contenteditable=\"true\"], [aria-hidden=\"true\"], [hidden], [" + BADGE + "]";
  const INLINE = new Set(["A", "ABBR", "B", "BDI", "BDO", "BR", "CITE", "DATA", "DFN", "EM", "FONT", "I", "IMG",
    "KBD", "LABEL", "MARK", "Q", "S", "SAMP", "SMALL", "SPAN", "STRONG", "SUB", "SUP", "TIME", "U", "VAR", "WBR"]);
  const FLOW_CHILD = new Set(["P", "UL", "OL", "BLOCKQUOTE", "H1", "H2", "H3", "H4", "H5", "H6", "HR", "FIGURE"]);
  const MIN_OWN_TEXT = 30;

  let cfg = null;
  let dead = false;
  let observer = null;
  const seen = new WeakSet();
  const results = new WeakMap();            // post element -> compact result
  const outbox = new Map();                 // post element -> text waiting to be sent
  const failed = new Map();                 // post element -> {text, attempts, code}
  const pendingRoots = new Set();
  let scanTimer = null;
  let sendTimer = null;
  let retryTimer = null;
  let sending = false;

  function shutdown() {
    dead = true;
    try { if (observer) observer.disconnect(); } catch (_) { /* ignore */ }
  }

  async function send(msg) {
    if (dead) return null;
    try {
      return await chrome.runtime.sendMessage(msg);
    } catch (e) {
      // The extension was reloaded or removed: stop quietly, leave the page alone.
      if (/context invalidated|Receiving end/i.test(String(e && e.message))) shutdown();
      return null;
    }
  }

  function safe(fn) {
    return function (...args) {
      try { return fn.apply(this, args); } catch (_) { return undefined; }
    };
  }

  // ------------------------------------------------------------------------------ candidate detection

  function ownTextLength(el) {
    let n = 0;
    for (const c of el.childNodes) {
      if (c.nodeType === 3) n += c.data.trim().length;
      else if (c.nodeType === 1 && INLINE.has(c.tagName)) n += (c.textContent || "").trim().length;
    }
    return n;
  }

  function isFlowContainer(el) {
    for (const c of el.children) {
      if (!FLOW_CHILD.has(c.tagName) && !INLINE.has(c.tagName)) return false;
    }
    return true;
  }

  function maxChars() { return (cfg.site.defaults && cfg.site.defaults.maxChars) || 5000; }
  function minChars() { return (cfg.site.defaults && cfg.site.defaults.minChars) || 60; }

  /** From a block with text of its own up to the element that holds the whole post. */
  function climbToUnit(el) {
    const limit = maxChars() * 1.5;
    const art = el.closest("article, [role=\"article\"]");
    if (art && (art.textContent || "").length <= limit) return art;
    let unit = el;
    for (;;) {
      const p = unit.parentElement;
      if (!p || p === document.body || p === document.documentElement) break;
      if (!isFlowContainer(p) || (p.textContent || "").length > limit) break;
      unit = p;
    }
    return unit;
  }

  function collect(root) {
    const found = [];
    let el = root.nodeType === 1 ? root : root.parentElement;
    if (!el || !el.isConnected) return found;
    for (const sel of cfg.site.posts || []) {
      try {
        const up = el.closest(sel);
        if (up) found.push(up);
        el.querySelectorAll(sel).forEach((e) => found.push(e));
      } catch (_) { /* a bad selector in the config */ }
    }
    if (cfg.site.generic) {
      const start = el.closest(BLOCK_SEL) || el;
      const blocks = [start, ...start.querySelectorAll(BLOCK_SEL)];
      for (const b of blocks) {
        if (!b.matches(BLOCK_SEL) || ownTextLength(b) < MIN_OWN_TEXT || b.closest(EXCLUDE_SEL)) continue;
        found.push(climbToUnit(b));
      }
    }
    return found;
  }

  function documentOrder(a, b) {
    if (a === b) return 0;
    return a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
  }

  /** Drop what was already handled, what holds or sits inside a handled post, and nested duplicates. */
  function accept(list) {
    const uniq = [...new Set(list)].filter((e) => e.isConnected && !seen.has(e));
    uniq.sort(documentOrder);
    const out = [];
    let last = null;
    for (const e of uniq) {
      if (last && last.contains(e)) continue;
      if (e.closest("[" + STATE + "]") || e.querySelector("[" + STATE + "]")) continue;
      if (e.closest(EXCLUDE_SEL)) continue;
      out.push(e);
      last = e;
    }
    return out;
  }

  function textOf(el) {
    const raw = el.innerText || el.textContent || "";
    return raw.replace(/[ \t\u00a0]+/g, " ").replace(/\n\s*\n\s*\n+/g, "\n\n").trim();
  }

  function linkHeavy(el, textLen) {
    let links = 0;
    el.querySelectorAll("a").forEach((a) => { links += (a.textContent || "").trim().length; });
    return textLen > 0 && links / textLen > 0.6;
  }

  const scan = safe(function scan(root) {
    if (dead || !cfg) return;
    for (const el of accept(collect(root))) {
      if (el.getClientRects().length === 0) continue;           // not rendered: maybe later
      let text = textOf(el);
      if (text.length < minChars()) continue;                    // may still be filling in
      if (linkHeavy(el, text.length)) { mark(el, "skipped"); continue; }
      if (text.length > maxChars()) text = text.slice(0, maxChars());
      if (cfg.privacyJobOnly && !T.looksLikeJobAdvert(text)) { mark(el, "skipped"); continue; }
      mark(el, "pending");
      outbox.set(el, text);
    }
    scheduleSend();
  });

  function mark(el, state) {
    seen.add(el);
    try { el.setAttribute(STATE, state); } catch (_) { /* ignore */ }
  }

  // ------------------------------------------------------------------------------------ sending

  function scheduleSend(delay = 60) {
    if (sendTimer || !outbox.size) return;
    sendTimer = setTimeout(() => { sendTimer = null; flush(); }, delay);
  }

  async function flush() {
    if (sending || dead) return;
    sending = true;
    try {
      while (outbox.size && !dead) {
        const batch = [...outbox.entries()].slice(0, SEND_MAX);
        batch.forEach(([el]) => outbox.delete(el));
        const live = batch.filter(([el]) => el.isConnected);
        if (!live.length) continue;
        const resp = await send({ type: "scoreBatch", items: live.map(([, text]) => ({ text })) });
        if (!resp || !Array.isArray(resp.results)) {
          live.forEach(([el, text]) => fail(el, text, { code: "internal" }));
          continue;
        }
        live.forEach(([el, text], i) => {
          const r = resp.results[i] || {};
          if (r.result) apply(el, r.result);
          else fail(el, text, r.error || { code: "internal" });
        });
      }
    } finally {
      sending = false;
    }
  }

  const apply = safe(function apply(el, result) {
    failed.delete(el);
    results.set(el, result);
    el.setAttribute(STATE, "scored");
    renderBadge(el, result);
  });

  function fail(el, text, error) {
    const code = error.code || "internal";
    if (error.final || code === "not_job_advert" || code === "site_disabled") {
      failed.delete(el);
      try { el.setAttribute(STATE, code === "not_job_advert" ? "skipped" : "error"); } catch (_) { /* ignore */ }
      return;
    }
    try { el.setAttribute(STATE, "error"); } catch (_) { /* ignore */ }
    const prev = failed.get(el) || { attempts: 0 };
    const entry = { text, attempts: prev.attempts + 1, code };
    failed.set(el, entry);
    if (code === "key_rejected" || code === "no_permission" || code === "bad_url") return; // wait for new settings
    let wait;
    if (code === "rate_limited" || code === "model_unavailable") wait = Math.min(600, Math.max(1, error.retryAfter || 30));
    else if (entry.attempts <= RETRY_BACKOFF_S.length) wait = RETRY_BACKOFF_S[entry.attempts - 1];
    else return; // gave up until the settings change
    scheduleRetry(wait);
  }

  function scheduleRetry(seconds) {
    if (retryTimer) return;
    retryTimer = setTimeout(() => { retryTimer = null; retryFailed(false); }, seconds * 1000);
  }

  function retryFailed(all) {
    for (const [el, entry] of failed) {
      if (!el.isConnected) { failed.delete(el); continue; }
      if (!all && entry.code === "key_rejected") continue;
      el.setAttribute(STATE, "pending");
      outbox.set(el, entry.text);
    }
    scheduleSend();
  }

  // ------------------------------------------------------------------------------------- the badge

  const COLORS = {
    rendah: { bg: "#1b6e3a", fg: "#ffffff" },
    sedang: { bg: "#f2b705", fg: "#1d1b20" },
    tinggi: { bg: "#b3261e", fg: "#ffffff" },
  };

  const BADGE_CSS = `
    :host { all: initial; display: inline-block; vertical-align: middle; margin: 0 6px 4px 0; }
    button { all: initial; box-sizing: border-box; cursor: pointer; display: inline-flex; align-items: center; gap: 4px;
      font: 600 12px/1.2 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; padding: 3px 9px;
      border-radius: 999px; border: 1px solid rgba(0,0,0,.2); }
    button:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
    [popover] { box-sizing: border-box; margin: 0; inset: auto; position: fixed; width: min(380px, calc(100vw - 16px));
      max-height: min(60vh, 480px); overflow: auto; padding: 12px 14px; background: #fff; color: #1d1b20;
      border: 1px solid #c9c5ca; border-radius: 10px; box-shadow: 0 6px 24px rgba(0,0,0,.25);
      font: 13.5px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; text-align: left; }
    h2 { font-size: 14px; margin: 0 0 6px; }
    h3 { font-size: 13px; margin: 10px 0 2px; }
    ul { margin: 0; padding-left: 18px; } li { margin: 4px 0; }
    q { font-weight: 600; background: #fde7e4; border-radius: 3px; padding: 0 2px; }
    .counter q { background: #e3f4e6; }
    code { font: 11.5px ui-monospace, monospace; color: #49454f; }
    .reason, .foot { color: #49454f; font-size: 12px; }
    .foot { margin-top: 10px; border-top: 1px solid #e7e0ec; padding-top: 6px; }
    .close { float: right; font-size: 18px; padding: 0 4px; border: 0; background: none; color: #49454f; }`;

  function flagGroups(flags, evidence) {
    return flags.map((flag) => {
      const ev = evidence.filter((e) => e.flag === flag);
      return { flag, words: [...new Set(ev.map((e) => e.text).filter(Boolean))], reason: (ev[0] && ev[0].reason) || "" };
    });
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  function flagList(groups, cls) {
    const ul = el("ul", { class: cls });
    for (const g of groups) {
      const li = el("li", { "data-flag": g.flag }, el("strong", {}, T.flagLabel(g.flag)), " ", el("code", {}, "(" + g.flag + ")"));
      if (g.words.length) {
        li.append(": ");
        g.words.forEach((w, i) => { if (i) li.append(", "); li.append(el("q", {}, w)); });
      }
      if (g.reason) li.append(el("div", { class: "reason" }, g.reason));
      ul.append(li);
    }
    return ul;
  }

  let badgeSeq = 0;

  const renderBadge = safe(function renderBadge(post, r) {
    const old = post.querySelector(":scope > [" + BADGE + "]");
    if (old) old.remove();
    if (!T.atLeast(r.level, cfg.minLevel)) return;
    const host = document.createElement("span");
    host.setAttribute(BADGE, r.level);
    host.setAttribute("data-tppo-flags", r.flags.join(" "));
    const shadow = host.attachShadow({ mode: "open" });
    const c = COLORS[r.level] || COLORS.sedang;
    const id = "tppo-pop-" + (++badgeSeq);
    const percent = Math.round((r.score || 0) * 100);
    const btn = el("button", { type: "button", part: "badge", "aria-haspopup": "dialog", "aria-expanded": "false",
                                "aria-controls": id, title: "Periksa Lowongan TPPO: " + T.LEVEL_TEXT[r.level] },
                   (r.level === "tinggi" ? "⚠ " : "") + (T.LEVEL_TEXT[r.level] || r.level));
    btn.style.background = c.bg;
    btn.style.color = c.fg;

    const pop = el("div", { id, popover: "auto", role: "dialog", "aria-label": "Tanda bahaya lowongan ini" });
    const close = el("button", { type: "button", class: "close", "aria-label": "Tutup" }, "×");
    close.addEventListener("click", () => { try { pop.hidePopover(); } catch (_) { /* closed */ } });
    pop.append(close, el("h2", {}, (T.LEVEL_TEXT[r.level] || r.level) + " · skor " + percent + "%"));
    const flags = flagGroups(r.flags || [], r.evidence || []);
    if (flags.length) {
      pop.append(el("h3", {}, "Tanda bahaya (" + flags.length + ")"), flagList(flags, "flags"));
    } else {
      pop.append(el("p", {}, "Tidak ada tanda bahaya yang dikenali."));
    }
    const counterFlags = [...new Set((r.counter || []).map((e) => e.flag))];
    if (counterFlags.length) {
      pop.append(el("h3", {}, "Tanda lowongan resmi"), flagList(flagGroups(counterFlags, r.counter), "counter"));
    }
    pop.append(el("div", { class: "foot" },
      "Penilaian otomatis (model " + (r.modelVersion || "?") + "), bukan putusan. Sebelum mendaftar, cek agen di " +
      "SISKOP2MI / BP2MI dan jangan serahkan paspor atau uang."));

    btn.popoverTargetElement = pop;
    btn.popoverTargetAction = "toggle";
    const onScroll = () => { try { pop.hidePopover(); } catch (_) { /* closed */ } };
    pop.addEventListener("toggle", (e) => {
      const open = e.newState === "open";
      btn.setAttribute("aria-expanded", String(open));
      if (open) {
        const rect = btn.getBoundingClientRect();
        const w = Math.min(380, window.innerWidth - 16);
        pop.style.left = Math.max(8, Math.min(rect.left, window.innerWidth - w - 8)) + "px";
        const below = rect.bottom + 6;
        if (below + 200 < window.innerHeight) { pop.style.top = below + "px"; pop.style.bottom = "auto"; }
        else { pop.style.bottom = (window.innerHeight - rect.top + 6) + "px"; pop.style.top = "auto"; }
        window.addEventListener("scroll", onScroll, { passive: true, capture: true, once: true });
      } else {
        window.removeEventListener("scroll", onScroll, { capture: true });
      }
    });
    // Keep the page's own click handlers (e.g. "open post") away from the badge.
    for (const type of ["click", "mousedown", "mouseup", "pointerdown", "pointerup", "keydown"]) {
      host.addEventListener(type, (e) => e.stopPropagation());
    }
    shadow.append(el("style", {}, BADGE_CSS), btn, pop);
    post.prepend(host);
  });

  function rerenderAll() {
    document.querySelectorAll("[" + STATE + "=\"scored\"]").forEach((post) => {
      const r = results.get(post);
      if (r) renderBadge(post, r);
    });
  }

  // ------------------------------------------------------------------------------ late posts & settings

  function scheduleScan() {
    if (scanTimer) return;
    scanTimer = setTimeout(() => {
      scanTimer = null;
      const roots = [...pendingRoots];
      pendingRoots.clear();
      if (roots.length > 300) { scan(document.body); return; }
      for (const r of roots) if (r.isConnected) scan(r);
    }, SCAN_DELAY_MS);
  }

  function observe() {
    observer = new MutationObserver(safe((mutations) => {
      for (const m of mutations) {
        for (const n of m.addedNodes) {
          if (n.nodeType === 1) {
            if (n.hasAttribute(BADGE)) continue;
            pendingRoots.add(n);
          } else if (n.nodeType === 3 && n.parentElement) {
            pendingRoots.add(n.parentElement);
          }
        }
      }
      if (pendingRoots.size) scheduleScan();
    }));
    observer.observe(document.body || document.documentElement, { childList: true, subtree: true });
  }

  function onSettingsChanged(changes, area) {
    if (area !== "sync" || dead || !cfg) return;
    try {
      if (changes.minLevel) {
        cfg.minLevel = T.LEVELS.includes(changes.minLevel.newValue) ? changes.minLevel.newValue : "sedang";
        rerenderAll();
      }
      if (changes.privacyJobOnly) {
        cfg.privacyJobOnly = changes.privacyJobOnly.newValue !== false;
        if (!cfg.privacyJobOnly) {
          document.querySelectorAll("[" + STATE + "=\"skipped\"]").forEach((e) => { seen.delete(e); e.removeAttribute(STATE); });
          scan(document.body);
        }
      }
      if (changes.serviceUrl || changes.apiKey) retryFailed(true);
    } catch (_) { /* ignore */ }
  }

  async function main() {
    const conf = await send({ type: "config", url: location.href });
    if (!conf || !conf.site || !conf.site.enabled) return;
    cfg = conf;
    chrome.storage.onChanged.addListener(onSettingsChanged);
    scan(document.body);
    observe();
  }

  main().catch(() => {});
})();
