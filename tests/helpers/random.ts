/** A seeded PRNG (mulberry32): the same seed gives the same sequence in [0, 1). */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [lo, hi], both inclusive. */
export function int(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

export function chance(rng: Rng, p: number): boolean {
  return rng() < p;
}

export function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)];
}

/** Picks by weight: `weighted(rng, [[0.7, 'a'], [0.3, 'b']])`. */
export function weighted<T>(rng: Rng, options: readonly (readonly [number, T])[]): T {
  const total = options.reduce((s, [w]) => s + w, 0);
  let r = rng() * total;
  for (const [w, value] of options) {
    r -= w;
    if (r < 0) return value;
  }
  return options[options.length - 1][1];
}

/** Fisher–Yates, in place; returns the list. */
export function shuffle<T>(rng: Rng, list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}
