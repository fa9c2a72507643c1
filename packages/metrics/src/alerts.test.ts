import { describe, expect, it } from 'vitest';
import { deadlineLevel, deskHealth, silentLongEnough } from './alerts.ts';
import { makeWorkCalendar, VN_CALENDAR } from './calendar.ts';
import { wilsonHigh, wilsonLow } from './rates.ts';

const cal = makeWorkCalendar(VN_CALENDAR);
const at = (local: string) => Date.parse(`${local}+07:00`);
const H = 3_600_000;
const settings = { silentMinutes: 60, minPerHour: 1, lagHours: 8 };

describe('deadlineLevel', () => {
  const s = { dueSoonHours: 24, cityAfterHours: 48 };
  const due = at('2026-11-18T00:00:00');
  it('climbs commune → district → city at the documented instants', () => {
    expect(deadlineLevel(due, due - 24 * H - 1, s)).toBeNull();
    expect(deadlineLevel(due, due - 24 * H, s)).toBe('commune');
    expect(deadlineLevel(due, due - 1, s)).toBe('commune');
    expect(deadlineLevel(due, due, s)).toBe('district');
    expect(deadlineLevel(due, due + 48 * H - 1, s)).toBe('district');
    expect(deadlineLevel(due, due + 48 * H, s)).toBe('city');
  });
});

describe('wilsonHigh', () => {
  it('matches hand-computed bounds and brackets the rate', () => {
    // 0 of 3: centre z²/6 = 0.6403, spread = 1.96·sqrt(z²/36) = 0.6403 → (1.2805)/(1+1.2805) = 0.5615
    expect(wilsonHigh(0, 3)).toBeCloseTo(0.5615, 4);
    // 80 of 100: (0.8 + 0.019208 + 1.96·sqrt(0.0016 + 0.00009604)) / 1.038416 = 0.8666
    expect(wilsonHigh(80, 100)).toBeCloseTo(0.8666, 4);
    expect(wilsonHigh(0, 0)).toBeNull();
    expect(wilsonHigh(10, 10)).toBe(1);
    for (const [p, n] of [
      [3, 7],
      [50, 60],
    ]) {
      expect(wilsonLow(p, n)).toBeLessThan(p / n);
      expect(wilsonHigh(p, n)).toBeGreaterThan(p / n);
    }
  });
});

describe('deskHealth on the working-day calendar', () => {
  const busy = (lastReceivedAt: number) => ({
    lastReceivedAt,
    batchOldestAt: lastReceivedAt,
    perWorkingHour: 5,
  });

  it('does not count the lunch break: silent only after 60 working minutes', () => {
    const last = at('2026-11-17T11:30:00'); // a Tuesday
    // 11:30–12:00 and 13:00–13:20: 50 working minutes although 110 minutes passed
    expect(deskHealth(busy(last), at('2026-11-17T13:20:00'), cal, settings)).toMatchObject({
      state: 'live',
      silentMs: 50 * 60_000,
    });
    expect(deskHealth(busy(last), at('2026-11-17T13:30:00'), cal, settings).state).toBe('silent');
  });

  it('reads a desk as silent long enough exactly when its state leaves live, rhythm or not', () => {
    const last = at('2026-11-17T09:00:00');
    for (const minutes of [59, 60, 61]) {
      const now = last + minutes * 60_000;
      const long = silentLongEnough(minutes * 60_000, settings);
      expect(long).toBe(minutes >= 60);
      // Whatever the rhythm, a desk not silent long enough is live, and one that is, is not.
      for (const perWorkingHour of [null, 0, 5]) {
        const state = deskHealth({ ...busy(last), perWorkingHour }, now, cal, settings).state;
        expect(state === 'live', `${minutes} min, rhythm ${perWorkingHour}`).toBe(!long);
      }
    }
  });

  it('is not flagged during lunch or at night, and a weekend does not count', () => {
    const morning = at('2026-11-17T10:00:00');
    expect(deskHealth(busy(morning), at('2026-11-17T12:30:00'), cal, settings).state).toBe('quiet');
    expect(deskHealth(busy(morning), at('2026-11-17T20:00:00'), cal, settings).state).toBe('quiet');
    expect(deskHealth(busy(morning), at('2026-11-18T08:00:00'), cal, settings).state).toBe('silent');
    const friday = at('2026-11-20T16:30:00');
    expect(deskHealth(busy(friday), at('2026-11-22T10:00:00'), cal, settings)).toMatchObject({
      state: 'live',
      silentMs: 30 * 60_000,
    });
    expect(deskHealth(busy(friday), at('2026-11-23T08:29:00'), cal, settings).state).toBe('live');
    expect(deskHealth(busy(friday), at('2026-11-23T08:30:00'), cal, settings).state).toBe('silent');
  });

  it('skips public holidays (31 August to 2 September 2026)', () => {
    const friday = at('2026-08-28T16:30:00');
    expect(deskHealth(busy(friday), at('2026-09-02T10:00:00'), cal, settings).silentMs).toBe(30 * 60_000);
    expect(deskHealth(busy(friday), at('2026-09-03T08:30:00'), cal, settings).state).toBe('silent');
  });

  it('a desk that rarely sends is quiet, not silent; an unmeasured rhythm never fires', () => {
    const facts = { lastReceivedAt: at('2026-11-17T08:00:00'), batchOldestAt: at('2026-11-17T08:00:00') };
    const now = at('2026-11-17T15:00:00');
    expect(deskHealth({ ...facts, perWorkingHour: 0.5 }, now, cal, settings).state).toBe('quiet');
    expect(deskHealth({ ...facts, perWorkingHour: null }, now, cal, settings).state).toBe('quiet');
  });

  it('lags when its last events came more than 8 working hours after their time', () => {
    const received = at('2026-11-17T09:00:00');
    // Monday 16:00 → Tuesday 09:00: 1 h + 1 h = 2 working hours
    const fine = { lastReceivedAt: received, batchOldestAt: at('2026-11-16T16:00:00'), perWorkingHour: 5 };
    expect(deskHealth(fine, received, cal, settings)).toMatchObject({ state: 'live', lagMs: 2 * H });
    // Monday 08:00 → Tuesday 09:00: 8 h + 1 h = 9 working hours
    const late = { ...fine, batchOldestAt: at('2026-11-16T08:00:00') };
    expect(deskHealth(late, received, cal, settings)).toMatchObject({ state: 'lagging', lagMs: 9 * H });
  });
});
