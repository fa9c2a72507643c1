import { describe, expect, it } from 'vitest';
import { createRandom, hashSeed } from './random.ts';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return mean(xs.map((x) => (x - m) ** 2));
};
const draw = <T>(n: number, f: () => T): T[] => Array.from({ length: n }, f);

describe('Random', () => {
  it('repeats for a seed and differs across seeds', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const xs = draw(100, () => a.next());
    expect(draw(100, () => b.next())).toEqual(xs);
    expect(draw(100, () => createRandom(43).next())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('draws integers in inclusive bounds and picks every item', () => {
    const r = createRandom(1);
    const ints = draw(10_000, () => r.int(2, 4));
    expect(new Set(ints)).toEqual(new Set([2, 3, 4]));
    const picked = new Set(draw(1000, () => r.pick(['a', 'b', 'c'])));
    expect(picked.size).toBe(3);
  });

  it('respects weights and probabilities', () => {
    const r = createRandom(2);
    const xs = draw(20_000, () => r.weighted(['x', 'y', 'z'], [1, 3, 0]));
    expect(xs.includes('z')).toBe(false);
    expect(xs.filter((x) => x === 'y').length / xs.length).toBeCloseTo(0.75, 1);
    const hits = draw(20_000, () => r.bernoulli(0.1)).filter(Boolean).length;
    expect(hits / 20_000).toBeCloseTo(0.1, 1);
  });

  it('draws normal and lognormal values with the right moments', () => {
    const r = createRandom(3);
    const xs = draw(20_000, () => r.normal(5, 2));
    expect(mean(xs)).toBeCloseTo(5, 1);
    expect(Math.sqrt(variance(xs))).toBeCloseTo(2, 1);
    const ys = draw(20_001, () => r.lognormal(Math.log(10), 0.5)).sort((a, b) => a - b);
    expect(ys[10_000]).toBeGreaterThan(9.5);
    expect(ys[10_000]).toBeLessThan(10.5);
  });

  it('draws Poisson counts with mean ≈ variance ≈ λ, small and large', () => {
    const r = createRandom(4);
    for (const lambda of [0.3, 4, 15, 250]) {
      const xs = draw(20_000, () => r.poisson(lambda));
      expect(xs.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
      expect(Math.abs(mean(xs) - lambda) / lambda).toBeLessThan(0.03);
      expect(Math.abs(variance(xs) - lambda) / lambda).toBeLessThan(0.06);
    }
    expect(r.poisson(0)).toBe(0);
  });
});

describe('hashSeed', () => {
  it('is stable and sensitive to every part and to part boundaries', () => {
    expect(hashSeed(1, '00004', 20000)).toBe(hashSeed(1, '00004', 20000));
    expect(hashSeed(1, '00004', 20000)).not.toBe(hashSeed(1, '00004', 20001));
    expect(hashSeed('ab', 'c')).not.toBe(hashSeed('a', 'bc'));
    expect(Number.isInteger(hashSeed('x'))).toBe(true);
    expect(hashSeed('x')).toBeGreaterThanOrEqual(0);
  });
});
