import { ruleOverrideSchema, validateEvent } from '@motcua/contract';
import {
  type AlertChange,
  actOnAlert,
  evaluateAlerts,
  listAlerts,
  readAlert,
  readDeskHealth,
  readRuleSettings,
  readUnitTree,
  type UnitTree,
  writeBatch,
  writeRuleOverride,
} from '@motcua/db';
import {
  addWorkingDays,
  DAY,
  localDayStart,
  makeWorkCalendar,
  VN_CALENDAR,
  workingMsBetween,
} from '@motcua/metrics';
import { createTestTree, DB_KINDS, openTestDb, type TestDb, type TestTree } from '@motcua/test-helpers/db';
import { dossierEvent, ev, rating, received } from '@motcua/test-helpers/events';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cal = makeWorkCalendar(VN_CALENDAR);
const at = (local: string) => Date.parse(`${local}+07:00`);
const H = 3_600_000;
const M = 60_000;

/** Writes events as if they arrived at `receivedAt` (the desk health facts take that time). */
async function arrive(t: TestDb, receivedAt: number, raw: unknown[]) {
  const events = raw.map((r) => {
    const v = validateEvent(r, receivedAt);
    if (!v.ok) throw new Error(v.message);
    return v.event;
  });
  await writeBatch(t.db, events, { receivedAt });
}

const summary = (changes: AlertChange[]) => changes.map((c) => `${c.kind}:${c.level}:${c.unitCode}`);
/** Tests share one database: each looks only at its own communes and rule. */
const only = (changes: AlertChange[], units: string[], rule: string, ruleOf: Map<number, string>) =>
  changes.filter((c) => units.includes(c.unitCode) && ruleOf.get(c.alertId) === rule);

async function alertOf(t: TestDb, tree: UnitTree, rule: string, subject: string) {
  const list = await listAlerts(t.db, tree, tree.roots()[0].code, { state: 'all', withComments: true });
  return list.alerts.filter((a) => a.rule === rule && a.subject === subject);
}

describe.each(DB_KINDS)('alerts on %s', (kind) => {
  let t: TestDb;
  let test: TestTree;
  let tree: UnitTree;
  /** One evaluation, the changes of `units` and `rule` only. */
  const evaluateFor = (units: string[], rule: string) => async (now: number) => {
    const changes = await evaluateAlerts(t.db, tree, { now, calendar: cal });
    const rows = await t.db.query<{ id: number; rule: string }>(sql`select id, rule from alerts`);
    return only(changes, units, rule, new Map(rows.map((r) => [r.id, r.rule])));
  };

  beforeAll(async () => {
    t = await openTestDb(kind);
    test = await createTestTree(t.db, { districts: 3, communesPerDistrict: 3 });
    tree = await readUnitTree(t.db);
  });
  afterAll(() => t.drop());

  it('dossier deadlines: open at the commune, dedupe, climb to district and city, stop climbing once acknowledged, resolve', async () => {
    const unit = test.communes[0];
    const evaluate = evaluateFor([unit], 'dossier_deadline');
    const t0 = at('2026-11-17T09:00:00'); // Tuesday
    const dueA = t0 + 30 * H;
    const dueB = t0 + 10 * H;
    await arrive(t, t0, [
      received(unit, 'HS-A', dueA, { time: t0 - 5 * M }),
      received(unit, 'HS-B', dueB, { time: t0 - 4 * M }),
    ]);

    const first = await evaluate(t0);
    expect(summary(first)).toEqual([`opened:commune:${unit}`]);
    // t0 is 09:00 local, HS-B due at 19:00 the same day: 10 hours ahead.
    expect((await alertOf(t, tree, 'dossier_deadline', 'HS-B'))[0]).toMatchObject({
      state: 'open',
      level: 'commune',
      details: { dueAt: '2026-11-17T19:00:00+07:00', overdueHours: -10 },
    });
    // The same condition again: nothing new.
    expect(await evaluate(t0 + M)).toEqual([]);

    // HS-A comes within 24 h of its deadline; HS-B passes its own.
    expect(summary(await evaluate(dueA - 24 * H))).toEqual([`opened:commune:${unit}`]);
    expect(summary(await evaluate(dueB))).toEqual([`escalated:district:${unit}`]);
    // An escalation rewrites what the alert says; a condition that only confirms it does not.
    expect((await alertOf(t, tree, 'dossier_deadline', 'HS-B'))[0].details).toEqual({
      dueAt: '2026-11-17T19:00:00+07:00',
      overdueHours: 0,
    });
    expect((await alertOf(t, tree, 'dossier_deadline', 'HS-A'))[0].details).toEqual({
      dueAt: '2026-11-18T15:00:00+07:00',
      overdueHours: -24,
    });

    const [a] = await alertOf(t, tree, 'dossier_deadline', 'HS-A');
    const ack = await actOnAlert(t.db, tree, {
      id: a.id,
      action: 'acknowledge',
      scopeUnit: unit,
      actor: 'Cán bộ Q01',
      comment: 'Đang xử lý, chờ ký',
      now: dueA - 20 * H,
    });
    expect(ack.ok).toBe(true);
    // Acknowledging twice is a conflict; another commune cannot see it.
    const again = await actOnAlert(t.db, tree, {
      id: a.id,
      action: 'acknowledge',
      scopeUnit: unit,
      actor: 'x',
      comment: 'x',
      now: dueA,
    });
    expect(again).toMatchObject({ ok: false, reason: 'conflict' });
    const outside = await actOnAlert(t.db, tree, {
      id: a.id,
      action: 'close',
      scopeUnit: test.communes[1],
      actor: 'x',
      comment: 'x',
      now: dueA,
    });
    expect(outside).toMatchObject({ ok: false, reason: 'not_found' });

    // 48 h after HS-B's deadline it reaches the city; HS-A, acknowledged, stays where it was.
    const late = await evaluate(dueB + 48 * H);
    expect(summary(late)).toEqual([`escalated:city:${unit}`]);
    expect((await alertOf(t, tree, 'dossier_deadline', 'HS-B'))[0].details).toMatchObject({
      overdueHours: 48,
    });
    expect(await evaluate(dueA + 49 * H)).toEqual([]);
    expect((await alertOf(t, tree, 'dossier_deadline', 'HS-A'))[0]).toMatchObject({
      state: 'acknowledged',
      level: 'commune',
      acknowledgedBy: 'Cán bộ Q01',
      acknowledgedComment: 'Đang xử lý, chờ ký',
    });

    // Both dossiers finished: both alerts resolve, once.
    const done = dueA + 50 * H;
    await arrive(t, done, [
      dossierEvent(unit, 'resolved', 'HS-A', { time: done - M }),
      dossierEvent(unit, 'resolved', 'HS-B', { time: done - M }),
    ]);
    expect(summary(await evaluate(done)).sort()).toEqual([
      `resolved:city:${unit}`,
      `resolved:commune:${unit}`,
    ]);
    expect(await evaluate(done + M)).toEqual([]);

    const [b] = await alertOf(t, tree, 'dossier_deadline', 'HS-B');
    const history = await readAlert(t.db, tree, b.id, test.city, true);
    expect(history?.history.map((h) => `${h.kind}:${h.level}`)).toEqual([
      'opened:commune',
      'escalated:district',
      'escalated:city',
      'resolved:city',
    ]);
    const acked = await readAlert(t.db, tree, a.id, unit, false);
    expect(acked?.alert.acknowledgedComment).toBeUndefined();
    expect(acked?.history.find((h) => h.kind === 'acknowledged')).toEqual(
      expect.not.objectContaining({ comment: expect.anything() }),
    );
  });

  it('closing by hand keeps the alert closed while the condition lasts; a district override moves the ladder', async () => {
    const unit = test.communes[3];
    const other = test.communes[4];
    const evaluate = evaluateFor([unit, other], 'dossier_deadline');
    const t0 = at('2026-11-17T09:00:00');
    await arrive(t, t0, [received(unit, 'HS-C', t0 - H, { time: t0 - 10 * H })]);
    const opened = await evaluate(t0);
    expect(summary(opened)).toEqual([`opened:district:${unit}`]);
    const [c] = await alertOf(t, tree, 'dossier_deadline', 'HS-C');
    const closed = await actOnAlert(t.db, tree, {
      id: c.id,
      action: 'close',
      scopeUnit: test.districtOf[unit],
      actor: 'Quận',
      comment: 'Hồ sơ đã chuyển cấp khác',
      now: t0 + M,
    });
    expect(closed.ok).toBe(true);
    expect(await evaluate(t0 + 2 * M)).toEqual([]);

    // The district sees dossiers coming 72 h ahead; its other commune inherits it.
    expect(test.districtOf[other]).toBe(test.districtOf[unit]);
    await writeRuleOverride(
      t.db,
      test.districtOf[unit],
      'dossier_deadline',
      { dueSoonHours: 72 },
      'Quận',
      t0,
    );
    await arrive(t, t0, [received(other, 'HS-D', t0 + 60 * H, { time: t0 - M })]);
    expect(summary(await evaluate(t0 + 3 * M))).toEqual([`opened:commune:${other}`]);
    // The commune changes another setting of the same rule: the district's 72 h still reaches it
    // (an override holds only the keys it sets, not the defaults of the others).
    await writeRuleOverride(
      t.db,
      other,
      'dossier_deadline',
      ruleOverrideSchema('dossier_deadline').parse({ cityAfterHours: 100 }),
      'Xã',
      t0,
    );
    expect((await readRuleSettings(t.db, tree))(other).dossier_deadline).toEqual({
      enabled: true,
      dueSoonHours: 72,
      cityAfterHours: 100,
    });
    expect(await evaluate(t0 + 3 * M + 1)).toEqual([]);
    await writeRuleOverride(t.db, other, 'dossier_deadline', {}, 'Xã', t0);
    await writeRuleOverride(t.db, test.districtOf[unit], 'dossier_deadline', {}, 'Quận', t0);
    expect(summary(await evaluate(t0 + 4 * M))).toEqual([`resolved:commune:${other}`]);
  });

  it('petitions climb the same ladder', async () => {
    const unit = test.communes[1];
    const evaluate = evaluateFor([unit], 'petition_deadline');
    const t0 = at('2026-11-17T09:00:00');
    await arrive(t, t0, [
      ev(unit, 'petition.received', { petitionCode: 'PA-1', category: 'procedure' }, { time: t0 }),
    ]);
    // Due 15 working days after reception (the end of that day).
    const due = addWorkingDays(cal, t0, 15);
    expect(await evaluate(due - 25 * H)).toEqual([]);
    expect(summary(await evaluate(due - 23 * H))).toEqual([`opened:commune:${unit}`]);
    expect(summary(await evaluate(due + H))).toEqual([`escalated:district:${unit}`]);
    await arrive(t, due + 2 * H, [
      ev(unit, 'petition.answered', { petitionCode: 'PA-1' }, { time: due + 2 * H }),
    ]);
    expect(summary(await evaluate(due + 3 * H))).toEqual([`resolved:district:${unit}`]);
  });

  it('satisfaction: fires on the Wilson upper bound, not on a few bad ratings', async () => {
    const unit = test.communes[2];
    const evaluate = evaluateFor([unit], 'satisfaction_low');
    const day = at('2026-11-17T10:00:00');
    const ratings = (level: string, n: number) =>
      Array.from({ length: n }, (_, i) => rating(unit, level, { time: day + i * 1000, desk: 'R01' }));
    // 3 bad out of 3: too few ratings. 14 of 20 satisfied (70 %): the upper bound is 0.855 ≥ 0.8.
    await arrive(t, day + H, ratings('unsatisfied', 3));
    expect(await evaluate(day + H)).toEqual([]);
    await arrive(t, day + H, [...ratings('satisfied', 14), ...ratings('unsatisfied', 3)]);
    expect(await evaluate(day + H)).toEqual([]);
    // 14 of 40 (35 %): the upper bound is 0.505 — fires.
    await arrive(t, day + H, ratings('unsatisfied', 20));
    const fired = await evaluate(day + H);
    expect(summary(fired)).toEqual([`opened:commune:${unit}`]);
    const [alert] = await alertOf(t, tree, 'satisfaction_low', unit);
    expect(alert.details).toMatchObject({ total: 40, target: 0.8 });
    expect(alert.details.wilsonHigh as number).toBeCloseTo(0.5049, 3);
  });

  it('desk silent respects working hours, lunch and weekends; sync lag flags late arrivals', async () => {
    const unit = test.communes[5];
    const evaluate = evaluateFor([unit], 'desk_silent');
    // Desk S01 sent 40 events on Monday: its rhythm is above one an hour.
    const monday = at('2026-11-16T08:00:00');
    await arrive(
      t,
      at('2026-11-16T16:00:00'),
      Array.from({ length: 40 }, (_, i) =>
        rating(unit, 'satisfied', { desk: 'S01', time: monday + i * 10 * M }),
      ),
    );
    const last = at('2026-11-17T11:30:00');
    await arrive(t, last, [rating(unit, 'satisfied', { desk: 'S01', time: last - M })]);
    // 11:30 → 13:20 is 50 working minutes (lunch does not count).
    expect(await evaluate(at('2026-11-17T13:20:00'))).toEqual([]);
    expect(summary(await evaluate(at('2026-11-17T13:30:00')))).toEqual([`opened:commune:${unit}`]);
    const [alert] = await alertOf(t, tree, 'desk_silent', 'S01');
    expect(alert).toMatchObject({ state: 'open', deskCode: 'S01', subjectKind: 'desk' });
    // It sends again: resolved.
    const back = at('2026-11-17T14:00:00');
    await arrive(t, back, [rating(unit, 'satisfied', { desk: 'S01', time: back - M })]);
    expect(summary(await evaluate(back + M))).toEqual([`resolved:commune:${unit}`]);
    // It keeps its rhythm on Wednesday (the 7-day window then still holds 40 a day).
    const wednesday = at('2026-11-18T08:00:00');
    await arrive(
      t,
      at('2026-11-18T16:00:00'),
      Array.from({ length: 40 }, (_, i) =>
        rating(unit, 'satisfied', { desk: 'S01', time: wednesday + i * 10 * M }),
      ),
    );
    // Friday 16:30 → Monday 08:29 is 59 working minutes: quiet over the weekend, silent at 08:30.
    const friday = at('2026-11-20T16:30:00');
    await arrive(t, friday, [rating(unit, 'satisfied', { desk: 'S01', time: friday - M })]);
    expect(await evaluate(at('2026-11-21T10:00:00'))).toEqual([]);
    expect(await evaluate(at('2026-11-23T08:29:00'))).toEqual([]);
    expect(summary(await evaluate(at('2026-11-23T08:30:00')))).toEqual([`opened:commune:${unit}`]);

    // Desk L01's events of Monday 08:00 arrive on Tuesday 09:00: 9 working hours late.
    await arrive(t, at('2026-11-24T09:00:00'), [
      rating(unit, 'satisfied', { desk: 'L01', time: at('2026-11-23T08:00:00') }),
    ]);
    const lag = await evaluateFor([unit], 'sync_lag')(at('2026-11-24T09:01:00'));
    expect(summary(lag)).toEqual([`opened:commune:${unit}`]);
    const [lagAlert] = await alertOf(t, tree, 'sync_lag', 'L01');
    expect(lagAlert.details).toMatchObject({ lagHours: 9 });
  });

  it("reads a desk's rhythm only when asked: the same figure as reading every desk's", async () => {
    const unit = test.communes[7];
    const monday = at('2026-11-16T08:00:00');
    // R01 sends all Monday; R02 once at 08:00: by 11:00 R02 has been silent three working hours.
    await arrive(
      t,
      at('2026-11-16T11:00:00'),
      Array.from({ length: 18 }, (_, i) =>
        rating(unit, 'satisfied', { desk: 'R01', time: monday + i * 10 * M }),
      ),
    );
    await arrive(t, monday, [rating(unit, 'satisfied', { desk: 'R02', time: monday })]);
    const now = at('2026-11-16T11:00:00');
    const every = await readDeskHealth(t.db, [unit], () => 7, now, cal);
    const silentOnly = await readDeskHealth(
      t.db,
      [unit],
      () => 7,
      now,
      cal,
      (d) => d.lastReceivedAt < now - H,
    );
    const rhythm = (rows: typeof every) =>
      Object.fromEntries(
        rows.map((r) => [r.deskCode, 'perWorkingHour' in r ? r.perWorkingHour : 'no facts']),
      );
    // Per working hour of the week up to now (Tuesday the 10th to Monday 11:00).
    const hours = workingMsBetween(cal, localDayStart(now) - 6 * DAY, now) / H;
    expect(hours).toBeGreaterThan(30);
    expect(rhythm(every)).toEqual({ R01: 18 / hours, R02: 1 / hours });
    expect(rhythm(silentOnly)).toEqual({ R01: null, R02: 1 / hours });
  });

  it('two evaluations at once open one alert per subject', async () => {
    const unit = test.communes[6];
    const evaluate = evaluateFor([unit], 'dossier_deadline');
    const t0 = at('2026-12-01T09:00:00');
    await arrive(t, t0, [received(unit, 'HS-E', t0 + H, { time: t0 - M })]);
    const [x, y] = await Promise.all([evaluate(t0), evaluate(t0)]);
    expect([...x, ...y].filter((c) => c.kind === 'opened')).toHaveLength(1);
    const rows = await t.db.query<{ n: number }>(
      sql`select count(*)::int as n from alerts where subject = 'HS-E' and state in ('open', 'acknowledged')`,
    );
    expect(rows[0].n).toBe(1);
  });
});
