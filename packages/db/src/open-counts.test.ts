import { classifyOpen, DAY, type DossierState } from '@motcua/metrics';
import { describe, expect, it } from 'vitest';
import { deadlineHour, openStanding, timedDeadline } from './open-counts.ts';

const HOUR = 3_600_000;

function state(over: Partial<DossierState>): DossierState {
  return {
    deskCode: 'Q01',
    receivedAt: 0,
    dueAt: 10 * DAY,
    channel: 'direct',
    supplementRequests: 0,
    rescheduled: false,
    pausedMs: 0,
    pendingSince: null,
    finishedAt: null,
    outcome: null,
    processingMs: null,
    facts: {},
    paidOnline: false,
    complained: false,
    ...over,
  };
}

describe('openStanding', () => {
  it('leaves to the read the dossiers whose deadline the clock reaches, and finished ones', () => {
    expect(openStanding(state({}))).toBeNull();
    expect(openStanding(state({ finishedAt: DAY, outcome: 'early' }))).toBeNull();
    expect(openStanding(state({ dueAt: null, pendingSince: DAY }))).toBeNull();
  });

  it('agrees with classifyOpen at every asOf from the request on (hand-picked edges and a sweep)', () => {
    const cases: DossierState[] = [];
    for (const pausedMs of [0, 2 * DAY]) {
      for (const requests of [1, 2]) {
        for (const rescheduled of [false, true]) {
          // Requests around the deadline's edges: 2 days, 1 day and 0 before it, 1 ms after.
          for (const before of [3 * DAY, 2 * DAY + 1, 2 * DAY, DAY + 1, DAY, 1, 0, -1, -DAY]) {
            cases.push(
              state({
                pausedMs,
                supplementRequests: requests,
                rescheduled,
                pendingSince: 10 * DAY + pausedMs - before,
              }),
            );
          }
          if (requests >= 2 || rescheduled)
            cases.push(state({ pausedMs, supplementRequests: requests, rescheduled }));
        }
      }
    }
    for (const s of cases) {
      const standing = openStanding(s);
      expect(standing).not.toBeNull();
      const from = s.pendingSince ?? 0;
      for (const asOf of [from, from + 1, from + HOUR, from + DAY, from + 5 * DAY, from + 40 * DAY]) {
        const c = classifyOpen(s, asOf);
        const dueIn48h =
          c !== null &&
          !c.overdue &&
          s.dueAt !== null &&
          s.dueAt + s.pausedMs + (s.pendingSince === null ? 0 : asOf - s.pendingSince) <= asOf + 2 * DAY;
        expect({ ...standing }, JSON.stringify({ s, asOf })).toEqual({ ...c, dueIn48h });
      }
    }
  });
});

describe('timedDeadline', () => {
  it('is the deadline of exactly the open dossiers openStanding leaves to the read', () => {
    const cases = [
      state({}),
      state({ pausedMs: 3 * HOUR }),
      state({ finishedAt: DAY, outcome: 'early' }),
      state({ dueAt: null }),
      state({ pendingSince: DAY }),
      state({ supplementRequests: 2 }),
      state({ supplementRequests: 1, pausedMs: HOUR }),
      state({ rescheduled: true }),
    ];
    for (const s of cases) {
      const open = s.finishedAt === null && s.dueAt !== null;
      // Open, and not counted by openStanding: the clock decides its standing.
      const timed = open && openStanding(s) === null;
      expect(timedDeadline(s), JSON.stringify(s)).toBe(timed ? (s.dueAt as number) + s.pausedMs : null);
    }
  });

  it('falls in the hour that starts at or before it and ends after it', () => {
    for (const t of [0, 1, HOUR - 1, HOUR, HOUR + 1, 20_000 * DAY + 16 * HOUR + 59_999]) {
      const h = deadlineHour(t);
      expect(h % HOUR).toBe(0);
      expect(h <= t && t < h + HOUR).toBe(true);
    }
  });
});
