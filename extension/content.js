/* Content script: finds candidate posts, sends their text (only the job-advert-like ones while the privacy
 * switch is on) to the service worker in batches, and marks each scored post with a badge whose popover
 * lists the red flags and the words that matched. Posts added later (infinite scroll) are picked up by a
 * MutationObserver; an element is never sent twice (WeakSet + data-tppo-state attribute).
 *
 * On sites without a post selector (generic fallback) only the post's message is sent: the smallest
 * element holding its blocks of running text, without buttons, toolbars, times, headers, or bylines
 * (poster names, "2 jam", "Suka / Komentari / Bagikan" never leave the page).
 *
 * Each post shows one of five quiet-to-loud states: a coloured badge (at or above the minimum level),
 * or, when "showQuiet" is on, a small grey mark: ✓ scored below the minimum, ○ skipped (not sent),
 * … pending, ! failed (will retry). The badge's popover has "Tandai salah" (a correction sent by hash).
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
  const MARK = "data-tppo-mark";            // on our quiet mark: low | skipped | pending | error
  const SEND_MAX = 25;                      // posts per message to the service worker
  const SCAN_DELAY_MS = 250;
  const RETRY_BACKOFF_S = [10, 60, 300];

  // Generic fallback: blocks that carry text of their own, climbed up to the post that holds them.
  const BLOCK_SEL = "p, div, li, article, section, blockquote, td, dd, [role=\"article\"]";
  const EXCLUDE_SEL = "script, style, noscript, template, nav, header, footer, form, button, select, textarea, " +
    "input, code, pre, [contenteditable=\"\"], [contenteditable=\"true\"], [aria-hidden=\"true\"], [hidden], [" + BADGE + "], [" + MARK + "]";
  // Never part of a post's message: controls, times, bylines' containers, our own UI.
  const NOISE_SEL = "button, select, input, textarea, [role=\"button\"], [role=\"toolbar\"], [role=\"menu\"], " +
    "[role=\"navigation\"], time, header, footer, nav, form, svg, img, video, script, style, noscript, template, " +
    "[aria-hidden=\"true\"], [hidden], [" + BADGE + "], [" + MARK + "]";
  const INLINE = new Set(["A", "ABBR", "B", "BDI", "BDO", "BR", "CITE", "DATA", "DFN", "EM", "FONT", "I", "IMG",
    "KBD", "LABEL", "MARK", "Q", "S", "SAMP", "SMALL", "SPAN", "STRONG", "SUB", "SUP", "TIME", "U", "VAR", "WBR"]);
  const FLOW_CHILD = new Set(["P", "UL", "OL", "BLOCKQUOTE", "H1", "H2", "H3", "H4", "H5", "H6", "HR", "FIGURE"]);
  const MIN_OWN_TEXT = 30;

  let cfg = null;
  let dead = false;
  let observer = null;
  const seen = new WeakSet();
  const results = new WeakMap();            // post element -> {result, text}
  const bySelector = new WeakSet();         // posts found by a site's own selector (already message-only)
  const outbox = new Map();                 // post element -> text waiting to be sent
  const failed = new Map();                 // post element -> {text, attempts, code}
  const sentText = new WeakMap();           // post element -> the text sent for it (for "Tandai salah")
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
        if (up) { found.push(up); bySelector.add(up); }
        el.querySelectorAll(sel).forEach((e) => { found.push(e); bySelector.add(e); });
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

  // ------------------------------------------------------------------ the message of a generic post

  function insideNoise(node, unit) {
    for (let n = node; n && n !== unit.parentElement; n = n.parentElement) if (n.matches(NOISE_SEL)) return true;
    return false;
  }

  function linkShare(el) {
    let links = 0;
    el.querySelectorAll("a").forEach((a) => { links += (a.textContent || "").trim().length; });
    return links / Math.max(1, (el.textContent || "").trim().length);
  }

  /** The smallest element holding the post's running text: its blocks of own text (not bylines, not
   *  link lists, not controls), widened to the paragraphs around them. */
  function messageRoot(unit) {
    const anchors = [unit, ...unit.querySelectorAll(BLOCK_SEL)].filter((b) =>
      ownTextLength(b) >= MIN_OWN_TEXT && !insideNoise(b, unit) && !b.querySelector("time") && linkShare(b) < 0.5);
    if (!anchors.length) return null;
    let root = anchors[0];
    for (const b of anchors.slice(1)) while (root !== unit && !root.contains(b)) root = root.parentElement;
    while (root !== unit && root.parentElement && isFlowContainer(root.parentElement) && unit.contains(root.parentElement)) {
      root = root.parentElement;
    }
    return root;
  }

  function visibleText(node, out) {
    for (const c of node.childNodes) {
      if (c.nodeType === 3) { out.push(c.data.replace(/\s+/g, " ")); continue; }
      if (c.nodeType !== 1 || c.matches(NOISE_SEL)) continue;
      if (c.tagName === "BR") { out.push("\n"); continue; }
      if (c.getClientRects().length === 0) continue;               // not rendered
      const block = !INLINE.has(c.tagName);
      if (block) out.push("\n");
      visibleText(c, out);
      if (block) out.push("\n");
    }
  }

  /** What a generic post says, and nothing around it. */
  function messageText(unit) {
    const root = messageRoot(unit);
    if (!root) return "";
    const out = [];
    visibleText(root, out);
    return out.join("").replace(/[ \t\u00a0]+/g, " ").replace(/ ?\n ?/g, "\n").replace(/\n{3,}/g, "\n\n").trim();
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
      let text = cfg.site.generic && !bySelector.has(el) ? messageText(el) : textOf(el);
      if (text.length < minChars()) continue;                    // may still be filling in
      if (linkHeavy(el, text.length)) { mark(el, "skipped"); continue; }
      if (text.length > maxChars()) text = text.slice(0, maxChars());
      if (cfg.privacyJobOnly && !T.looksLikeJobAdvert(text)) { mark(el, "skipped"); continue; }
      mark(el, "pending");
      outbox.set(el, text);
    }
    scheduleSend();
  });

  function mark(el, state, why) {
    seen.add(el);
    try { el.setAttribute(STATE, state); } catch (_) { /* ignore */ }
    quietMark(el, state === "scored" ? null : state, why);
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
          sentText.set(el, text);
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
    results.set(el, { result, text: (failed.get(el) || {}).text || sentText.get(el) });
    sentText.delete(el);
    el.setAttribute(STATE, "scored");
    renderBadge(el, result);
  });

  function fail(el, text, error) {
    const code = error.code || "internal";
    if (error.final || code === "not_job_advert" || code === "site_disabled") {
      failed.delete(el);
      mark(el, code === "not_job_advert" ? "skipped" : "error", code);
      return;
    }
    mark(el, "error", code);
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
      mark(el, "pending");
      outbox.set(el, entry.text);
    }
    scheduleSend();
  }

  // ------------------------------------------------------------------------------------- the badge

  const COLORS = {
    rendah: { bg: "#1b6e3a", fg: "#ffffff" },
    sedang: { bg: "#f2b705", fg: "#1d1b20" },
    tinggi: { bg: "#b3261e", fg: "#ffffff" },
    fraud: { bg: "#ffd8a8", fg: "#1d1b20" },     // job fraud at a low TPPO level: never green
    info: { bg: "#3d5a80", fg: "#ffffff" },      // a report, a warning: never a red "act now"
  };
  const MARKS = { low: "✓", skipped: "○", pending: "…", error: "!" };

  const S = (key, params) => {
    let v = (cfg && cfg.strings && cfg.strings[key]) || key;
    if (params) v = v.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined ? String(params[k]) : m));
    return v;
  };

  const MARK_CSS = `
    :host { all: initial; display: inline-block; vertical-align: middle; margin: 0 6px 2px 0; }
    span { display: inline-flex; align-items: center; justify-content: center; width: 16px; height: 16px;
      border-radius: 50%; border: 1px solid #9a9a9a; color: #6b6b6b; background: #fff;
      font: 700 10px/1 system-ui, sans-serif; opacity: .8; }
    span.error { border-color: #b26a00; color: #b26a00; }`;

  /** A small grey mark for a post without a badge (or none: ``state`` null, or quiet marks off). */
  const quietMark = safe(function quietMark(post, state, why) {
    const old = post.querySelector(":scope > [" + MARK + "]");
    if (old) old.remove();
    if (!state || !MARKS[state] || !cfg || cfg.showQuiet === false) return;
    const host = document.createElement("span");
    host.setAttribute(MARK, state);
    const shadow = host.attachShadow({ mode: "open" });
    const reason = why && cfg.strings && cfg.strings["state." + why] ? S("state." + why) : why || "?";
    const label = state === "error" ? S("mark.error", { why: reason }) : S("mark." + state);
    const dot = el("span", { class: state, role: "img", "aria-label": label, title: label }, MARKS[state]);
    shadow.append(el("style", {}, MARK_CSS), dot);
    post.prepend(host);
  });

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
    .reason, .foot, .kind { color: #49454f; font-size: 12px; }
    .foot { margin-top: 10px; border-top: 1px solid #e7e0ec; padding-top: 6px; }
    .fb { margin-top: 8px; }
    .fb button { border: 1px solid #79747e; border-radius: 6px; padding: 3px 8px; margin: 3px 4px 0 0; font-weight: 500;
      background: #fff; color: #1d1b20; }
    .fb [hidden] { display: none; }
    .fb-status { font-size: 12px; margin-top: 4px; }
    .close { float: right; font-size: 18px; padding: 0 4px; border: 0; background: none; color: #49454f; }`;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  /** Flag groups as shared/vocab.js recordView makes them: [{flag, label, words, reason}]. */
  function flagList(groups, cls) {
    const ul = el("ul", { class: cls });
    for (const g of groups) {
      const li = el("li", { "data-flag": g.flag }, el("strong", {}, g.label || g.flag));
      if (g.words.length) {
        li.append(": ");
        g.words.forEach((w, i) => { if (i) li.append(", "); li.append(el("q", {}, w)); });
      }
      if (g.reason) li.append(el("div", { class: "reason" }, g.reason));
      ul.append(li);
    }
    return ul;
  }

  /** "Tandai salah": the choices other than the prediction; the correction goes out by hash. */
  function feedbackBox(post, r) {
    const box = el("div", { class: "fb", "data-testid": "fb" });
    const wrong = el("button", { type: "button", "data-fb": "wrong" }, S("fb.wrong"));
    const choices = el("div", { hidden: "" }, el("div", {}, S("fb.question")));
    const status = el("div", { class: "fb-status", role: "status" });
    for (const choice of ["low", "other_scam", "high", "not_job"]) {
      if (choice === r.label) continue;
      const b = el("button", { type: "button", "data-fb": choice }, S("fb." + choice));
      b.addEventListener("click", async () => {
        choices.querySelectorAll("button").forEach((x) => { x.disabled = true; });
        const entry = results.get(post);
        const out = await send({ type: "feedback", text: entry && entry.text, choice });
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

  let badgeSeq = 0;

  const renderBadge = safe(function renderBadge(post, r) {
    const old = post.querySelector(":scope > [" + BADGE + "]");
    if (old) old.remove();
    const min = T.levelRank(cfg.minLevel);
    const rank = typeof r.rank === "number" ? r.rank : T.levelRank(r.level);
    if (rank < Math.max(0, min)) { quietMark(post, "low"); return; }
    quietMark(post, null);
    const host = document.createElement("span");
    host.setAttribute(BADGE, r.level);
    host.setAttribute("data-tppo-tone", r.tone || r.level);
    host.setAttribute("data-tppo-kind", r.kind || "offer");
    host.setAttribute("data-tppo-flags", r.flags.join(" "));
    const shadow = host.attachShadow({ mode: "open" });
    const c = COLORS[r.tone] || COLORS[r.level] || COLORS.sedang;
    const id = "tppo-pop-" + (++badgeSeq);
    const btn = el("button", { type: "button", part: "badge", "aria-haspopup": "dialog", "aria-expanded": "false",
                                "aria-controls": id, title: r.levelText + " · " + r.scoreText },
                   (r.act ? "⚠ " : "") + r.badgeText);
    btn.style.background = c.bg;
    btn.style.color = c.fg;

    const pop = el("div", { id, popover: "auto", role: "dialog", "aria-label": S("result.dialog") });
    const close = el("button", { type: "button", class: "close", "aria-label": S("result.close") }, "×");
    close.addEventListener("click", () => { try { pop.hidePopover(); } catch (_) { /* closed */ } });
    pop.append(close, el("h2", {}, r.badgeText + " · " + S("result.score", { pct: r.scoreText })),
               el("div", { class: "kind" }, S("result.kind", { kind: r.kindText })), feedbackBox(post, r));
    const flags = r.groups || [];
    if (flags.length) {
      pop.append(el("h3", {}, S("result.flags", { n: flags.length })), flagList(flags, "flags"));
    } else {
      pop.append(el("p", {}, S("result.noflags")));
    }
    if ((r.counterGroups || []).length) pop.append(el("h3", {}, S("result.counter")), flagList(r.counterGroups, "counter"));
    pop.append(el("div", { class: "foot" }, S("result.foot", { v: r.modelVersion || "?" })));

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
      const entry = results.get(post);
      if (entry) renderBadge(post, entry.result);
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
            if (n.hasAttribute(BADGE) || n.hasAttribute(MARK)) continue;
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
      if (changes.showQuiet) {
        cfg.showQuiet = changes.showQuiet.newValue !== false;
        document.querySelectorAll("[" + STATE + "]").forEach((e) => {
          const st = e.getAttribute(STATE);
          if (st !== "scored") quietMark(e, st);
        });
        rerenderAll();
      }
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
