/* Reading a file of posts into rows. Pure: no DOM, so tests can import it.
 *
 * - JSONL (.jsonl/.ndjson/.json, or content starting with { [ "): one object with "text" (optional
 *   id, url, account, date) or one JSON string per line; a JSON array is accepted too.
 * - CSV (.csv/.tsv, or .txt with a header naming a text column): the delimiter is sniffed (; , tab),
 *   quoted fields may hold delimiters, "" and newlines. With no text column the caller gets
 *   ``pick`` (the columns found) and asks the moderator which column holds the posts.
 * - Plain text (.txt, or anything else with no delimiter structure): one post per line, or one
 *   per blank-line-separated block when the file has multi-line blocks.
 *
 * Each row is {line, id, text, url, account, date}; ``line`` is where the post starts in the file.
 * A bad row becomes {line, key, params} (an i18n key), never silently dropped. */

import { codePointLength } from "./offsets.js";

export const TEXT_COLUMNS = ["text", "teks", "isi postingan", "isi unggahan", "postingan", "unggahan", "post",
  "content", "konten", "message", "caption", "isi", "body", "deskripsi", "description"];
export const ID_COLUMNS = ["id", "post_id", "postid", "uid", "id postingan"];
export const EXTRA_COLUMNS = {
  url: ["url", "link", "tautan", "permalink", "post_url"],
  account: ["account", "akun", "author", "user", "username", "nama akun", "pengunggah", "poster"],
  date: ["date", "tanggal", "waktu", "time", "timestamp", "created_at", "posted_at"],
};
const DELIMITERS = [",", ";", "\t"];

function norm(h) { return String(h).trim().toLowerCase().replace(/[_\s]+/g, " "); }

function indexOfAny(header, names) {
  const wanted = names.map(norm);
  for (const name of wanted) {
    const i = header.indexOf(name);
    if (i >= 0) return i;
  }
  return -1;
}

export function rowProblem(text, maxChars) {
  if (typeof text !== "string" || !text.trim()) return "row.err.notext";
  if (text.indexOf("\u0000") >= 0) return "row.err.nul";
  if (text.length > maxChars && codePointLength(text) > maxChars) return "row.err.toolong";
  return null;
}

const bad = (line, key, params) => ({ line, key, params: params || null });
const msg = (key, params) => ({ key, params: params || null });
const str = (v) => (v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));

export function parseJSONL(content, maxChars) {
  const rows = [], errors = [];
  content.split(/\r\n|\n|\r/).forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    let obj;
    try { obj = JSON.parse(raw); } catch { errors.push(bad(line, "row.err.json")); return; }
    let text, id, extra = {};
    if (typeof obj === "string") text = obj;
    else if (obj && typeof obj === "object" && !Array.isArray(obj)) {
      const keys = Object.keys(obj), header = keys.map(norm);
      const ti = indexOfAny(header, TEXT_COLUMNS);
      if (ti >= 0) text = obj[keys[ti]];
      if (typeof obj.id === "string" || typeof obj.id === "number") id = String(obj.id);
      for (const [field, names] of Object.entries(EXTRA_COLUMNS)) {
        const k = indexOfAny(header, names);
        if (k >= 0 && obj[keys[k]] !== null && obj[keys[k]] !== undefined) extra[field] = str(obj[keys[k]]);
      }
    } else { errors.push(bad(line, "row.err.notobj")); return; }
    const err = rowProblem(text, maxChars);
    if (err) { errors.push(bad(line, err, { max: maxChars })); return; }
    rows.push(Object.assign({ line, id, text }, extra));
  });
  return { rows, bad: errors, error: null, pick: null };
}

/** RFC 4180 records (quoted fields may hold delimiters, "" and newlines), with the line each starts on. */
export function csvRecords(content, delim) {
  const records = [];
  let i = 0, line = 1, field = "", fields = [], recLine = 1, inQuotes = false, quoted = false, any = false;
  const n = content.length;
  const endField = () => { fields.push(field); field = ""; quoted = false; };
  const endRecord = () => { endField(); records.push({ line: recLine, fields }); fields = []; any = false; };
  while (i < n) {
    const c = content.charAt(i);
    if (inQuotes) {
      if (c === '"') {
        if (content.charAt(i + 1) === '"') { field += '"'; i += 2; continue; }
        inQuotes = false; i++; continue;
      }
      if (c === "\r" && content.charAt(i + 1) === "\n") { field += "\r\n"; line++; i += 2; continue; }
      if (c === "\n" || c === "\r") line++;
      field += c; i++; continue;
    }
    if (c === '"' && field === "" && !quoted) { inQuotes = true; quoted = true; any = true; i++; continue; }
    if (c === delim) { endField(); any = true; i++; continue; }
    if (c === "\r" || c === "\n") {
      if (c === "\r" && content.charAt(i + 1) === "\n") i++;
      i++; endRecord(); line++; recLine = line; continue;
    }
    field += c; any = true; i++;
  }
  if (inQuotes) records.push({ line: recLine, fields: null, unterminated: true });
  else if (any || field !== "" || fields.length) endRecord();
  return records;
}

/** The delimiter that splits the first lines into the same number (>1) of fields; null if none does. */
export function sniffDelimiter(content) {
  const lines = content.split(/\r\n|\n|\r/).filter((l) => l.trim()).slice(0, 6);
  if (!lines.length) return null;
  let best = null, bestScore = 0;
  for (const d of DELIMITERS) {
    const counts = lines.map((l) => l.split(d).length - 1);
    const first = counts[0];
    if (first < 1) continue;
    const consistent = counts.filter((c) => c >= first).length;  // quoted newlines may shorten a line
    const score = consistent * 10 + first;
    if (consistent >= Math.ceil(lines.length / 2) && score > bestScore) { best = d; bestScore = score; }
  }
  return best;
}

/** Rows of CSV records with the posts in column ``ti`` (records[0] is the header when ``header``). */
function csvRows(recs, ti, header, maxChars) {
  const names = header ? recs[0].fields.map(norm) : [];
  const ii = header ? indexOfAny(names, ID_COLUMNS) : -1;
  const extras = {};
  if (header) for (const [field, list] of Object.entries(EXTRA_COLUMNS)) extras[field] = indexOfAny(names, list);
  const rows = [], errors = [];
  for (let k = header ? 1 : 0; k < recs.length; k++) {
    const rec = recs[k];
    if (rec.unterminated) { errors.push(bad(rec.line, "row.err.quote")); continue; }
    const f = rec.fields;
    if (f.every((x) => x.trim() === "")) continue;  // blank line
    const text = f.length > ti ? f[ti] : undefined;
    const err = rowProblem(text, maxChars);
    if (err) { errors.push(bad(rec.line, err, { max: maxChars })); continue; }
    const row = { line: rec.line, id: ii >= 0 && f[ii] && f[ii].trim() ? f[ii].trim() : undefined, text };
    for (const [field, j] of Object.entries(extras)) if (j >= 0 && f[j] && f[j].trim()) row[field] = f[j].trim();
    rows.push(row);
  }
  return { rows, bad: errors, error: null, pick: null };
}

/** CSV with a sniffed delimiter. ``column`` (0-based) and ``header`` answer an earlier ``pick``. */
export function parseCSV(content, maxChars, opts = {}) {
  const delim = opts.delimiter || sniffDelimiter(content) || ",";
  const recs = csvRecords(content, delim);
  if (!recs.length || recs[0].unterminated) return { rows: [], bad: [], error: msg("batch.err.empty_file"), pick: null };
  const header = opts.header !== false;
  if (Number.isInteger(opts.column)) return csvRows(recs, opts.column, header, maxChars);
  const ti = indexOfAny(recs[0].fields.map(norm), TEXT_COLUMNS);
  if (ti >= 0) return csvRows(recs, ti, true, maxChars);
  const sample = recs.length > 1 && recs[1].fields ? recs[1].fields : [];
  return {
    rows: [], bad: [], error: null,
    pick: { delimiter: delim, columns: recs[0].fields.map((name, i) => ({ index: i, name, sample: sample[i] || "" })) },
  };
}

/** One post per line, or per blank-line-separated block when any block spans several lines. */
export function parsePlainText(content, maxChars) {
  const lines = content.split(/\r\n|\n|\r/);
  const blocks = [];
  let cur = null;
  lines.forEach((l, i) => {
    if (!l.trim()) { cur = null; return; }
    if (!cur) { cur = { line: i + 1, lines: [] }; blocks.push(cur); }
    cur.lines.push(l);
  });
  const byBlock = blocks.length > 1 && blocks.some((b) => b.lines.length > 1);
  const units = byBlock
    ? blocks.map((b) => ({ line: b.line, text: b.lines.join("\n").trim() }))
    : lines.map((l, i) => ({ line: i + 1, text: l.trim() })).filter((u) => u.text);
  const rows = [], errors = [];
  for (const u of units) {
    const err = rowProblem(u.text, maxChars);
    if (err) errors.push(bad(u.line, err, { max: maxChars }));
    else rows.push({ line: u.line, id: undefined, text: u.text });
  }
  return { rows, bad: errors, error: null, pick: null, mode: byBlock ? "blocks" : "lines" };
}

/** {rows, bad, error, pick, mode}: ``pick`` set means "ask which column holds the posts". */
export function parseFileContent(name, content, maxChars, opts = {}) {
  if (content.charCodeAt(0) === 0xfeff) content = content.slice(1);
  if (!content.trim()) return { rows: [], bad: [], error: msg("batch.err.empty_file"), pick: null };
  const lower = String(name || "").toLowerCase();
  const first = content.replace(/^\s+/, "").charAt(0);
  const jsonish = /\.(jsonl|ndjson|json)$/.test(lower)
    || (!/\.(csv|tsv|txt)$/.test(lower) && (first === "{" || first === "[" || first === '"'));
  if (jsonish) {
    if (first === "[") {
      try {
        const arr = JSON.parse(content);
        if (Array.isArray(arr)) return parseJSONL(arr.map((x) => JSON.stringify(x)).join("\n"), maxChars);
      } catch { /* fall through to JSONL errors */ }
    }
    return Object.assign(parseJSONL(content, maxChars), { mode: "jsonl" });
  }
  if (opts.plain) return parsePlainText(content, maxChars);
  if (/\.(csv|tsv)$/.test(lower)) return Object.assign(parseCSV(content, maxChars, opts), { mode: "csv" });
  // .txt or unknown: CSV only when the first line names a text column; otherwise a list of posts.
  const delim = sniffDelimiter(content);
  if (delim || Number.isInteger(opts.column)) {
    const firstRec = csvRecords(content.split(/\r\n|\n|\r/, 1)[0], delim || ",")[0];
    if (Number.isInteger(opts.column) || (firstRec && indexOfAny(firstRec.fields.map(norm), TEXT_COLUMNS) >= 0)) {
      return Object.assign(parseCSV(content, maxChars, Object.assign({ delimiter: delim }, opts)), { mode: "csv" });
    }
  }
  return parsePlainText(content, maxChars);
}
