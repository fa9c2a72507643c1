/** Per-key token buckets over events: `rate` events/s sustained, `burst` at once. */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly rate: number,
    readonly burst: number,
    readonly now: () => number = Date.now,
  ) {}

  /** Takes `cost` tokens; returns 0 if allowed, else the seconds to wait. `rate` 0 disables limiting. */
  take(key: string, cost: number): number {
    if (this.rate <= 0) return 0;
    const now = this.now();
    const b = this.#buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    this.#buckets.set(key, b);
    const need = Math.min(cost, this.burst);
    if (b.tokens >= need) {
      b.tokens -= need;
      return 0;
    }
    return Math.max(1, Math.ceil((need - b.tokens) / this.rate));
  }
}
