/**
 * The kiosk's outbox in IndexedDB: each rating with its event id, kept until the server has
 * answered for it (accepted or duplicate). It outlives reloads, reboots and days offline.
 */
export interface QueuedRating {
  id: string;
  time: string;
  data: {
    level: 'very_satisfied' | 'satisfied' | 'unsatisfied';
    dossierCode?: string;
    criteria?: Record<string, 'very_satisfied' | 'satisfied' | 'unsatisfied'>;
    comment?: string;
  };
  /** When it was queued (ms), for the order of sending. */
  queuedAt: number;
}

const DB_NAME = 'motcua-kiosk';
const STORE = 'outbox';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      const store = req.result.createObjectStore(STORE, { keyPath: 'id' });
      store.createIndex('queuedAt', 'queuedAt');
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

let dbPromise: Promise<IDBDatabase> | null = null;
const db = () => {
  dbPromise ??= open();
  return dbPromise;
};

function run<T>(
  mode: IDBTransactionMode,
  fn: (store: IDBObjectStore) => IDBRequest<T> | undefined,
): Promise<T | undefined> {
  return db().then(
    (d) =>
      new Promise<T | undefined>((resolve, reject) => {
        const tx = d.transaction(STORE, mode);
        const req = fn(tx.objectStore(STORE));
        tx.oncomplete = () => resolve(req ? req.result : undefined);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      }),
  );
}

export const enqueue = (r: QueuedRating) => run('readwrite', (s) => s.put(r)).then(() => {});

/** The oldest `limit` ratings waiting to be sent. */
export const oldest = (limit: number) =>
  run<QueuedRating[]>('readonly', (s) => s.index('queuedAt').getAll(null, limit)).then((r) => r ?? []);

export const count = () => run<number>('readonly', (s) => s.count()).then((n) => n ?? 0);

export const remove = (ids: string[]) =>
  run('readwrite', (s) => {
    for (const id of ids) s.delete(id);
    return undefined;
  }).then(() => {});
