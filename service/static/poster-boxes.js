/* Pure helper for the poster check (no DOM): where each evidence box goes on the shown image. A test
 * can import this module on its own. (The text read is marked by result-card.js, whose offsets.js turns
 * code points into UTF-16, as for a pasted post.)
 *
 * Boxes come in the image's own pixels (as decoded, EXIF orientation applied); they are returned as
 * percentages of its width and height, so they stay on their words whatever size the image is shown at. */

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
