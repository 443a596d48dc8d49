/* DOM helpers. Text (post text above all) only ever becomes a text node: never innerHTML. */

export const $ = (id) => document.getElementById(id);

/** el("div", {class: "x", "data-flag": f}, child, "text", ...): children are nodes or text. */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k === "hidden") node.hidden = true;
      else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
  }
  for (const c of children) append(node, c);
  return node;
}

export function append(parent, child) {
  if (child === undefined || child === null || child === false) return;
  if (Array.isArray(child)) { child.forEach((c) => append(parent, c)); return; }
  parent.appendChild(typeof child === "string" || typeof child === "number"
    ? document.createTextNode(String(child)) : child);
}

export function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

export function fillSelect(sel, options, value) {
  clear(sel);
  for (const [v, text] of options) sel.appendChild(el("option", { value: v }, text));
  sel.value = value;
  if (sel.value !== value) sel.value = options.length ? options[0][0] : "";
}

/** Offer ``content`` as a download named ``name``. */
export function download(name, content, type) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = el("a", { href: url, download: name, hidden: true });
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 1000);
}
