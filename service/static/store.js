/* The review queue's storage: every scanned post, its result, review state and history, kept in
 * IndexedDB so that a reload (or a closed tab) loses nothing. Falls back to memory when IndexedDB
 * is unavailable (some private modes), and says so through ``persistent``.
 *
 * An item: {key, source, sourceName, addedAt, line, id, text, url, account, date, result, error,
 *           review: new|correct|corrected|escalated, reviewLevel, feedback, history: [{at, action, by, detail}]} */

const DB_NAME = "tppo-moderator";
const DB_VERSION = 1;
const STORE = "queue";

let db = null;
const memory = new Map();
export let persistent = false;

export function openStore() {
  return new Promise((resolve) => {
    let req;
    try { req = indexedDB.open(DB_NAME, DB_VERSION); } catch { resolve(false); return; }
    req.onupgradeneeded = () => {
      const d = req.result;
      if (!d.objectStoreNames.contains(STORE)) d.createObjectStore(STORE, { keyPath: "key" });
    };
    req.onsuccess = () => { db = req.result; persistent = true; resolve(true); };
    req.onerror = () => resolve(false);
    req.onblocked = () => resolve(false);
  });
}

function tx(mode, work) {
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const out = work(t.objectStore(STORE));
    t.oncomplete = () => resolve(out && "result" in out ? out.result : undefined);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

export async function allItems() {
  if (!db) return [...memory.values()];
  return tx("readonly", (s) => s.getAll());
}

/** Write items (new or changed). Each is stored as a plain structured clone. */
export async function putItems(items) {
  if (!items.length) return;
  if (!db) { for (const it of items) memory.set(it.key, it); return; }
  await tx("readwrite", (s) => { for (const it of items) s.put(it); });
}

export async function deleteItems(keys) {
  if (!db) { for (const k of keys) memory.delete(k); return; }
  await tx("readwrite", (s) => { for (const k of keys) s.delete(k); });
}

export async function clearItems() {
  if (!db) { memory.clear(); return; }
  await tx("readwrite", (s) => s.clear());
}
