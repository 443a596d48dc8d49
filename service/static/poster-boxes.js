/* Pure helpers for the poster check (no DOM): where each evidence box goes on the shown image, and the
 * read text cut into plain and flagged pieces. A test can import this module on its own.
 *
 * Boxes come in the image's own pixels (as decoded, EXIF orientation applied); they are returned as
 * percentages of its width and height, so they stay on their words whatever size the image is shown at.
 * Offsets are Python code points; JS strings index UTF-16 units, so the text is cut by code points. */

/** One entry per box: {index, flag, kind ("risk" | "counter"), text, left, top, width, height} (percent). */
export function boxPlacements(record) {
  const ocr = record && record.ocr;
  if (!ocr || !(ocr.width > 0) || !(ocr.height > 0)) return [];
  const out = [];
  const add = (hits, entries, kind) => {
    (entries || []).forEach((entry, i) => {
      const hit = (hits || [])[i] || {};
      (entry.boxes || []).forEach((b) => {
        out.push({
          index: i, flag: entry.flag, kind, text: hit.text || "",
          left: (100 * b.x) / ocr.width, top: (100 * b.y) / ocr.height,
          width: (100 * b.w) / ocr.width, height: (100 * b.h) / ocr.height,
        });
      });
    });
  };
  add(record.evidence, record.boxes, "risk");
  add(record.counter_evidence, record.counter_boxes, "counter");
  return out;
}

/** The text as [{text, flag, kind}] pieces, flag null for plain text; overlapping evidence: first wins. */
export function textPieces(text, record) {
  const chars = Array.from(text || "");
  const marks = new Array(chars.length).fill(null);
  const mark = (hits, kind) => (hits || []).forEach((h) => {
    for (let i = Math.max(0, h.start); i < Math.min(chars.length, h.end); i++) {
      if (marks[i] === null) marks[i] = { flag: h.flag, kind };
    }
  });
  mark(record && record.evidence, "risk");
  mark(record && record.counter_evidence, "counter");
  const pieces = [];
  chars.forEach((ch, i) => {
    const m = marks[i];
    const last = pieces[pieces.length - 1];
    if (last && (last.flag === (m && m.flag)) && (last.kind === (m && m.kind))) last.text += ch;
    else pieces.push({ text: ch, flag: m && m.flag, kind: m && m.kind });
  });
  return pieces;
}
