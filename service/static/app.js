/* Moderators' page for the TPPO detector service. Vanilla JS, no build step, no external requests.
 *
 * Safety rule of this file: post text (and anything else that came from a post or a file) is only
 * ever put into the page with textContent / text nodes — never innerHTML.
 *
 * Offsets: the service reports evidence as Python str indices (Unicode code points); JS strings
 * index UTF-16 units (an emoji flag such as 🇰🇭 is 2 code points and 4 UTF-16 units), so every
 * offset is converted with a code-point -> UTF-16 map before slicing.
 */
(function () {
  "use strict";

  var I18N = window.TPPO_I18N || { id: {}, en: {} };
  var LEVELS = ["rendah", "sedang", "tinggi"];
  var LABELS = ["high", "other_scam", "low"];
  var DEFAULT_MAX_CHARS = 20000;
  var DEFAULT_BATCH_LIMIT = 100;
  var MAX_FILE_MB = 50;
  var TABLE_PAGE = 200;
  var TEXT_COLUMNS = ["text", "teks", "post", "content", "message", "caption", "isi"];
  var ID_COLUMNS = ["id", "post_id", "postid", "uid"];
  var FEEDBACK_REASONS = ["missed_flag", "false_flag", "legit_job", "scam_not_trafficking",
    "trafficking", "not_job_ad", "other"];
  var CONFIRMED_REASON = "confirmed";

  var state = {
    lang: "id",
    model: null,
    indicators: {},
    nextSteps: null,
    maxChars: DEFAULT_MAX_CHARS,
    batchLimit: DEFAULT_BATCH_LIMIT,
    maxBatchBytes: 8 * 1024 * 1024,
    single: null,            // {text, result, feedback}
    file: null,              // {name}
    rows: [],                // {line, id, sendId, text, result, error, feedback}
    badRows: [],             // {line, reason}
    fileError: null,         // {key, params}: why the file gave no table
    sort: "line",
    filterLevel: "",
    filterFlag: "",
    shown: TABLE_PAGE,
    expanded: {},            // line -> true
    run: null,               // the batch being scored
    unreachable: false
  };

  // ------------------------------------------------------------------ small helpers

  function $(id) { return document.getElementById(id); }

  function t(key, params) {
    var table = I18N[state.lang] || {};
    var s = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : (I18N.id || {})[key];
    if (s === undefined) s = key;
    if (params) {
      s = s.replace(/\{(\w+)\}/g, function (m, name) {
        return Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : m;
      });
    }
    return s;
  }

  /** el("div", {class: "x", "data-flag": f}, child, "text", ...) — children are nodes or text. */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === undefined || v === null || v === false) return;
        if (k === "class") node.className = v;
        else if (k === "text") node.textContent = v;
        else if (k === "hidden") node.hidden = true;
        else if (k.slice(0, 2) === "on" && typeof v === "function") node.addEventListener(k.slice(2), v);
        else node.setAttribute(k, v === true ? "" : String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function append(parent, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(parent, c); }); return; }
    parent.appendChild(typeof child === "string" || typeof child === "number"
      ? document.createTextNode(String(child)) : child);
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function levelOf(r) { return LEVELS.indexOf(r && r.risk_level) >= 0 ? r.risk_level : "rendah"; }

  function pct(score) {
    var n = Number(score);
    if (!isFinite(n)) return "–";
    var p = Math.round(n * 100);
    if (p >= 100 && n < 1) return ">99%";
    if (p <= 0 && n > 0) return "<1%";
    return p + "%";
  }

  function fmtNumber(n) {
    try { return new Intl.NumberFormat(state.lang === "en" ? "en-GB" : "id-ID", { maximumFractionDigits: 0 }).format(n); }
    catch (e) { return String(Math.round(n)); }
  }

  function flagName(flag) {
    var key = "flag." + flag;
    var s = t(key);
    if (s !== key) return s;
    var ind = state.indicators[flag];
    if (ind && ind.description) return pickLang(ind.description) || flag;
    return flag;
  }

  function pickLang(obj) {
    if (!obj) return "";
    if (typeof obj === "string") return obj;
    return obj[state.lang] || obj.id || obj.en || "";
  }

  function hitReason(h) {
    var r = h["reason_" + state.lang] || h.reason_id || h.reason;
    if (!r) {
      var ind = state.indicators[h.flag];
      r = ind && ind.reason ? pickLang(ind.reason) : "";
    }
    return r || "";
  }

  function codePointLength(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        var d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      n++;
    }
    return n;
  }

  /** map[k] = the UTF-16 index of code point k (map has codePointLength(text)+1 entries). */
  function cpToUtf16Map(text) {
    var map = [0];
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        var d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      map.push(i + 1);
    }
    return map;
  }

  /** Convert the service's code-point spans to UTF-16 spans that slice ``text`` to ``hit.text``. */
  function toUtf16Spans(text, hits, kind) {
    var map = cpToUtf16Map(text);
    var out = [];
    (hits || []).forEach(function (h, idx) {
      var s = Number(h.start), e = Number(h.end);
      if (!isFinite(s) || !isFinite(e) || e <= s) return;
      var us = map[Math.min(Math.max(s, 0), map.length - 1)];
      var ue = map[Math.min(Math.max(e, 0), map.length - 1)];
      var realigned = false;
      if (typeof h.text === "string" && h.text && text.slice(us, ue) !== h.text) {
        realigned = true;
        // Defensive: a span that does not match (e.g. offsets already in UTF-16): look nearby.
        if (text.slice(s, e) === h.text) { us = s; ue = e; }
        else {
          var found = text.indexOf(h.text, Math.max(0, us - 8));
          if (found < 0) found = text.indexOf(h.text);
          if (found < 0) return;
          us = found; ue = found + h.text.length;
        }
      }
      if (ue <= us) return;
      out.push({ s: us, e: ue, kind: kind, flag: String(h.flag || ""), hit: h, order: idx, realigned: realigned });
    });
    return out;
  }

  function cmpSpans(a, b) {
    return a.s - b.s || b.e - a.e || (a.kind === b.kind ? 0 : a.kind === "risk" ? -1 : 1) || a.order - b.order;
  }

  /** Render ``text`` into ``parent`` with one <mark> per span; overlapping spans nest, crossing ones split. */
  function renderRange(parent, text, from, to, spans) {
    var cur = from;
    var rest = spans.slice().sort(cmpSpans);
    while (rest.length) {
      var h = rest.shift();
      if (h.s > cur) parent.appendChild(document.createTextNode(text.slice(cur, h.s)));
      var inner = [], after = [];
      rest.forEach(function (o) {
        if (o.s >= h.e) after.push(o);
        else if (o.e <= h.e) inner.push(o);
        else {
          inner.push(Object.assign({}, o, { e: h.e, part: true }));
          after.push(Object.assign({}, o, { s: h.e, part: true }));
        }
      });
      var mark = el("mark", {
        class: "hl hl-" + h.kind,
        "data-flag": h.flag,
        "data-kind": h.kind,
        "data-part": h.part ? "1" : null,
        "data-realigned": h.realigned ? "1" : null,
        tabindex: "0"
      });
      mark._hit = h;
      renderRange(mark, text, h.s, h.e, inner);
      parent.appendChild(mark);
      cur = h.e;
      rest = after.sort(cmpSpans);
    }
    if (cur < to) parent.appendChild(document.createTextNode(text.slice(cur, to)));
  }

  function highlightedText(text, result) {
    var spans = toUtf16Spans(text, result.evidence, "risk")
      .concat(toUtf16Spans(text, result.counter_evidence, "counter"));
    var p = el("p", { class: "post-text", "data-testid": "post-text" });
    renderRange(p, text, 0, text.length, spans);
    return p;
  }

  // ------------------------------------------------------------------ service calls

  function NetworkError(message) { this.name = "NetworkError"; this.message = message; }
  NetworkError.prototype = Object.create(Error.prototype);

  function ApiError(status, body) {
    this.name = "ApiError";
    this.status = status;
    var e = body && body.error ? body.error : null;
    this.code = e && e.code ? e.code : "http_" + status;
    this.field = e && e.field ? e.field : null;
    var msg = e && e.message ? e.message : null;
    if (!msg && body && body.detail) msg = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
    this.message = msg || t("err.http", { status: status });
  }
  ApiError.prototype = Object.create(Error.prototype);

  function request(path, opts) {
    opts = opts || {};
    var init = {
      method: opts.method || "GET",
      headers: { "Accept": "application/json" },
      cache: "no-store",
      credentials: "same-origin",
      signal: opts.signal
    };
    if (opts.body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    return fetch(path, init).then(function (resp) {
      return resp.text().then(function (raw) {
        var body = null;
        if (raw) { try { body = JSON.parse(raw); } catch (e) { body = null; } }
        if (resp.status === 502 || resp.status === 503 || resp.status === 504) {
          // A proxy without its backend, or the service without a usable model: not usable either way.
          var why = body && body.error && body.error.message ? body.error.message : "HTTP " + resp.status;
          setUnreachable(true, why);
          throw new NetworkError(why);
        }
        setUnreachable(false);
        if (!resp.ok) {
          var apiErr = new ApiError(resp.status, body);
          var ra = Number(resp.headers.get("Retry-After"));
          if (resp.status === 429) apiErr.retryAfter = isFinite(ra) && ra > 0 ? ra : 2;
          throw apiErr;
        }
        if (body === null) throw new ApiError(resp.status, { error: { code: "bad_json", message: "invalid JSON" } });
        return body;
      });
    }, function (err) {
      if (err && err.name === "AbortError") throw err;
      setUnreachable(true);
      throw new NetworkError(String(err && err.message || err));
    });
  }

  function setUnreachable(flag, why) {
    $("banner-extra").textContent = flag && why ? why : "";
    if (state.unreachable === flag) return;
    state.unreachable = flag;
    $("banner").hidden = !flag;
    if (!flag) $("status-ok").textContent = t("banner.ok");
    else $("status-ok").textContent = "";
  }

  function loadModel() {
    return request("v1/model").then(function (m) {
      state.model = m;
      var limits = m.limits || {};
      var bl = limits.batch_max_items || limits.max_batch || m.batch_max_items || m.max_batch_size;
      if (bl && Number(bl) > 0) state.batchLimit = Number(bl);
      var mc = limits.max_text_chars || m.max_text_chars;
      if (mc && Number(mc) > 0) state.maxChars = Number(mc);
      var mb = limits.max_batch_body_bytes;
      if (mb && Number(mb) > 0) state.maxBatchBytes = Number(mb);
      renderModel();
    });
  }

  function loadIndicators() {
    return request("v1/indicators").then(function (data) {
      var list = Array.isArray(data) ? data : (data.indicators || []);
      var map = {};
      list.forEach(function (ind) { if (ind && ind.name) map[ind.name] = ind; });
      state.indicators = map;
    });
  }

  function loadNextSteps() {
    return request("static/next_steps.json").then(function (data) { state.nextSteps = data; });
  }

  function refreshStats() {
    return request("v1/feedback/stats").then(function (s) {
      var n = s && typeof s.pending === "number" ? s.pending : null;
      var out = $("pending-count");
      out.textContent = n === null ? "–" : String(n);
      out.setAttribute("data-pending", n === null ? "" : String(n));
      $("pending").setAttribute("aria-label", n === null ? "" : t("pending.aria", { n: n }));
    });
  }

  function initData() {
    return Promise.all([
      loadModel().catch(swallow),
      loadIndicators().catch(swallow),
      loadNextSteps().catch(swallow),
      refreshStats().catch(swallow)
    ]);
  }

  function swallow(err) { if (!(err instanceof NetworkError)) console.warn(err); }

  // ------------------------------------------------------------------ i18n of the static page

  function applyI18n() {
    document.documentElement.lang = state.lang;
    document.title = t("app.title");
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n]"), function (node) {
      node.textContent = t(node.getAttribute("data-i18n"));
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n-placeholder]"), function (node) {
      node.setAttribute("placeholder", t(node.getAttribute("data-i18n-placeholder")));
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n-aria]"), function (node) {
      node.setAttribute("aria-label", t(node.getAttribute("data-i18n-aria")));
    });
    $("lang-toggle").setAttribute("lang", state.lang === "id" ? "en" : "id");
    renderModel();
  }

  function renderModel() {
    var v = state.model && (state.model.version || state.model.model_version);
    $("model-version").textContent = v ? t("model.version", { v: v }) : t("model.unknown");
  }

  function setLang(lang) {
    state.lang = lang === "en" ? "en" : "id";
    try { window.localStorage.setItem("tppo.lang", state.lang); } catch (e) { /* private mode */ }
    applyI18n();
    if (state.single) { renderSingle(); $("single-loading").textContent = announceFor(state.single.result); }
    renderBatchMessages();
    if (state.run) {
      if (state.run.finished) $("batch-status").textContent = finishedText(state.run);
      else updateProgress();
    }
    if (state.rows.length) renderTable();
  }

  // ------------------------------------------------------------------ result card

  function renderResultCard(text, rec, opts) {
    var r = rec.result;
    var level = levelOf(r);
    var card = el("article", { class: "result-card", "data-testid": "result", "data-level": level });
    var headingId = "res-h-" + (opts.key || "single");
    card.setAttribute("aria-labelledby", headingId);

    var badge = el("span", {
      class: "badge badge-lg badge-" + level, "data-testid": "level-badge", "data-level": level
    }, t("level." + level));

    var scoreBar = el("span", { class: "score-bar", "aria-hidden": "true" }, el("span"));
    scoreBar.firstChild.style.width = Math.max(0, Math.min(100, Number(r.risk_score) * 100 || 0)) + "%";

    card.appendChild(el(opts.headingTag || "h3", { id: headingId, class: opts.headingTag === "h4" ? "visually-hidden" : "" },
      t("result.heading") + (opts.title ? " — " + opts.title : "")));
    card.appendChild(el("div", { class: "result-head" },
      el("div", { class: "metric" }, el("span", { class: "metric-name" }, t("result.level")), badge),
      el("div", { class: "metric", title: t("result.score.help") },
        el("span", { class: "metric-name" }, t("result.score")),
        el("span", { class: "metric-value", "data-testid": "risk-score", "data-score": String(r.risk_score) }, pct(r.risk_score)),
        scoreBar),
      el("div", { class: "metric" },
        el("span", { class: "metric-name" }, t("result.label")),
        el("span", { class: "metric-value", "data-testid": "label", "data-label": r.label }, t("label." + r.label))),
      el("p", { class: "visually-hidden" }, t("level.full." + level))
    ));

    var left = el("section", { class: "text-col" },
      el("h4", {}, t("result.text")),
      el("p", { class: "legend" },
        el("span", {}, el("span", { class: "swatch swatch-risk", "aria-hidden": "true" }), t("result.legend.risk")),
        el("span", {}, el("span", { class: "swatch swatch-counter", "aria-hidden": "true" }), t("result.legend.counter"))),
      highlightedText(text, r),
      el("p", { class: "help" }, t("result.legend.help")));

    var right = el("section", { class: "facts-col" });
    var ev = r.evidence || [];
    var ce = r.counter_evidence || [];
    right.appendChild(el("h4", {}, t("result.flags", { n: countFlags(ev) })));
    right.appendChild(evidenceList(ev, "risk", t("result.flags.none")));
    right.appendChild(el("h4", {}, t("result.counter", { n: countFlags(ce) })));
    right.appendChild(evidenceList(ce, "counter", t("result.counter.none")));
    right.appendChild(el("h4", {}, t("result.money")));
    right.appendChild(moneyList(r.money || []));
    if (r.destinations && r.destinations.length) {
      right.appendChild(el("h4", {}, t("result.destinations")));
      right.appendChild(el("p", { "data-testid": "destinations" }, r.destinations.map(capitalise).join(", ")));
    }

    card.appendChild(el("div", { class: "result-grid" }, left, right));
    card.appendChild(nextStepsSection(level, r.label));
    card.appendChild(feedbackWidget(text, rec, opts.key || "single"));
    return card;
  }

  function countFlags(hits) {
    var seen = {};
    hits.forEach(function (h) { seen[h.flag] = true; });
    return Object.keys(seen).length;
  }

  function capitalise(s) { s = String(s || ""); return s.charAt(0).toUpperCase() + s.slice(1); }

  function evidenceList(hits, kind, emptyText) {
    if (!hits.length) return el("p", { class: "help" }, emptyText);
    var byFlag = {}, order = [];
    hits.forEach(function (h) {
      if (!byFlag[h.flag]) { byFlag[h.flag] = []; order.push(h.flag); }
      byFlag[h.flag].push(h);
    });
    var ul = el("ul", { class: "evidence-list " + kind, "data-testid": kind === "risk" ? "flag-list" : "counter-list" });
    order.forEach(function (flag) {
      var hs = byFlag[flag];
      var quotes = [];
      hs.forEach(function (h, i) {
        if (i) quotes.push(", ");
        quotes.push(el("q", { class: "ev-quote" }, String(h.text || "")));
      });
      ul.appendChild(el("li", { "data-flag": flag },
        el("span", { class: "ev-name" }, flagName(flag)), ": ", quotes,
        el("span", { class: "ev-reason" }, hitReason(hs[0]))));
    });
    return ul;
  }

  function moneyList(money) {
    if (!money.length) return el("p", { class: "help" }, t("result.money.none"));
    var ul = el("ul", { class: "money-list", "data-testid": "money-list" });
    money.forEach(function (m) {
      var li = el("li", {}, el("q", { class: "money-text" }, String(m.text || "")));
      var lo = Number(m.idr_per_month_min), hi = Number(m.idr_per_month_max);
      if (isFinite(lo) && m.idr_per_month_min !== null && m.idr_per_month_min !== undefined) {
        var v = "Rp " + fmtNumber(lo);
        if (isFinite(hi) && m.idr_per_month_max !== null && hi !== lo) v += " – " + fmtNumber(hi);
        li.appendChild(document.createTextNode(" " + t("result.money.month", { v: v })));
      }
      ul.appendChild(li);
    });
    return ul;
  }

  function nextStepsSection(level, label) {
    var sec = el("section", { class: "next-steps level-" + level, "data-testid": "next-steps" },
      el("h4", {}, t("result.next")));
    var ns = state.nextSteps;
    if (!ns) {
      sec.appendChild(el("p", { class: "help" }, t("result.next.missing")));
      return sec;
    }
    var blocks = [];
    if (ns.by_level && ns.by_level[level]) blocks.push(ns.by_level[level]);
    if (ns.by_label && ns.by_label[label] && !(level === "rendah" && label === "low")) blocks.push(ns.by_label[label]);
    blocks.forEach(function (b) {
      if (b.title) sec.appendChild(el("p", { class: "steps-title" }, el("strong", {}, pickLang(b.title))));
      var ol = el("ol", { class: "steps-list" });
      (b.steps || []).forEach(function (s) { ol.appendChild(el("li", {}, pickLang(s))); });
      sec.appendChild(ol);
    });
    if (level !== "rendah" && ns.channels) {
      sec.appendChild(el("p", { class: "steps-title" }, el("strong", {}, pickLang(ns.channels.title))));
      var ul = el("ul", { class: "channels-list" });
      (ns.channels.items || []).forEach(function (s) { ul.appendChild(el("li", {}, pickLang(s))); });
      sec.appendChild(ul);
    }
    sec.appendChild(el("p", { class: "disclaimer" }, t("result.disclaimer")));
    return sec;
  }

  // ------------------------------------------------------------------ feedback

  function feedbackWidget(text, rec, key) {
    var r = rec.result;
    var wrap = el("section", { class: "feedback", "data-testid": "feedback" });
    var fs = el("fieldset");
    fs.appendChild(el("legend", {}, t("fb.heading")));
    var status = el("p", { class: "fb-status", role: "status", "aria-live": "polite", "data-testid": "fb-status" });

    var okBtn = el("button", { type: "button", class: "btn btn-secondary", "data-testid": "fb-correct" }, t("fb.correct"));
    var wrongBtn = el("button", { type: "button", class: "btn btn-secondary", "aria-expanded": "false",
      "aria-controls": "fb-form-" + key, "data-testid": "fb-wrong" }, t("fb.wrong"));
    fs.appendChild(el("div", { class: "fb-buttons" }, okBtn, wrongBtn));

    var labelSel = el("select", { id: "fb-label-" + key, name: "correct_label", "data-testid": "fb-label" });
    LABELS.forEach(function (l) { labelSel.appendChild(el("option", { value: l }, t("label." + l))); });
    labelSel.value = r.label === "high" ? "low" : "high";
    var reasonSel = el("select", { id: "fb-reason-" + key, name: "reason", required: true, "data-testid": "fb-reason" });
    reasonSel.appendChild(el("option", { value: "" }, t("fb.reason.placeholder")));
    FEEDBACK_REASONS.forEach(function (x) { reasonSel.appendChild(el("option", { value: x }, t("fb.reason." + x))); });
    var note = el("textarea", { id: "fb-note-" + key, name: "note", rows: "2", maxlength: "1000", "data-testid": "fb-note" });
    var store = el("input", { type: "checkbox", id: "fb-store-" + key, name: "store_text", "data-testid": "fb-store" });
    var submit = el("button", { type: "submit", class: "btn btn-primary", "data-testid": "fb-submit" }, t("fb.submit"));
    var form = el("form", { class: "fb-form", id: "fb-form-" + key, hidden: true, novalidate: true },
      el("label", { for: labelSel.id }, t("fb.correct_label")), labelSel,
      el("label", { for: reasonSel.id }, t("fb.reason")), reasonSel,
      el("label", { for: note.id }, t("fb.note")), note,
      el("label", { class: "check", for: store.id }, store, el("span", {}, t("fb.store_text"))),
      el("div", {}, submit));
    fs.appendChild(form);
    wrap.appendChild(fs);
    wrap.appendChild(status);

    function lock(done) {
      okBtn.disabled = done; wrongBtn.disabled = done; submit.disabled = done;
    }
    function showDone() {
      lock(true);
      form.hidden = true;
      status.className = "fb-status ok";
      status.textContent = rec.feedback.correct ? t("fb.sent.correct") : t("fb.sent");
    }
    if (rec.feedback && rec.feedback.sent) showDone();

    function send(payload) {
      lock(true);
      status.className = "fb-status";
      status.textContent = t("fb.sending");
      return sendFeedback(text, r, payload).then(function () {
        rec.feedback = { sent: true, correct: payload.correct_label === r.label && payload.reason === CONFIRMED_REASON };
        showDone();
        refreshStats().catch(swallow);
      }, function (err) {
        lock(false);
        status.className = "fb-status err";
        status.textContent = err instanceof NetworkError ? t("banner.unreachable") : t("fb.error", { msg: err.message });
      });
    }

    okBtn.addEventListener("click", function () {
      send({ correct_label: r.label, reason: CONFIRMED_REASON, store_text: false });
    });
    wrongBtn.addEventListener("click", function () {
      form.hidden = !form.hidden;
      wrongBtn.setAttribute("aria-expanded", String(!form.hidden));
      if (!form.hidden) labelSel.focus();
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!reasonSel.value) {
        status.className = "fb-status err";
        status.textContent = t("fb.need_reason");
        reasonSel.focus();
        return;
      }
      send({ correct_label: labelSel.value, reason: reasonSel.value, note: note.value.trim() || undefined,
        store_text: store.checked });
    });
    return wrap;
  }

  function sendFeedback(text, r, p) {
    var body = {
      model_version: r.model_version || (state.model && (state.model.version || state.model.model_version)) || "unknown",
      text: text,
      store_text: !!p.store_text,
      predicted_label: r.label,
      correct_label: p.correct_label,
      reason: p.reason
    };
    var sc = Number(r.risk_score);
    if (isFinite(sc) && sc >= 0 && sc <= 1) body.predicted_score = sc;
    if (p.note) body.note = p.note;
    return request("v1/feedback", { method: "POST", body: body });
  }

  // ------------------------------------------------------------------ one post

  function renderSingle() {
    var area = $("single-result");
    clear(area);
    if (!state.single) return;
    area.appendChild(renderResultCard(state.single.text, state.single, { key: "single", headingTag: "h3" }));
  }

  function announceFor(res) {
    return t("level.full." + levelOf(res)) + " — " + t("result.score") + " " + pct(res.risk_score);
  }

  function showSingleError(msg) {
    var e = $("single-error");
    e.textContent = msg || "";
    e.hidden = !msg;
  }

  function scoreSingle() {
    var text = $("post-text").value;
    showSingleError("");
    if (!text.trim()) { showSingleError(t("single.empty")); $("post-text").focus(); return; }
    var n = codePointLength(text);
    if (n > state.maxChars) { showSingleError(t("single.toolong", { n: n, max: state.maxChars })); return; }
    var btn = $("score-btn");
    btn.disabled = true;
    $("single-loading").textContent = t("single.loading");
    var announce = "";
    request("v1/score", { method: "POST", body: { text: text, explain: true } }).then(function (res) {
      state.single = { text: text, result: res, feedback: null };
      renderSingle();
      announce = announceFor(res);
    }, function (err) {
      if (state.single && state.single.text !== text) { state.single = null; renderSingle(); }  // never show a stale card
      if (err instanceof NetworkError) showSingleError(t("banner.unreachable"));
      else if (err instanceof ApiError && (err.status === 422 || err.status === 400 || err.status === 413)) showSingleError(t("err.invalid", { msg: err.message }));
      else showSingleError(t("err.generic", { msg: err.message }));
    }).then(function () {
      btn.disabled = false;
      $("single-loading").textContent = announce;
    });
  }

  // ------------------------------------------------------------------ file parsing

  function rowCheck(text) {
    if (typeof text !== "string" || !text.trim()) return "row.err.notext";
    if (text.indexOf("\u0000") >= 0) return "row.err.nul";
    if (text.length > state.maxChars && codePointLength(text) > state.maxChars) return "row.err.toolong";
    return null;
  }

  function msg(key, params) { return { key: key, params: params || null }; }

  function badRow(line, key, params) { return { line: line, key: key, params: params || null }; }

  /** JSONL: one JSON object (with "text", optional "id") or one JSON string per line. */
  function parseJSONL(content) {
    var rows = [], bad = [];
    var lines = content.split(/\r\n|\n|\r/);
    lines.forEach(function (raw, i) {
      var line = i + 1;
      if (!raw.trim()) return;
      var obj;
      try { obj = JSON.parse(raw); } catch (e) { bad.push(badRow(line, "row.err.json")); return; }
      var text, id;
      if (typeof obj === "string") text = obj;
      else if (obj && typeof obj === "object" && !Array.isArray(obj)) {
        for (var k = 0; k < TEXT_COLUMNS.length && text === undefined; k++) {
          if (Object.prototype.hasOwnProperty.call(obj, TEXT_COLUMNS[k])) text = obj[TEXT_COLUMNS[k]];
        }
        if (obj.id !== undefined && obj.id !== null && (typeof obj.id === "string" || typeof obj.id === "number")) id = String(obj.id);
      } else { bad.push(badRow(line, "row.err.notobj")); return; }
      var err = rowCheck(text);
      if (err) { bad.push(badRow(line, err, { max: state.maxChars })); return; }
      rows.push({ line: line, id: id, text: text });
    });
    return { rows: rows, bad: bad, error: null };
  }

  /** RFC 4180 records (quoted fields may hold delimiters, "" and newlines), with the line each starts on. */
  function csvRecords(content, delim) {
    var records = [];
    var i = 0, n = content.length, line = 1;
    var field = "", fields = [], recLine = 1, inQuotes = false, quotedField = false, any = false;
    function endField() { fields.push(field); field = ""; quotedField = false; }
    function endRecord() {
      endField();
      records.push({ line: recLine, fields: fields });
      fields = []; any = false;
    }
    while (i < n) {
      var c = content.charAt(i);
      if (inQuotes) {
        if (c === '"') {
          if (content.charAt(i + 1) === '"') { field += '"'; i += 2; continue; }
          inQuotes = false; i++; continue;
        }
        if (c === "\r" && content.charAt(i + 1) === "\n") { field += "\r\n"; line++; i += 2; continue; }
        if (c === "\n" || c === "\r") line++;
        field += c; i++; continue;
      }
      if (c === '"' && field === "" && !quotedField) { inQuotes = true; quotedField = true; any = true; i++; continue; }
      if (c === delim) { endField(); any = true; i++; continue; }
      if (c === "\r" || c === "\n") {
        if (c === "\r" && content.charAt(i + 1) === "\n") i++;
        i++;
        endRecord();
        line++;
        recLine = line;
        continue;
      }
      field += c; any = true; i++;
    }
    if (inQuotes) {
      records.push({ line: recLine, fields: null, unterminated: true });
    } else if (any || field !== "" || fields.length) {
      endRecord();
    }
    return records;
  }

  function detectDelimiter(content) {
    var firstLine = content.split(/\r\n|\n|\r/, 1)[0] || "";
    var best = ",", bestN = -1;
    [",", ";", "\t"].forEach(function (d) {
      var n = firstLine.split(d).length - 1;
      if (n > bestN) { best = d; bestN = n; }
    });
    return best;
  }

  function parseCSV(content) {
    var delim = detectDelimiter(content);
    var recs = csvRecords(content, delim);
    var rows = [], bad = [];
    if (!recs.length || recs[0].unterminated) return { rows: rows, bad: bad, error: msg("batch.err.empty_file") };
    var header = recs[0].fields.map(function (h) { return String(h).trim().toLowerCase(); });
    var ti = -1, ii = -1;
    TEXT_COLUMNS.forEach(function (name) { if (ti < 0) ti = header.indexOf(name); });
    ID_COLUMNS.forEach(function (name) { if (ii < 0) ii = header.indexOf(name); });
    if (ti < 0) {
      return { rows: rows, bad: bad, error: msg("batch.err.no_text_col", { cols: recs[0].fields.join(", ") || "–" }) };
    }
    for (var k = 1; k < recs.length; k++) {
      var rec = recs[k];
      if (rec.unterminated) { bad.push(badRow(rec.line, "row.err.quote")); continue; }
      var f = rec.fields;
      if (f.length === 1 && f[0].trim() === "") continue; // blank line
      var text = f.length > ti ? f[ti] : undefined;
      var err = rowCheck(text);
      if (err) { bad.push(badRow(rec.line, err, { max: state.maxChars })); continue; }
      var id = ii >= 0 && f.length > ii && f[ii].trim() ? f[ii].trim() : undefined;
      rows.push({ line: rec.line, id: id, text: text });
    }
    return { rows: rows, bad: bad, error: null };
  }

  function parseFileContent(name, content) {
    if (content.charCodeAt(0) === 0xfeff) content = content.slice(1);
    if (!content.trim()) return { rows: [], bad: [], error: msg("batch.err.empty_file") };
    var lower = name.toLowerCase();
    var isJsonl = /\.(jsonl|ndjson|json)$/.test(lower);
    var isCsv = /\.(csv|tsv|txt)$/.test(lower);
    if (!isJsonl && !isCsv) {
      var first = content.replace(/^\s+/, "").charAt(0);
      if (first === "{" || first === '"') isJsonl = true; else isCsv = true;
    }
    if (isJsonl && content.replace(/^\s+/, "").charAt(0) === "[") {
      // A JSON array instead of JSONL: accept it, numbering items from 1.
      try {
        var arr = JSON.parse(content);
        if (Array.isArray(arr)) {
          return parseJSONL(arr.map(function (x) { return JSON.stringify(x); }).join("\n"));
        }
      } catch (e) { /* fall through to JSONL errors */ }
    }
    return isJsonl ? parseJSONL(content) : parseCSV(content);
  }

  // ------------------------------------------------------------------ batch scoring

  function handleFile(file) {
    if (!file) return;
    selectTab("batch");
    if (state.run && !state.run.finished) state.run.cancelled = true;
    state.file = { name: file.name };
    state.rows = []; state.badRows = []; state.fileError = null; state.expanded = {}; state.shown = TABLE_PAGE;
    renderTable();
    renderBatchMessages();
    if (file.size > MAX_FILE_MB * 1024 * 1024) {
      state.fileError = msg("batch.err.toobig", { mb: (file.size / 1048576).toFixed(1), max: MAX_FILE_MB });
      renderBatchMessages();
      return;
    }
    $("batch-status").textContent = t("batch.reading", { name: file.name });
    var reader = new FileReader();
    reader.onerror = function () { state.fileError = msg("batch.err.read"); renderBatchMessages(); };
    reader.onload = function () {
      var parsed;
      try { parsed = parseFileContent(file.name, String(reader.result || "")); }
      catch (e) { parsed = { rows: [], bad: [], error: msg("batch.err.read") }; }
      state.badRows = parsed.bad;
      state.fileError = parsed.error;
      state.rows = parsed.rows.map(function (r, idx) {
        return { line: r.line, id: r.id, sendId: r.id || ("line-" + r.line), text: r.text, result: null, feedback: null, idx: idx };
      });
      if (!parsed.error && !state.rows.length) state.fileError = msg("batch.err.no_rows", { name: file.name });
      renderBatchMessages();
      if (state.rows.length) startRun();
      else $("batch-status").textContent = "";
    };
    reader.readAsText(file, "utf-8");
  }

  function startRun() {
    var run = { pos: 0, total: state.rows.length, size: state.batchLimit, cancelled: false, finished: false,
      paused: false, controller: null, name: state.file.name };
    state.run = run;
    $("batch-progress-wrap").hidden = false;
    $("batch-cancel").disabled = false;
    updateProgress();
    continueRun(run);
  }

  function continueRun(run) {
    run.paused = false;
    function step() {
      if (run !== state.run || run.cancelled) return finishRun(run);
      if (run.pos >= run.total) return finishRun(run);
      var chunk = nextChunk(run);
      run.controller = typeof AbortController === "function" ? new AbortController() : null;
      var body = { items: chunk.map(function (r) { return { id: r.sendId, text: r.text }; }), explain: true };
      return request("v1/score/batch", { method: "POST", body: body, signal: run.controller ? run.controller.signal : undefined })
        .then(function (resp) {
          applyBatchResponse(chunk, resp);
          run.pos += chunk.length;
          updateProgress();
          return step();
        }, function (err) {
          if (err && err.name === "AbortError") return finishRun(run);
          if (err instanceof ApiError && err.status === 429) {   // rate limited: wait, then the same chunk again
            return new Promise(function (res) { setTimeout(res, Math.min(60, err.retryAfter) * 1000); }).then(step);
          }
          if (err instanceof ApiError && (err.status === 413 || (err.status === 422 && /items|texts|batch|many|max/i.test(
              (err.field || "") + " " + err.message))) && run.size > 1) {
            run.size = Math.max(1, Math.floor(run.size / 2));   // the service wants smaller batches
            if (chunk.length > 1) return step();
          }
          if (err instanceof NetworkError) {
            run.paused = true;                                  // resumed by the banner's retry
            updateProgress();
            return null;
          }
          // The whole batch was refused: mark its rows bad and carry on with the rest.
          chunk.forEach(function (r) { r.error = err.message; });
          state.badRows = state.badRows.concat(chunk.map(function (r) {
            return badRow(r.line, "row.err.service", { msg: err.message });
          }));
          run.pos += chunk.length;
          updateProgress();
          renderBatchMessages();
          return step();
        });
    }
    return step();
  }

  var encoder = typeof TextEncoder === "function" ? new TextEncoder() : null;

  function utf8Length(s) {
    return encoder ? encoder.encode(s).length : s.length * 3;
  }

  /** The next rows to send: at most run.size items and well under the service's batch body limit. */
  function nextChunk(run) {
    var budget = Math.floor(state.maxBatchBytes * 0.8) - 200;
    var chunk = [], used = 0;
    for (var i = run.pos; i < state.rows.length && chunk.length < run.size; i++) {
      var r = state.rows[i];
      var cost = utf8Length(JSON.stringify({ id: r.sendId, text: r.text })) + 1;
      if (chunk.length && used + cost > budget) break;
      chunk.push(r);
      used += cost;
    }
    return chunk;
  }

  /** Accepts {results: [...]}, {items: [...]} or a bare list; each entry a result, {id, result}, or {id, error}. */
  function applyBatchResponse(chunk, resp) {
    var list = Array.isArray(resp) ? resp : (resp.results || resp.items || []);
    var byId = {};
    list.forEach(function (entry) { if (entry && entry.id !== undefined && entry.id !== null) byId[String(entry.id)] = entry; });
    var byIndex = {};
    list.forEach(function (entry) { if (entry && typeof entry.index === "number") byIndex[entry.index] = entry; });
    chunk.forEach(function (row, i) {
      var entry = byIndex[i] || (list.length === chunk.length ? list[i] : byId[row.sendId]);
      if (entry && entry.id !== undefined && entry.id !== null && String(entry.id) !== row.sendId && byId[row.sendId]) {
        entry = byId[row.sendId];
      }
      var errObj = entry && (entry.error || (entry.ok === false ? entry : null));
      var result = entry && (entry.result || (entry.risk_level ? entry : null));
      if (!entry || errObj || !result) {
        var msg = errObj ? (errObj.message || errObj.code || JSON.stringify(errObj)) : "no result";
        row.error = msg;
        state.badRows.push(badRow(row.line, "row.err.service", { msg: msg }));
      } else {
        row.result = result;
      }
    });
    state.badRows.sort(function (a, b) { return a.line - b.line; });
    renderBatchMessages();
    renderTable();
  }

  function updateProgress() {
    var run = state.run;
    if (!run) return;
    var p = $("batch-progress");
    p.max = Math.max(1, run.total);
    p.value = run.pos;
    p.setAttribute("aria-valuetext", t("batch.progress", { done: run.pos, total: run.total }));
    $("batch-status").textContent = run.paused
      ? t("batch.paused", { done: run.pos, total: run.total })
      : t("batch.progress", { done: run.pos, total: run.total });
  }

  function finishRun(run) {
    if (run.finished) return null;
    run.finished = true;
    if (run !== state.run) return null;
    $("batch-cancel").disabled = true;
    $("batch-progress-wrap").hidden = true;
    $("batch-status").textContent = finishedText(run);
    renderTable();
    return null;
  }

  function finishedText(run) {
    var scored = state.rows.filter(function (r) { return r.result; }).length;
    return run.cancelled || run.pos < run.total
      ? t("batch.done.partial", { done: run.pos, total: run.total, name: run.name })
      : t("batch.done", { n: scored, name: run.name });
  }

  function renderBatchMessages() {
    var box = $("batch-errors");
    clear(box);
    var parts = [];
    if (state.fileError) parts.push(el("p", { "data-testid": "file-error" }, t(state.fileError.key, state.fileError.params)));
    if (state.badRows.length) {
      var lines = state.badRows.map(function (b) { return b.line; });
      var shownLines = lines.length > 30 ? lines.slice(0, 30).join(", ") + ", …" : lines.join(", ");
      parts.push(el("p", { "data-testid": "bad-rows-summary", "data-count": String(lines.length) },
        t("batch.badrows", { n: lines.length, lines: shownLines })));
      var ul = el("ul");
      state.badRows.slice(0, 200).forEach(function (b) {
        var params = Object.assign({ max: state.maxChars }, b.params || {});
        ul.appendChild(el("li", { "data-line": String(b.line) },
          t("batch.badrow.item", { line: b.line, reason: t(b.key, params) })));
      });
      parts.push(el("details", {}, el("summary", {}, t("batch.badrows.details")), ul));
    }
    append(box, parts);
    box.hidden = !parts.length;
    box.className = "notice " + (state.fileError ? "notice-error" : "notice-warn");
  }

  // ------------------------------------------------------------------ results table

  function visibleRows() {
    var rows = state.rows.filter(function (r) { return r.result; });
    if (state.filterLevel) rows = rows.filter(function (r) { return levelOf(r.result) === state.filterLevel; });
    if (state.filterFlag === "__none__") rows = rows.filter(function (r) { return !(r.result.flags || []).length; });
    else if (state.filterFlag) rows = rows.filter(function (r) { return (r.result.flags || []).indexOf(state.filterFlag) >= 0; });
    var sorted = rows.slice();
    if (state.sort === "risk_desc") sorted.sort(function (a, b) { return (b.result.risk_score - a.result.risk_score) || (a.line - b.line); });
    else if (state.sort === "risk_asc") sorted.sort(function (a, b) { return (a.result.risk_score - b.result.risk_score) || (a.line - b.line); });
    else sorted.sort(function (a, b) { return a.line - b.line; });
    return sorted;
  }

  function fillSelect(sel, options, value) {
    clear(sel);
    options.forEach(function (o) { sel.appendChild(el("option", { value: o[0] }, o[1])); });
    sel.value = value;
    if (sel.value !== value) { sel.value = options.length ? options[0][0] : ""; }
  }

  function renderTable() {
    var scored = state.rows.filter(function (r) { return r.result; });
    $("table-area").hidden = !scored.length;
    if (!scored.length) { clear($("results-body")); return; }

    var levelCounts = {}, flagCounts = {}, noFlag = 0;
    scored.forEach(function (r) {
      var lv = levelOf(r.result);
      levelCounts[lv] = (levelCounts[lv] || 0) + 1;
      var fl = r.result.flags || [];
      if (!fl.length) noFlag++;
      fl.forEach(function (f) { flagCounts[f] = (flagCounts[f] || 0) + 1; });
    });
    fillSelect($("filter-level"), [["", t("table.filter.all")]].concat(LEVELS.slice().reverse().map(function (lv) {
      return [lv, t("level." + lv) + " (" + (levelCounts[lv] || 0) + ")"];
    })), state.filterLevel);
    var flagOpts = [["", t("table.filter.all")]];
    Object.keys(flagCounts).sort(function (a, b) { return flagCounts[b] - flagCounts[a] || (a < b ? -1 : 1); })
      .forEach(function (f) { flagOpts.push([f, flagName(f) + " (" + flagCounts[f] + ")"]); });
    flagOpts.push(["__none__", t("table.filter.noflag") + " (" + noFlag + ")"]);
    fillSelect($("filter-flag"), flagOpts, state.filterFlag);
    state.filterFlag = $("filter-flag").value;
    fillSelect($("sort-select"), [["line", t("table.sort.line")], ["risk_desc", t("table.sort.risk_desc")],
      ["risk_asc", t("table.sort.risk_asc")]], state.sort);

    Array.prototype.forEach.call(document.querySelectorAll("#results-table thead th"), function (th) {
      var col = th.getAttribute("data-col");
      th.removeAttribute("aria-sort");
      if (col === "line" && state.sort === "line") th.setAttribute("aria-sort", "ascending");
      if ((col === "level" || col === "score") && state.sort !== "line") {
        th.setAttribute("aria-sort", state.sort === "risk_desc" ? "descending" : "ascending");
      }
      var btn = th.querySelector(".sort-btn");
      if (btn) btn.setAttribute("aria-label", t("table.sortby", { col: btn.textContent }));
    });

    var rows = visibleRows();
    var body = $("results-body");
    clear(body);
    var shown = rows.slice(0, state.shown);
    shown.forEach(function (r) { body.appendChild(tableRow(r)); if (state.expanded[r.line]) body.appendChild(detailRow(r)); });
    $("table-caption").textContent = t("table.caption", { shown: rows.length, total: scored.length });
    $("table-empty").hidden = rows.length > 0;
    var moreId = "table-more";
    var old = $(moreId);
    if (old) old.parentNode.removeChild(old);
    if (rows.length > shown.length) {
      var left = rows.length - shown.length;
      var more = el("button", { type: "button", id: moreId, class: "btn btn-secondary" },
        t("table.more", { n: Math.min(TABLE_PAGE, left) }));
      more.addEventListener("click", function () { state.shown += TABLE_PAGE; renderTable(); });
      $("table-area").appendChild(more);
    }
  }

  function tableRow(r) {
    var res = r.result, level = levelOf(res);
    var detailId = "detail-" + r.line;
    var expanded = !!state.expanded[r.line];
    var btn = el("button", { type: "button", class: "btn btn-secondary btn-small expand-btn", "aria-expanded": String(expanded),
      "aria-controls": detailId, "aria-label": t("table.expand.aria", { line: r.line }) },
      expanded ? t("table.collapse") : t("table.expand"));
    btn.addEventListener("click", function () {
      if (state.expanded[r.line]) delete state.expanded[r.line]; else state.expanded[r.line] = true;
      renderTable();
      var again = document.querySelector('tr.row-main[data-line="' + r.line + '"] .expand-btn');
      if (again) again.focus();
    });
    var chips = el("span", { class: "chips" });
    (res.flags || []).forEach(function (f) { chips.appendChild(el("span", { class: "chip", "data-flag": f }, flagName(f))); });
    var snippet = r.text;
    if (snippet.length > 120) {
      var cut = 117;
      var c = snippet.charCodeAt(cut - 1);
      if (c >= 0xd800 && c <= 0xdbff) cut--;          // never split an emoji's surrogate pair
      snippet = snippet.slice(0, cut) + "…";
    }
    return el("tr", { class: "row-main", "data-line": String(r.line), "data-level": level, "data-score": String(res.risk_score) },
      el("td", { "data-label": t("table.col.line") }, String(r.line)),
      el("td", { "data-label": t("table.col.id"), class: "cell-id" }, r.id || "–"),
      el("td", { "data-label": t("table.col.level") },
        el("span", { class: "badge badge-" + level, "data-level": level }, t("level." + level))),
      el("td", { "data-label": t("table.col.score"), class: "cell-score" }, pct(res.risk_score)),
      el("td", { "data-label": t("table.col.label") }, t("label." + res.label)),
      el("td", { "data-label": t("table.col.flags") }, chips),
      el("td", { "data-label": t("table.col.text"), class: "cell-text" }, snippet),
      el("td", {}, btn));
  }

  function detailRow(r) {
    var td = el("td", { colspan: "8" });
    td.appendChild(renderResultCard(r.text, r, { key: "row-" + r.line, headingTag: "h4",
      title: t("table.col.line") + " " + r.line + (r.id ? " (" + r.id + ")" : "") }));
    return el("tr", { class: "row-detail", id: "detail-" + r.line, "data-line": String(r.line) }, td);
  }

  // ------------------------------------------------------------------ CSV export

  function csvCell(v, guard) {
    var s = v === undefined || v === null ? "" : String(v);
    if (guard && /^[=+\-@\t\r]/.test(s)) s = "'" + s;    // keep spreadsheets from running formulas
    return '"' + s.replace(/"/g, '""') + '"';
  }

  function exportCSV() {
    var rows = visibleRows();
    var head = ["line", "id", "risk_level", "risk_score", "label", "flags", "counter_evidence", "money", "destinations", "model_version", "text"];
    var out = [head.map(function (h) { return csvCell(h); }).join(",")];
    rows.forEach(function (r) {
      var res = r.result;
      var counters = [];
      (res.counter_evidence || []).forEach(function (h) { if (counters.indexOf(h.flag) < 0) counters.push(h.flag); });
      out.push([
        csvCell(r.line), csvCell(r.id || "", true), csvCell(res.risk_level), csvCell(res.risk_score),
        csvCell(res.label), csvCell((res.flags || []).join(";")), csvCell(counters.join(";")),
        csvCell((res.money || []).map(function (m) { return m.text; }).join(" | "), true),
        csvCell((res.destinations || []).join(";")), csvCell(res.model_version || ""), csvCell(r.text, true)
      ].join(","));
    });
    var blob = new Blob(["\ufeff" + out.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
    var url = URL.createObjectURL(blob);
    var base = state.file && state.file.name ? state.file.name.replace(/\.[^.]*$/, "") : "hasil";
    var a = el("a", { href: url, download: base + "-hasil-tppo.csv", hidden: true });
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(url); a.parentNode.removeChild(a); }, 1000);
  }

  // ------------------------------------------------------------------ tooltip for highlights

  var tip = null, tipFor = null, tipPinned = false;

  function showTip(mark, pin) {
    tip = tip || $("tip");
    var marks = [];
    for (var n = mark; n && n.nodeType === 1; n = n.parentNode) {
      if (n.tagName === "MARK" && n._hit) marks.push(n);
      if (n.classList && n.classList.contains("post-text")) break;
    }
    clear(tip);
    var seen = {};
    marks.forEach(function (m) {
      var h = m._hit;
      var k = h.kind + ":" + h.flag;
      if (seen[k]) return;
      seen[k] = true;
      tip.appendChild(el("div", { class: "tip-item" },
        el("strong", {}, (h.kind === "risk" ? "⚑ " : "✓ ") + flagName(h.flag)),
        el("span", {}, hitReason(h.hit))));
    });
    tip.hidden = false;
    tipFor = mark;
    tipPinned = !!pin;
    mark.setAttribute("aria-describedby", "tip");
    var rect = mark.getBoundingClientRect();
    var top = rect.bottom + window.scrollY + 6;
    var left = rect.left + window.scrollX;
    var w = tip.offsetWidth;
    var maxLeft = window.scrollX + document.documentElement.clientWidth - w - 8;
    tip.style.top = top + "px";
    tip.style.left = Math.max(window.scrollX + 8, Math.min(left, maxLeft)) + "px";
  }

  function hideTip() {
    if (!tip) return;
    tip.hidden = true;
    if (tipFor) tipFor.removeAttribute("aria-describedby");
    tipFor = null;
    tipPinned = false;
  }

  function markFrom(target) {
    return target && target.closest ? target.closest("mark.hl") : null;
  }

  // ------------------------------------------------------------------ tabs, events, start-up

  function selectTab(which) {
    var single = which !== "batch";
    $("tab-single").setAttribute("aria-selected", String(single));
    $("tab-batch").setAttribute("aria-selected", String(!single));
    $("tab-single").tabIndex = single ? 0 : -1;
    $("tab-batch").tabIndex = single ? -1 : 0;
    $("panel-single").hidden = !single;
    $("panel-batch").hidden = single;
    hideTip();
  }

  function hasFiles(ev) {
    var types = ev.dataTransfer && ev.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") >= 0;
  }

  function bind() {
    $("lang-toggle").addEventListener("click", function () { setLang(state.lang === "id" ? "en" : "id"); });
    $("banner-retry").addEventListener("click", function () {
      var btn = $("banner-retry");
      btn.disabled = true;
      initData().then(function () {
        btn.disabled = false;
        if (!state.unreachable && state.run && state.run.paused && !state.run.finished) continueRun(state.run);
        if (!state.unreachable && state.single) renderSingle();  // picks up next steps loaded late
      });
    });

    $("single-form").addEventListener("submit", function (ev) { ev.preventDefault(); scoreSingle(); });
    $("post-text").addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); scoreSingle(); }
    });
    $("clear-btn").addEventListener("click", function () {
      $("post-text").value = "";
      state.single = null;
      showSingleError("");
      $("single-loading").textContent = "";
      renderSingle();
      $("post-text").focus();
    });

    [["tab-single", "single"], ["tab-batch", "batch"]].forEach(function (p) {
      $(p[0]).addEventListener("click", function () { selectTab(p[1]); });
      $(p[0]).addEventListener("keydown", function (ev) {
        if (["ArrowLeft", "ArrowRight", "Home", "End"].indexOf(ev.key) < 0) return;
        ev.preventDefault();
        var next = p[1] === "single" ? "batch" : "single";
        if (ev.key === "Home") next = "single";
        if (ev.key === "End") next = "batch";
        selectTab(next);
        $("tab-" + next).focus();
      });
    });

    $("file-input").addEventListener("change", function (ev) {
      var f = ev.target.files && ev.target.files[0];
      if (f) handleFile(f);
      ev.target.value = "";
    });
    var dz = $("dropzone");
    ["dragenter", "dragover"].forEach(function (type) {
      document.addEventListener(type, function (ev) {
        if (!hasFiles(ev)) return;
        ev.preventDefault();
        ev.dataTransfer.dropEffect = "copy";
        dz.classList.add("dragover");
      });
    });
    document.addEventListener("dragleave", function (ev) {
      if (!ev.relatedTarget) dz.classList.remove("dragover");
    });
    document.addEventListener("drop", function (ev) {
      if (!hasFiles(ev)) return;
      ev.preventDefault();                 // never let the browser navigate away to the file
      dz.classList.remove("dragover");
      var f = ev.dataTransfer.files && ev.dataTransfer.files[0];
      if (f) handleFile(f);
    });
    $("batch-cancel").addEventListener("click", function () {
      var run = state.run;
      if (!run || run.finished) return;
      run.cancelled = true;
      if (run.controller) run.controller.abort();
      if (run.paused) finishRun(run);
    });

    $("filter-level").addEventListener("change", function (ev) { state.filterLevel = ev.target.value; state.shown = TABLE_PAGE; renderTable(); });
    $("filter-flag").addEventListener("change", function (ev) { state.filterFlag = ev.target.value; state.shown = TABLE_PAGE; renderTable(); });
    $("sort-select").addEventListener("change", function (ev) { state.sort = ev.target.value; renderTable(); });
    Array.prototype.forEach.call(document.querySelectorAll(".sort-btn"), function (btn) {
      btn.addEventListener("click", function () {
        var k = btn.getAttribute("data-sort");
        state.sort = k === "line" ? "line" : (state.sort === "risk_desc" ? "risk_asc" : "risk_desc");
        renderTable();
        var same = document.querySelector('.sort-btn[data-sort="' + k + '"]');
        if (same) same.focus();
      });
    });
    $("export-btn").addEventListener("click", exportCSV);

    // Highlight explanations: hover, keyboard focus, or tap (pins until tapped elsewhere / Escape).
    document.addEventListener("mouseover", function (ev) {
      var m = markFrom(ev.target);
      if (m && !tipPinned) showTip(m, false);
    });
    document.addEventListener("mouseout", function (ev) {
      var m = markFrom(ev.target);
      if (m && !tipPinned && !markFrom(ev.relatedTarget)) hideTip();
    });
    document.addEventListener("focusin", function (ev) {
      var m = markFrom(ev.target);
      if (m) showTip(m, false); else if (!tipPinned) hideTip();
    });
    document.addEventListener("click", function (ev) {
      var m = markFrom(ev.target);
      if (m) showTip(m, true);
      else if (tipPinned && !(tip && tip.contains(ev.target))) hideTip();
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") hideTip();
      var m = markFrom(ev.target);
      if (m && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); showTip(m, true); }
    });
    window.addEventListener("resize", hideTip);
  }

  function start() {
    var saved = null;
    try { saved = window.localStorage.getItem("tppo.lang"); } catch (e) { /* ignore */ }
    state.lang = saved === "en" ? "en" : "id";
    applyI18n();
    bind();
    initData();
    window.setInterval(function () {
      if (!document.hidden && !state.unreachable) refreshStats().catch(swallow);
    }, 60000);
  }

  // A small surface for tests and debugging (pure functions only).
  window.TPPO = {
    cpToUtf16Map: cpToUtf16Map,
    toUtf16Spans: toUtf16Spans,
    parseCSV: parseCSV,
    parseJSONL: parseJSONL,
    codePointLength: codePointLength,
    state: state
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
