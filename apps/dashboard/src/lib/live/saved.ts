/**
 * The last numbers a wall display showed, kept in the browser's IndexedDB: a screen that
 * reboots without network starts from them (with the offline banner) instead of from the older
 * copy of the page the service worker kept. One record per (unit, window); nothing here is
 * needed for the screen to work, so every failure (no IndexedDB, a full disk) is swallowed.
 */
import type { Series, Snapshot } from '@motcua/contract';

export interface SavedDisplay {
  /** `unit|window`. */
  key: string;
  snapshot: Snapshot;
  trend: Series | null;
  /** When this browser last received a live snapshot (epoch ms): the connection was good then. */
  liveAt: number;
}

const DB = 'motcua-display';
const STORE = 'last';

export const savedKey = (unit: string, window: string) => `${unit}|${window}`;

function open(): Promise<IDBDatabase | null> {
  if (typeof indexedDB === 'undefined') return Promise.resolve(null);
  return new Promise((resolve) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => resolve(null);
    req.onblocked = () => resolve(null);
  });
}

async function run<T>(
  mode: IDBTransactionMode,
  op: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T | null> {
  const db = await open();
  if (!db) return null;
  try {
    return await new Promise<T | null>((resolve) => {
      const tx = db.transaction(STORE, mode);
      const req = op(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => resolve(null);
      tx.onabort = () => resolve(null);
    });
  } catch {
    return null;
  } finally {
    db.close();
  }
}

/** The kept numbers of a display, or null. */
export async function readSaved(key: string): Promise<SavedDisplay | null> {
  const value = await run<SavedDisplay | undefined>('readonly', (s) => s.get(key));
  return value ?? null;
}

/** Keeps a display's numbers (replacing the previous ones); plain data only, no Svelte proxies. */
export async function writeSaved(value: SavedDisplay): Promise<void> {
  await run('readwrite', (s) => s.put(value));
}

/** Forgets every kept display (the link was revoked: its numbers must not come back). */
export async function forgetSaved(): Promise<void> {
  await run('readwrite', (s) => s.clear());
}
