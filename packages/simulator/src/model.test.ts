import { type DeskEvent, validateEvent } from '@motcua/contract';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CityModel, createCityModel } from './model.ts';

/** The contract's validation message of an event, if any; `time` may lie anywhere (histories are generated ahead). */
const contractProblems = (e: DeskEvent): string[] => {
  const checked = validateEvent(e, Number.POSITIVE_INFINITY);
  return checked.ok ? [] : [checked.message];
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const communes = Array.from({ length: 526 }, (_, i) => ({ code: String(i + 1).padStart(5, '0') }));
const some = communes.filter((_, i) => i % 4 === 0);
/** Generous: these generate hundreds of thousands of events and CI machines are shared. */
const SLOW = 60_000;
/** Monday 17 November 2025, 00:00 in Hà Nội. */
const MONDAY = Date.parse('2025-11-17T00:00:00+07:00');

/** Local weekday (0 = Sunday) and hour of an RFC 3339 time, computed independently of the model. */
function local(time: string): { dow: number; hour: number } {
  const d = new Date(Date.parse(time) + 7 * HOUR);
  return { dow: d.getUTCDay(), hour: d.getUTCHours() + d.getUTCMinutes() / 60 + d.getUTCSeconds() / 3600 };
}

function isOpen(time: string): boolean {
  const { dow, hour } = local(time);
  if (dow >= 1 && dow <= 5) return hour >= 8 && hour < 17;
  return dow === 6 && hour >= 8 && hour < 12;
}

const received = (events: DeskEvent[]) =>
  events.filter(
    (e): e is Extract<DeskEvent, { type: 'vn.motcua.dossier.received' }> =>
      e.type === 'vn.motcua.dossier.received',
  );
const ratings = (events: DeskEvent[]) =>
  events.filter(
    (e): e is Extract<DeskEvent, { type: 'vn.motcua.rating.submitted' }> =>
      e.type === 'vn.motcua.rating.submitted',
  );
const unitOf = (e: DeskEvent) => e.source.slice(7, 12);
const satisfied = (list: ReturnType<typeof ratings>) =>
  list.filter((e) => e.data.level !== 'unsatisfied').length / list.length;

describe('city model over one week of 526 communes', () => {
  let model: CityModel;
  let week: DeskEvent[];
  const dayOf = (e: DeskEvent) => Math.floor((Date.parse(e.time) - MONDAY) / DAY);

  beforeAll(() => {
    model = createCityModel({ communes, seed: 7 });
    week = model.generate(MONDAY, MONDAY + 7 * DAY);
  }, SLOW);

  it('gives each commune 2–4 desks', () => {
    for (const c of model.communes) {
      expect(c.desks.length).toBeGreaterThanOrEqual(2);
      expect(c.desks.length).toBeLessThanOrEqual(4);
    }
    expect(
      createCityModel({ communes: communes.slice(0, 3), seed: 7, desksPerCommune: 6 }).communes[0].desks,
    ).toEqual(['Q01', 'Q02', 'Q03', 'Q04', 'Q05', 'Q06']);
  });

  it('receives about 8,000 dossiers per working day, more on Monday', () => {
    const perDay = new Array(7).fill(0);
    for (const e of received(week)) perDay[dayOf(e)]++;
    const weekdayMean = perDay.slice(0, 5).reduce((a, b) => a + b, 0) / 5;
    expect(weekdayMean).toBeGreaterThan(7200);
    expect(weekdayMean).toBeLessThan(8800);
    expect(perDay[0]).toBeGreaterThan(perDay[1] * 1.15);
    expect(perDay[5]).toBeLessThan(perDay[1]);
    expect(perDay[6]).toBeLessThan(perDay[5]);
  });

  it('splits channels 40 / 60 with a little post, on a single day and over the week', () => {
    for (const list of [received(week).filter((e) => dayOf(e) === 1), received(week)]) {
      const share = (c: string) => list.filter((e) => e.data.channel === c).length / list.length;
      expect(share('direct')).toBeGreaterThan(0.37);
      expect(share('direct')).toBeLessThan(0.43);
      expect(share('online')).toBeGreaterThan(0.57);
      expect(share('online')).toBeLessThan(0.63);
      expect(share('postal')).toBeGreaterThan(0);
      expect(share('postal')).toBeLessThan(0.01);
    }
  });

  it('receives direct and postal dossiers only in working hours; online ones also off hours, less', () => {
    const counter = received(week).filter((e) => e.data.channel !== 'online');
    expect(counter.length).toBeGreaterThan(10_000);
    expect(counter.filter((e) => !isOpen(e.time))).toEqual([]);
    const online = received(week).filter((e) => e.data.channel === 'online');
    const offHours = online.filter((e) => !isOpen(e.time)).length / online.length;
    expect(offHours).toBeGreaterThan(0.1);
    expect(offHours).toBeLessThan(0.2);
  });

  it('dips at lunch', () => {
    const tuesday = received(week).filter((e) => dayOf(e) === 1 && e.data.channel === 'direct');
    const perHour = (from: number, to: number) =>
      tuesday.filter((e) => local(e.time).hour >= from && local(e.time).hour < to).length / (to - from);
    expect(perHour(11.5, 13.5)).toBeLessThan(perHour(9, 11.5) * 0.5);
  });

  it('has a heavy tail of busy communes', () => {
    const perCommune = new Map<string, number>();
    for (const e of received(week)) perCommune.set(unitOf(e), (perCommune.get(unitOf(e)) ?? 0) + 1);
    const counts = [...perCommune.values()].sort((a, b) => a - b);
    const median = counts[counts.length >> 1];
    expect(counts[counts.length - 1]).toBeGreaterThanOrEqual(4 * median);
  });

  it('rates about a third of dossiers, 84 % satisfied city-wide, a few communes clearly worse', () => {
    const all = ratings(week);
    expect(all.length / received(week).length).toBeGreaterThan(0.28);
    expect(all.length / received(week).length).toBeLessThan(0.4);
    expect(satisfied(all)).toBeGreaterThan(0.81);
    expect(satisfied(all)).toBeLessThan(0.87);
    const lagging = new Set(model.communes.filter((c) => c.lagging).map((c) => c.code));
    expect(lagging.size).toBeGreaterThanOrEqual(5);
    expect(lagging.size).toBeLessThanOrEqual(30);
    expect(satisfied(all.filter((e) => lagging.has(unitOf(e))))).toBeLessThan(0.68);
    expect(satisfied(all.filter((e) => !lagging.has(unitOf(e))))).toBeGreaterThan(0.82);
    const withoutDossier = all.filter((e) => e.data.dossierCode === undefined).length / all.length;
    expect(withoutDossier).toBeGreaterThan(0.02);
    expect(withoutDossier).toBeLessThan(0.1);
    expect(all.some((e) => e.data.comment)).toBe(true);
    expect(all.some((e) => e.data.criteria)).toBe(true);
    expect(all.some((e) => e.data.officialId)).toBe(true);
  });

  it(
    'emits valid, unique, time-sorted events inside the range',
    () => {
      const bad = week
        .map((e) => ({ id: e.id, problems: contractProblems(e) }))
        .filter((x) => x.problems.length > 0);
      expect(bad.slice(0, 3)).toEqual([]);
      expect(new Set(week.map((e) => `${e.source} ${e.id}`)).size).toBe(week.length);
      expect(new Set(week.map((e) => e.id)).size).toBe(week.length);
      const times = week.map((e) => Date.parse(e.time));
      for (let i = 1; i < times.length; i++)
        if (times[i] < times[i - 1]) throw new Error(`not sorted at ${i}`);
      expect(times[0]).toBeGreaterThanOrEqual(MONDAY);
      expect(times[times.length - 1]).toBeLessThan(MONDAY + 7 * DAY);
      expect(week.filter((e) => !e.time.endsWith('+07:00'))).toEqual([]);
      const dossierEvents = week.filter((e) => e.type !== 'vn.motcua.rating.submitted');
      expect(dossierEvents.filter((e) => e.subject !== e.data.dossierCode)).toEqual([]);
      const badDue = received(week).filter(
        (e) => Date.parse(e.data.dueAt) <= Date.parse(e.time) || !e.data.dueAt.endsWith('T16:00:00+07:00'),
      );
      expect(badDue).toEqual([]);
      expect(week[0].id).toMatch(/^\d{5}-251117-\d{4}-received$/);
      expect(received(week)[0].data.dossierCode).toMatch(/^\d{3}\.\d{2}\.\d{2}\.H26-251117-\d{4}$/);
    },
    SLOW,
  );

  it(
    'is deterministic for a seed, and differs for another',
    () => {
      const from = MONDAY + DAY + 9 * HOUR;
      const a = createCityModel({ communes: some, seed: 7 }).generate(from, from + HOUR);
      const b = createCityModel({ communes: some, seed: 7 }).generate(from, from + HOUR);
      expect(a.length).toBeGreaterThan(100);
      expect(b).toEqual(a);
      const codes = new Set(some.map((c) => c.code));
      const inHour = (e: DeskEvent) => Date.parse(e.time) >= from && Date.parse(e.time) < from + HOUR;
      expect(week.filter((e) => inHour(e) && codes.has(unitOf(e)))).toEqual(a);
      const c = createCityModel({ communes: some, seed: 8 }).generate(from, from + HOUR);
      expect(c.map((e) => e.id)).not.toEqual(a.map((e) => e.id));
    },
    SLOW,
  );

  it(
    'is consistent across adjacent ranges, with or without its cache',
    () => {
      const a = MONDAY + 2 * DAY;
      const b = a + 10 * HOUR + 1234.5;
      const c = a + DAY;
      const whole = createCityModel({ communes: some, seed: 7 }).generate(a, c);
      const fresh = createCityModel({ communes: some, seed: 7 });
      const split = [...fresh.generate(a, b), ...fresh.generate(b, c)];
      expect(split.map((e) => e.id)).toEqual(whole.map((e) => e.id));
      // Live mode: many small steps on one model (the cache skips units with nothing to say).
      const stepped: DeskEvent[] = [];
      const live = createCityModel({ communes: some, seed: 7 });
      for (let t = a; t < c; t += 17 * 60_000)
        stepped.push(...live.generate(t, Math.min(t + 17 * 60_000, c)));
      expect(stepped).toEqual(whole);
    },
    SLOW,
  );

  it(
    'multiplies volume with speed, keeping ids unique and slower speeds a subset',
    () => {
      const few = model.communes.slice(0, 40).map((c) => c.code);
      const from = MONDAY + DAY;
      const slow = model.generate(from, from + DAY, { communes: few });
      const fast = model.generate(from, from + DAY, { communes: few, speed: 5 });
      const half = model.generate(from, from + DAY, { communes: few, speed: 0.5 });
      expect(received(fast).length / received(slow).length).toBeGreaterThan(4.3);
      expect(received(fast).length / received(slow).length).toBeLessThan(5.7);
      expect(received(half).length / received(slow).length).toBeGreaterThan(0.4);
      expect(received(half).length / received(slow).length).toBeLessThan(0.6);
      expect(new Set(fast.map((e) => e.id)).size).toBe(fast.length);
      expect(new Set(received(fast).map((e) => e.data.dossierCode)).size).toBe(received(fast).length);
      const fastIds = new Set(fast.map((e) => e.id));
      expect(slow.every((e) => fastIds.has(e.id))).toBe(true);
      expect(slow).toEqual(week.filter((e) => dayOf(e) === 1 && few.includes(unitOf(e))));
    },
    SLOW,
  );

  it('rejects bad input', () => {
    expect(() => createCityModel({ communes: [{ code: '123' }], seed: 1 })).toThrow(/5-digit/);
    expect(() => model.generate(MONDAY, MONDAY + HOUR, { communes: ['99999'] })).toThrow(/unknown/);
    expect(() => model.generate(MONDAY, MONDAY + HOUR, { speed: 0 })).toThrow(/speed/);
    expect(model.generate(MONDAY + HOUR, MONDAY)).toEqual([]);
  });
});

describe('dossier lifecycles', () => {
  const TUESDAY = MONDAY + DAY;
  let byDossier: Map<string, DeskEvent[]>;

  beforeAll(() => {
    const model = createCityModel({ communes: communes.slice(0, 300), seed: 11 });
    byDossier = new Map();
    for (const e of model.generate(TUESDAY, TUESDAY + 46 * DAY)) {
      const code = (e.data as { dossierCode?: string }).dossierCode;
      if (!code?.includes('-251118-')) continue;
      const list = byDossier.get(code) ?? [];
      list.push(e);
      byDossier.set(code, list);
    }
  }, SLOW);

  const kinds = (list: DeskEvent[]) => list.map((e) => e.type.split('.').pop());

  it('starts with received, keeps a sane order, and finishes within working hours', () => {
    expect(byDossier.size).toBeGreaterThan(3000);
    for (const [, list] of byDossier) {
      const k = kinds(list);
      expect(k[0]).toBe('received');
      expect(k.filter((x) => x === 'received')).toHaveLength(1);
      const ends = k.filter((x) => x === 'resolved' || x === 'rejected' || x === 'withdrawn');
      expect(ends.length).toBeLessThanOrEqual(1);
      if (k.includes('returned')) expect(k.indexOf('returned')).toBeGreaterThan(k.indexOf('resolved'));
      expect(k.filter((x) => x === 'supplement_received').length).toBeLessThanOrEqual(
        k.filter((x) => x === 'supplement_requested').length,
      );
      // Only online receipt (accepted off hours on purpose) and ratings (minutes after a visit) may fall outside.
      const atDesk = list.filter(
        (e) => e.type !== 'vn.motcua.dossier.received' && e.type !== 'vn.motcua.rating.submitted',
      );
      const closed = atDesk.filter((e) => !isOpen(e.time));
      if (closed.length > 0) throw new Error(`${closed[0].id} at ${closed[0].time} is outside working hours`);
    }
  });

  it('matches the published shares of supplements, lateness, rejection and withdrawal', () => {
    let finished = 0;
    let late = 0;
    const count = { supplement: 0, twice: 0, rescheduled: 0, rejected: 0, withdrawn: 0 };
    for (const [, list] of byDossier) {
      const k = kinds(list);
      const requests = k.filter((x) => x === 'supplement_requested').length;
      if (requests > 0) count.supplement++;
      if (requests > 1) count.twice++;
      if (k.includes('rescheduled')) count.rescheduled++;
      if (k.includes('rejected')) count.rejected++;
      if (k.includes('withdrawn')) count.withdrawn++;
      const resolved = list.find((e) => e.type === 'vn.motcua.dossier.resolved');
      if (!resolved) continue;
      finished++;
      const first = list[0] as Extract<DeskEvent, { type: 'vn.motcua.dossier.received' }>;
      let paused = 0;
      let asked = 0;
      for (const e of list) {
        if (e.type === 'vn.motcua.dossier.supplement_requested') asked = Date.parse(e.time);
        if (e.type === 'vn.motcua.dossier.supplement_received') paused += Date.parse(e.time) - asked;
      }
      const lateByTime = Date.parse(resolved.time) - paused > Date.parse(first.data.dueAt);
      if (lateByTime || requests > 1 || k.includes('rescheduled')) late++;
    }
    const n = byDossier.size;
    expect(count.supplement / n).toBeGreaterThan(0.08);
    expect(count.supplement / n).toBeLessThan(0.12);
    expect(count.twice / count.supplement).toBeGreaterThan(0.08);
    expect(count.twice / count.supplement).toBeLessThan(0.22);
    expect(late / finished).toBeGreaterThan(0.06);
    expect(late / finished).toBeLessThan(0.1);
    expect(count.rescheduled / n).toBeGreaterThan(0.01);
    expect(count.rescheduled / n).toBeLessThan(0.03);
    expect(count.rejected / n).toBeGreaterThan(0.01);
    expect(count.rejected / n).toBeLessThan(0.03);
    expect(count.withdrawn / n).toBeGreaterThan(0.004);
    expect(count.withdrawn / n).toBeLessThan(0.02);
  });
});
