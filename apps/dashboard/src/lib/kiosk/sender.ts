import { parseRetryAfter } from '@motcua/client';
import { count, oldest, remove } from './queue.ts';

/** How the outbox reaches the server: its own batches, backoff with full jitter, Retry-After honoured. */
export interface SenderEvents {
  /** Ratings still waiting after each attempt. */
  pending(n: number): void;
  /** The server turned the kiosk away (revoked: 403; unknown token: 401). */
  refused(status: 401 | 403): void;
}

const BATCH = 100;
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 60_000;

export class KioskSender {
  #token: string;
  #events: SenderEvents;
  #running = false;
  #again = false;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;
  /**
   * Until when the server asked us to wait (Retry-After on a 429 or 503). A new rating or the
   * network coming back does not cut this short, as it does an ordinary backoff: the server is
   * busy, not unreachable.
   */
  #notBefore = 0;

  constructor(token: string, events: SenderEvents) {
    this.#token = token;
    this.#events = events;
  }

  /** Sends what is queued now (or when the server's Retry-After ends); a call while sending runs once more afterwards. */
  kick(): void {
    if (this.#stopped) return;
    // The timer set with the Retry-After sends then; nothing goes before.
    if (Date.now() < this.#notBefore) return;
    this.#send();
  }

  #send(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    void this.#drain().finally(() => {
      this.#running = false;
      if (this.#again) {
        this.#again = false;
        this.kick();
      }
    });
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  #retryLater(retryAfterMs: number | null): void {
    const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.#attempt);
    this.#attempt++;
    // Full jitter spreads many kiosks' retries; the server's Retry-After is a floor, never shortened.
    const delay = Math.max(Math.random() * ceiling, retryAfterMs ?? 0);
    if (retryAfterMs !== null) this.#notBefore = Date.now() + retryAfterMs;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#send();
    }, delay);
  }

  async #drain(): Promise<void> {
    for (;;) {
      const batch = await oldest(BATCH);
      if (batch.length === 0 || this.#stopped) break;
      let res: Response;
      try {
        res = await fetch('/api/v1/kiosk/ratings', {
          method: 'POST',
          headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ ratings: batch.map(({ id, time, data }) => ({ id, time, data })) }),
        });
      } catch {
        this.#retryLater(null);
        break;
      }
      if (res.status === 401 || res.status === 403) {
        this.#events.refused(res.status);
        break;
      }
      if (!res.ok) {
        this.#retryLater(parseRetryAfter(res.headers.get('retry-after'), Date.now()));
        break;
      }
      const body = (await res.json()) as { results: { id: string | null; status: string }[] };
      // Accepted and duplicate are both stored; a rejected one would be rejected again forever.
      await remove(batch.map((r) => r.id));
      if (body.results.some((r) => r.status === 'rejected')) {
        console.warn(
          'kiosk: ratings the server rejected',
          body.results.filter((r) => r.status === 'rejected'),
        );
      }
      this.#attempt = 0;
    }
    this.#events.pending(await count());
  }
}
