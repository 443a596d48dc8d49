/* Calls to the detector service, and what the page learnt from it (model, limits, indicators,
 * next steps). A 502/503/504 (but a 503 ocr_unavailable, which concerns image uploads only) or a
 * network failure makes the service "unreachable"; listeners registered with onReachability() hear
 * about each change. request() sends JSON (opts.body) or a multipart form (opts.form). */
import { t } from "./i18n.js";

export const service = {
  model: null,
  indicators: {},
  nextSteps: null,
  maxChars: 20000,
  batchLimit: 100,
  maxBatchBytes: 8 * 1024 * 1024,
  unreachable: false,
};

export class NetworkError extends Error {
  constructor(message) { super(message); this.name = "NetworkError"; }
}

export class ApiError extends Error {
  constructor(status, body) {
    const e = body && body.error ? body.error : null;
    let msg = e && e.message ? e.message : null;
    if (!msg && body && body.detail) msg = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
    super(msg || t("err.http", { status }));
    this.name = "ApiError";
    this.status = status;
    this.code = e && e.code ? e.code : "http_" + status;
    this.field = e && e.field ? e.field : null;
  }
}

const listeners = [];
export function onReachability(fn) { listeners.push(fn); }

function setUnreachable(flag, why) {
  const changed = service.unreachable !== flag;
  service.unreachable = flag;
  for (const fn of listeners) fn(flag, why || "", changed);
}

export async function request(path, opts = {}) {
  const init = {
    method: opts.method || "GET",
    headers: { Accept: "application/json" },
    cache: "no-store",
    credentials: "same-origin",
    signal: opts.signal,
  };
  if (opts.form !== undefined) {
    init.body = opts.form;   // multipart (an image): the browser sets Content-Type with its boundary
  } else if (opts.body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(opts.body);
  }
  let resp;
  try {
    resp = await fetch(path, init);
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    setUnreachable(true);
    throw new NetworkError(String((err && err.message) || err));
  }
  const raw = await resp.text();
  let body = null;
  if (raw) { try { body = JSON.parse(raw); } catch { body = null; } }
  const code = body && body.error && body.error.code;
  // ocr_unavailable: the service is up and scores texts; only reading images is not installed there
  if (resp.status === 502 || (resp.status === 503 && code !== "ocr_unavailable") || resp.status === 504) {
    // A proxy without its backend, or the service without a usable model: not usable either way.
    const why = body && body.error && body.error.message ? body.error.message : "HTTP " + resp.status;
    setUnreachable(true, why);
    throw new NetworkError(why);
  }
  setUnreachable(false);
  if (!resp.ok) {
    const apiErr = new ApiError(resp.status, body);
    const ra = Number(resp.headers.get("Retry-After"));
    if (resp.status === 429) apiErr.retryAfter = Number.isFinite(ra) && ra > 0 ? ra : 2;
    throw apiErr;
  }
  if (body === null) throw new ApiError(resp.status, { error: { code: "bad_json", message: "invalid JSON" } });
  return body;
}

export async function loadModel() {
  const m = await request("v1/model");
  service.model = m;
  const limits = m.limits || {};
  const bl = limits.batch_max_items || m.batch_max_items;
  if (bl && Number(bl) > 0) service.batchLimit = Number(bl);
  const mc = limits.max_text_chars || m.max_text_chars;
  if (mc && Number(mc) > 0) service.maxChars = Number(mc);
  const mb = limits.max_batch_body_bytes;
  if (mb && Number(mb) > 0) service.maxBatchBytes = Number(mb);
  return m;
}

export async function loadIndicators() {
  const data = await request("v1/indicators");
  const list = Array.isArray(data) ? data : (data.indicators || []);
  const map = {};
  for (const ind of list) if (ind && ind.name) map[ind.name] = ind;
  service.indicators = map;
}

export async function loadNextSteps() {
  service.nextSteps = await request("static/next_steps.json");
}

export function modelVersion() {
  const m = service.model;
  return (m && (m.version || m.model_version)) || "";
}

/** Log what is not a plain network failure (those show in the banner). */
export function swallow(err) { if (!(err instanceof NetworkError)) console.warn(err); }
