/* The context menu's result panel: what "Periksa lowongan ini" (a selected text) and "Periksa gambar
 * lowongan ini" (a poster image) show on the page.
 *
 * viewOf() turns a check's outcome into the panel's words (from the result's shared record view and
 * strings.js), for an image with the start of the text read from it; showResultPanel() is injected into
 * the page with chrome.scripting and so must stay self-contained (no imports, no closures). */
import { tr } from "./strings.js";

/** Injected into the page (activeTab) to show the result of a context-menu check. Self-contained. */
export function showResultPanel(view) {
  try {
    const old = document.getElementById("tppo-check-panel");
    if (old) old.remove();
    const host = document.createElement("div");
    host.id = "tppo-check-panel";
    const shadow = host.attachShadow({ mode: "open" });
    const colors = { rendah: "#1b6e3a", sedang: "#8a5300", tinggi: "#b3261e", fraud: "#8a4b00", info: "#3d5a80" };
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
    box.setAttribute("aria-label", view.words.dialog);
    const close = document.createElement("button");
    close.textContent = "×";
    close.setAttribute("aria-label", view.words.close);
    close.addEventListener("click", () => host.remove());
    box.appendChild(close);
    const h = document.createElement("h2");
    h.textContent = view.words.title;
    box.appendChild(h);
    if (view.error) {
      const p = document.createElement("p");
      p.textContent = view.error;
      box.appendChild(p);
    } else {
      const lvl = document.createElement("span");
      lvl.className = "lvl";
      lvl.style.background = colors[view.tone] || colors[view.level] || "#555";
      lvl.textContent = view.headline;
      box.appendChild(lvl);
      const kind = document.createElement("div");
      kind.textContent = view.kindText;
      kind.className = "r";
      box.appendChild(kind);
      for (const [title, items] of [[view.words.flags, view.flags], [view.words.counter, view.counter]]) {
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
        p.textContent = view.words.none;
        box.appendChild(p);
      }
      if (view.readText) {
        const p = document.createElement("p");
        p.className = "r";
        p.textContent = view.readText;
        box.appendChild(p);
      }
    }
    shadow.append(style, box);
    (document.body || document.documentElement).appendChild(host);
    close.focus();
    setTimeout(() => { if (host.isConnected) host.remove(); }, 60000);
  } catch (_) { /* never break the page */ }
}

/** Characters of the text read from an image that the panel shows. */
const READ_TEXT_SHOWN = 400;

/** The panel's view of ``out`` ({result} or {error}; an image check's also has ``readText``). */
export function viewOf(out, lang, image = false) {
  const s = (k, p) => tr(lang, k, p);
  const words = { title: s(image ? "menu.check_image" : "menu.check"), dialog: s("result.panel"),
                  close: s("result.close"), flags: s("result.flags", { n: "" }).replace(/\s*\(\)$/, ""),
                  counter: s("result.counter"), none: s("result.noflags") };
  if (!out.result) return { words, error: (out.error && out.error.message) || s("popup.failed") };
  const r = out.result;
  const read = String(out.readText || "");
  const readText = read ? s("result.read", { text: read.slice(0, READ_TEXT_SHOWN) + (read.length > READ_TEXT_SHOWN ? "…" : "") }) : "";
  return { words, level: r.level, tone: r.tone, headline: r.badgeText + " (" + r.scoreText + ")",
           kindText: r.kindText, flags: r.groups || [], counter: r.counterGroups || [], readText };
}

