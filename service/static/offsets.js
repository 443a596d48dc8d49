/* The service reports evidence as Python str indices (Unicode code points); JS strings index UTF-16
 * units (an emoji flag such as 🇰🇭 is 2 code points and 4 UTF-16 units). This is the one module that
 * converts them. Pure: no DOM. */

export function codePointLength(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** map[k] = the UTF-16 index of code point k (map has codePointLength(text)+1 entries). */
export function cpToUtf16Map(text) {
  const map = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    map.push(i + 1);
  }
  return map;
}

/** Convert the service's code-point spans to UTF-16 spans that slice ``text`` to ``hit.text``. */
export function toUtf16Spans(text, hits, kind) {
  const map = cpToUtf16Map(text);
  const out = [];
  (hits || []).forEach((h, idx) => {
    const s = Number(h.start), e = Number(h.end);
    if (!Number.isFinite(s) || !Number.isFinite(e) || e <= s) return;
    let us = map[Math.min(Math.max(s, 0), map.length - 1)];
    let ue = map[Math.min(Math.max(e, 0), map.length - 1)];
    let realigned = false;
    if (typeof h.text === "string" && h.text && text.slice(us, ue) !== h.text) {
      realigned = true;
      // Defensive: a span that does not match (e.g. offsets already in UTF-16): look nearby.
      if (text.slice(s, e) === h.text) { us = s; ue = e; } else {
        let found = text.indexOf(h.text, Math.max(0, us - 8));
        if (found < 0) found = text.indexOf(h.text);
        if (found < 0) return;
        us = found; ue = found + h.text.length;
      }
    }
    if (ue <= us) return;
    out.push({ s: us, e: ue, kind, flag: String(h.flag || ""), hit: h, order: idx, realigned });
  });
  return out;
}

export function cmpSpans(a, b) {
  return a.s - b.s || b.e - a.e || (a.kind === b.kind ? 0 : a.kind === "risk" ? -1 : 1) || a.order - b.order;
}

/** Cut ``text`` to at most ``max`` UTF-16 units plus "…", never splitting a surrogate pair. */
export function snippet(text, max = 120) {
  if (text.length <= max) return text;
  let cut = max - 3;
  const c = text.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--;
  return text.slice(0, cut) + "…";
}
