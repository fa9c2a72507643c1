import { describe, expect, it } from 'vitest';
import { createCityModel } from './model.ts';

const communes = Array.from({ length: 40 }, (_, i) => ({ code: String(i + 1).padStart(5, '0') }));
const DAY = 86_400_000;

describe('speedFrom', () => {
  const model = createCityModel({ communes, seed: 7 });
  const liveFrom = Date.UTC(2026, 10, 23, 3, 0, 0); // Monday 10:00 local
  const history = model.generate(liveFrom - 20 * DAY, liveFrom, { speed: 1 });
  const live = model.generate(liveFrom, liveFrom + 3 * DAY, { speed: 5, speedFrom: liveFrom });
  const slow = model.generate(liveFrom, liveFrom + 3 * DAY, { speed: 1 });

  it('keeps every lifecycle whole: no event of a dossier whose receipt was never sent', () => {
    const receivedCodes = new Set(
      [...history, ...live]
        .filter((e) => e.type.endsWith('.received'))
        .map((e) => `${e.source.split('/')[2]}|${e.subject}`),
    );
    const slowCodes = new Set(slow.map((e) => `${e.source.split('/')[2]}|${e.subject}`));
    for (const e of live) {
      if (!e.subject || e.type.endsWith('.received')) continue;
      const key = `${e.source.split('/')[2]}|${e.subject}`;
      // Either its receipt was sent, or it is one of the speed-1 dossiers that began before the cut.
      expect(receivedCodes.has(key) || slowCodes.has(key)).toBe(true);
    }
  });

  it('runs faster after the cut and exactly at speed 1 before it', () => {
    const receivedLive = live.filter((e) => e.type.endsWith('.received')).length;
    const receivedSlow = slow.filter((e) => e.type.endsWith('.received')).length;
    expect(receivedLive).toBeGreaterThan(3 * receivedSlow);
    const before = model.generate(liveFrom - 2 * DAY, liveFrom, { speed: 5, speedFrom: liveFrom });
    const plain = model.generate(liveFrom - 2 * DAY, liveFrom, { speed: 1 });
    expect(before.map((e) => e.id)).toEqual(plain.map((e) => e.id));
  });
});
