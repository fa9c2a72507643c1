import {
  type Database,
  DESK_KEYS_CHANNEL,
  hashSecret,
  type KeyCheck,
  onDeskKeyRevoked,
  verifyDeskKey,
} from '@motcua/db';

type ValidKey = Extract<KeyCheck, { ok: true }>;

const LISTEN_RETRY_MS = 2000;

export interface DeskKeyCacheOptions {
  /** Longest a valid key is trusted without asking the database again. */
  ttlMs?: number;
  /** Most keys held; the oldest go first. */
  maxEntries?: number;
}

/**
 * Valid desk keys, so that a request does not cost a database lookup. Only valid keys are
 * held (an unknown key is asked for every time: it may be created a moment later, and guessed
 * keys cannot fill the cache), by the SHA-256 of the secret.
 *
 * A revocation must stop a key at once, so the cache serves a key only while every revocation
 * reaches it: with the embedded database, the one process that can revoke calls
 * `onDeskKeyRevoked`; with Postgres, other processes' revocations come by NOTIFY on
 * `motcua_keys`, so the cache serves nothing until `listen()` has subscribed, and empties on
 * each reconnect of the listening connection (notifications sent while it was down are lost).
 * The TTL is the backstop.
 */
export class DeskKeyCache {
  readonly #db: Database;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, { check: ValidKey; until: number }>();
  readonly #unsubscribe: () => void;
  #unlisten: (() => Promise<void>) | null = null;
  #live: boolean;
  /** Bumped by every revocation and reconnect: a lookup that overlapped one is not kept. */
  #generation = 0;
  #closed = false;

  constructor(db: Database, opts: DeskKeyCacheOptions = {}) {
    this.#db = db;
    this.#ttlMs = opts.ttlMs ?? 30_000;
    this.#maxEntries = opts.maxEntries ?? 50_000;
    this.#live = db.kind === 'pglite';
    this.#unsubscribe = onDeskKeyRevoked((prefix) => this.#drop(prefix));
  }

  /**
   * Subscribes to other processes' revocations (Postgres); from then on the cache serves keys.
   * Should the database be down, every request asks it (and fails as before) while this retries.
   */
  async listen(): Promise<void> {
    if (this.#db.kind !== 'postgres' || this.#unlisten || this.#closed) return;
    try {
      this.#unlisten = await this.#subscribe();
    } catch {
      setTimeout(() => void this.listen(), LISTEN_RETRY_MS).unref();
    }
  }

  #subscribe() {
    return this.#db.listen(
      DESK_KEYS_CHANNEL,
      (prefix) => this.#drop(prefix),
      () => {
        this.#generation++;
        this.#entries.clear();
        this.#live = true;
      },
    );
  }

  async verify(presented: string): Promise<KeyCheck> {
    if (!this.#live) return verifyDeskKey(this.#db, presented);
    const hash = hashSecret(presented);
    const now = Date.now();
    const hit = this.#entries.get(hash);
    if (hit && hit.until > now) return hit.check;
    const generation = this.#generation;
    const check = await verifyDeskKey(this.#db, presented);
    if (check.ok && this.#live && generation === this.#generation) {
      if (this.#entries.size >= this.#maxEntries) {
        this.#entries.delete(this.#entries.keys().next().value as string);
      }
      this.#entries.set(hash, { check, until: now + this.#ttlMs });
    } else {
      this.#entries.delete(hash);
    }
    return check;
  }

  get size(): number {
    return this.#entries.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe();
    this.#live = false;
    this.#entries.clear();
    await this.#unlisten?.();
    this.#unlisten = null;
  }

  #drop(prefix: string): void {
    this.#generation++;
    for (const [hash, entry] of this.#entries) {
      if (entry.check.key.prefix === prefix) this.#entries.delete(hash);
    }
  }
}
