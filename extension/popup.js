/* Popup: check a pasted text, show the service's state, enable the extension on the current site. */
"use strict";
(() => {
  const T = globalThis.TPPO;
  const $ = (id) => document.getElementById(id);

  const TITLES = {
    unknown: "Belum ada permintaan ke layanan",
    ok: "Layanan tersambung",
    unreachable: "Layanan tidak dapat dihubungi",
    key_rejected: "Kunci API ditolak",
    rate_limited: "Dibatasi sementara",
    model_unavailable: "Model belum siap",
    no_permission: "Izin belum diberikan",
    bad_url: "URL layanan tidak valid",
    http_error: "Layanan menolak permintaan",
  };

  function send(msg) {
    return chrome.runtime.sendMessage(msg).catch((e) => ({ error: { code: "internal", message: String(e.message || e) } }));
  }

  let countdown = null;

  function renderState(state, serviceUrl) {
    const box = $("state");
    const st = state || { status: "unknown" };
    box.dataset.state = st.status;
    box.setAttribute("role", ["ok", "unknown"].includes(st.status) ? "status" : "alert");
    $("state-title").textContent = TITLES[st.status] || st.status;
    clearInterval(countdown);
    const text = $("state-text");
    if (st.status === "unknown") {
      text.textContent = "Layanan: " + (serviceUrl || st.serviceUrl || "?");
    } else if (st.status === "ok") {
      text.textContent = (st.serviceUrl || serviceUrl || "") + (st.modelVersion ? " · model " + st.modelVersion : "");
    } else if (st.status === "rate_limited" && st.until) {
      const tick = () => {
        const left = Math.ceil((st.until - Date.now()) / 1000);
        text.textContent = left > 0
          ? `Layanan membatasi jumlah permintaan (HTTP 429). Coba lagi dalam ${left} detik.`
          : "Batas permintaan sudah lewat; silakan coba lagi.";
        if (left <= 0) clearInterval(countdown);
      };
      tick();
      countdown = setInterval(tick, 1000);
    } else {
      text.textContent = st.message || "";
    }
  }

  function flagList(flags, evidence, cls) {
    const ul = document.createElement("ul");
    ul.className = cls;
    for (const flag of flags) {
      const ev = evidence.filter((e) => e.flag === flag);
      const li = document.createElement("li");
      li.dataset.flag = flag;
      const b = document.createElement("strong");
      b.textContent = T.flagLabel(flag);
      const code = document.createElement("code");
      code.textContent = " (" + flag + ")";
      li.append(b, code);
      const words = [...new Set(ev.map((e) => e.text).filter(Boolean))];
      if (words.length) {
        li.append(": ");
        words.forEach((w, i) => {
          if (i) li.append(", ");
          const q = document.createElement("q");
          q.textContent = w;
          li.append(q);
        });
      }
      if (ev[0] && ev[0].reason) {
        const r = document.createElement("div");
        r.className = "reason";
        r.textContent = ev[0].reason;
        li.append(r);
      }
      ul.append(li);
    }
    return ul;
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
      p.textContent = code in TITLES ? "Teks belum diperiksa — lihat keterangan di atas."
        : (out.error && out.error.message) || "Gagal memeriksa teks.";
      box.append(p);
      return;
    }
    const r = out.result;
    const pill = document.createElement("span");
    pill.className = "pill";
    pill.dataset.level = r.level;
    pill.textContent = (T.LEVEL_TEXT[r.level] || r.level) + " · " + Math.round(r.score * 100) + "%";
    box.append(pill);
    if (r.flags.length) {
      const h = document.createElement("h2");
      h.textContent = "Tanda bahaya (" + r.flags.length + ")";
      box.append(h, flagList(r.flags, r.evidence, "flags"));
    } else {
      const p = document.createElement("p");
      p.textContent = "Tidak ada tanda bahaya yang dikenali.";
      box.append(p);
    }
    const counter = [...new Set(r.counter.map((e) => e.flag))];
    if (counter.length) {
      const h = document.createElement("h2");
      h.textContent = "Tanda lowongan resmi";
      box.append(h, flagList(counter, r.counter, "counter"));
    }
  }

  async function check() {
    const text = $("text").value.trim();
    if (!text) { $("text").focus(); return; }
    const btn = $("check");
    btn.disabled = true;
    btn.textContent = "Memeriksa…";
    try {
      const out = await send({ type: "scoreText", text });
      renderResult(out);
      const st = await send({ type: "status" });
      renderState(st.state, st.serviceUrl);
    } finally {
      btn.disabled = false;
      btn.textContent = "Periksa";
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
      $("site-text").textContent = "Aktif di " + site.host + (site.kind === "builtin" ? " (" + site.name + ")" : "") + ".";
      return;
    }
    if (site.kind === "builtin-off") {
      $("site-text").textContent = site.name + " dimatikan di Pengaturan.";
      return;
    }
    $("site-text").textContent = "Tidak aktif di " + site.host + ".";
    btn.hidden = false;
    btn.addEventListener("click", async () => {
      const origins = T.sitePatterns(site.host);
      let granted = false;
      try { granted = await chrome.permissions.request({ origins }); } catch (_) { granted = false; }
      if (!granted) { $("site-text").textContent = "Izin untuk " + site.host + " tidak diberikan."; return; }
      const res = await send({ type: "addCustomSite", host: site.host, tabId: tab.id });
      $("site-text").textContent = res && res.ok ? "Aktif di " + site.host + "." : (res && res.message) || "Gagal.";
      btn.hidden = !!(res && res.ok);
    });
  }

  async function init() {
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
      renderResult(lastCheck.out);
    }
    siteSection().catch(() => {});
  }

  init();
})();
