/**
 * Alerts (docs/alerts.md): the evaluator that opens, escalates and resolves them from the state
 * the write path keeps (open dossiers and petitions, rollups, desk health), and the actions
 * people take on them. Every change is one row of `alert_events`; a change queues a webhook
 * delivery per matching subscription in the same transaction (the outbox, see webhooks.ts).
 */
import { randomUUID } from 'node:crypto';
import {
  ALERT_LEVELS,
  ALERT_RULES,
  type Alert,
  type AlertCounts,
  type AlertEvent,
  type AlertEventKind,
  type AlertLevel,
  type AlertList,
  type AlertRule,
  type AlertState,
  type AlertSubjectKind,
  DEFAULT_RULE_SETTINGS,
  levelRank,
  type RuleSettings,
  ruleOverrideSchema,
  type WebhookPayload,
} from '@motcua/contract';
import {
  DAY,
  deadlineLevel,
  deskHealth,
  formatLocal,
  HOUR,
  localDayStart,
  silentLongEnough,
  type WorkCalendar,
  wilsonHigh,
  workingMsBetween,
} from '@motcua/metrics';
import { sql } from 'drizzle-orm';
import type { Database, Executor } from './client.ts';
import { rowsOf } from './columns.ts';
import { DEADLINE_SQL } from './read.ts';
import type { UnitTree } from './tree.ts';

/** One condition a rule sees now on one subject. */
export interface AlertCondition {
  rule: AlertRule;
  subjectKind: AlertSubjectKind;
  subject: string;
  unitCode: string;
  deskCode: string | null;
  level: AlertLevel;
  details: Record<string, unknown>;
  /** False: the condition keeps a live alert alive but opens none (a silent desk after hours). */
  opens: boolean;
}

/** An alert change as it was stored. */
export interface AlertChange {
  eventId: number;
  alertId: number;
  kind: AlertEventKind;
  at: number;
  level: AlertLevel;
  unitCode: string;
}

/** Serialises evaluations across dashboard processes (Postgres advisory lock id). */
const EVALUATE_LOCK = 727013;

/** Every rule's settings at any unit: the defaults, then the changes of each unit on its path, city first. */
export async function readRuleSettings(
  db: Database,
  tree: UnitTree,
): Promise<(commune: string) => RuleSettings> {
  const rows = await db.query<{ unit_code: string; rule: string; settings: unknown }>(
    sql`select unit_code, rule, settings from alert_rules`,
  );
  const byUnit = new Map<string, { rule: AlertRule; settings: Record<string, unknown> }[]>();
  for (const r of rows) {
    if (!(ALERT_RULES as readonly string[]).includes(r.rule)) continue;
    const raw = typeof r.settings === 'string' ? JSON.parse(r.settings) : r.settings;
    const parsed = ruleOverrideSchema(r.rule as AlertRule).safeParse(raw);
    if (!parsed.success) continue;
    const list = byUnit.get(r.unit_code) ?? [];
    list.push({ rule: r.rule as AlertRule, settings: parsed.data });
    byUnit.set(r.unit_code, list);
  }
  const cache = new Map<string, RuleSettings>();
  return (commune) => {
    const hit = cache.get(commune);
    if (hit) return hit;
    const out = structuredClone(DEFAULT_RULE_SETTINGS) as Record<AlertRule, Record<string, unknown>>;
    for (const unit of tree.ancestors(commune).reverse()) {
      for (const o of byUnit.get(unit.code) ?? []) Object.assign(out[o.rule], o.settings);
    }
    cache.set(commune, out as RuleSettings);
    return out as RuleSettings;
  };
}

/** The stored overrides of one unit (what its form shows), by rule. */
export async function readUnitRuleOverrides(
  db: Database,
  unitCode: string,
): Promise<Partial<Record<AlertRule, Record<string, unknown>>>> {
  const rows = await db.query<{ rule: string; settings: unknown }>(
    sql`select rule, settings from alert_rules where unit_code = ${unitCode} order by rule`,
  );
  return Object.fromEntries(
    rows.map((r) => [r.rule, typeof r.settings === 'string' ? JSON.parse(r.settings) : r.settings]),
  );
}

/** Replaces a unit's changes to one rule; an empty object removes them (back to what it inherits). */
export async function writeRuleOverride(
  db: Database,
  unitCode: string,
  rule: AlertRule,
  settings: Record<string, unknown>,
  by: string,
  now: number,
): Promise<void> {
  if (Object.keys(settings).length === 0) {
    await db.query(sql`delete from alert_rules where unit_code = ${unitCode} and rule = ${rule}`);
    return;
  }
  await db.query(
    sql`insert into alert_rules (unit_code, rule, settings, updated_at, updated_by)
      values (${unitCode}, ${rule}, ${JSON.stringify(settings)}::jsonb, ${now}, ${by})
      on conflict (unit_code, rule) do update set settings = excluded.settings,
        updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  );
}

const maxOf = (communes: string[], f: (c: string) => number) =>
  communes.reduce((m, c) => Math.max(m, f(c)), 0);

/** Open dossiers or petitions whose deadline is near or past, with the level each one calls for. */
async function deadlineConditions(
  db: Database,
  kind: 'dossier' | 'petition',
  communes: string[],
  settings: (c: string) => RuleSettings,
  now: number,
): Promise<AlertCondition[]> {
  const rule = kind === 'dossier' ? 'dossier_deadline' : 'petition_deadline';
  const on = communes.filter((c) => settings(c)[rule].enabled);
  if (on.length === 0) return [];
  const horizon = now + maxOf(on, (c) => settings(c)[rule].dueSoonHours) * HOUR;
  const units = `{${on.join(',')}}`;
  // Both read the open set through its partial index (finished/handled is null, due_at set).
  const rows =
    kind === 'dossier'
      ? await db.query<{ unit_code: string; code: string; desk_code: string; deadline: number }>(
          sql`select unit_code, dossier_code as code, desk_code, deadline::float8 as deadline from (
              select unit_code, dossier_code, desk_code, ${DEADLINE_SQL(now)} as deadline
              from dossiers
              where finished_at is null and due_at is not null and unit_code = any(${units}::text[])
            ) s where deadline <= ${horizon}`,
        )
      : await db.query<{ unit_code: string; code: string; desk_code: string; deadline: number }>(
          sql`select unit_code, petition_code as code, desk_code, due_at::float8 as deadline
            from petitions
            where handled_at is null and due_at is not null and unit_code = any(${units}::text[])
              and due_at <= ${horizon}`,
        );
  const out: AlertCondition[] = [];
  for (const r of rows) {
    const level = deadlineLevel(r.deadline, now, settings(r.unit_code)[rule]);
    if (!level) continue;
    out.push({
      rule,
      subjectKind: kind,
      subject: r.code,
      unitCode: r.unit_code,
      deskCode: r.desk_code,
      level,
      opens: true,
      details: {
        dueAt: formatLocal(r.deadline),
        overdueHours: Math.round(((now - r.deadline) / HOUR) * 10) / 10,
      },
    });
  }
  return out;
}

/** Communes whose satisfied share is, with 97.5 % confidence, below their target. */
async function satisfactionConditions(
  db: Database,
  communes: string[],
  settings: (c: string) => RuleSettings,
  now: number,
): Promise<AlertCondition[]> {
  const on = communes.filter((c) => settings(c).satisfaction_low.enabled);
  const byWindow = new Map<number, string[]>();
  for (const c of on) {
    const days = settings(c).satisfaction_low.windowDays;
    byWindow.set(days, [...(byWindow.get(days) ?? []), c]);
  }
  const out: AlertCondition[] = [];
  for (const [days, list] of byWindow) {
    const from = localDayStart(now) - (days - 1) * DAY;
    const rows = await db.query<{ unit_code: string; good: number; total: number }>(
      sql`select unit_code, sum(very_satisfied + satisfied)::float8 as good,
          sum(very_satisfied + satisfied + unsatisfied)::float8 as total
        from rollups where grain = 'd' and bucket_start >= ${from} and bucket_start <= ${now}
          and unit_code = any(${`{${list.join(',')}}`}::text[])
        group by unit_code`,
    );
    for (const r of rows) {
      const high = wilsonHigh(r.good, r.total);
      const { target, minRatings } = settings(r.unit_code).satisfaction_low;
      if (high === null || r.total < minRatings || high >= target) continue;
      out.push({
        rule: 'satisfaction_low',
        subjectKind: 'unit',
        subject: r.unit_code,
        unitCode: r.unit_code,
        deskCode: null,
        level: 'commune',
        opens: true,
        details: {
          rate: r.good / r.total,
          wilsonHigh: high,
          total: r.total,
          target,
          windowDays: days,
        },
      });
    }
  }
  return out;
}

export interface DeskHealthRow {
  unitCode: string;
  deskCode: string;
  lastEventAt: number;
  lastReceivedAt: number;
  batchOldestAt: number;
  /** Events per working hour over the commune's `rhythmDays`; null when not measured. */
  perWorkingHour: number | null;
}

/** Activity a desk's rhythm is counted from: receptions, outcomes and ratings (the rollup counters). */
const ACTIVITY = `received_direct + received_online + received_postal + early + on_time + late + unknown
  + very_satisfied + satisfied + unsatisfied`;

type DeskFacts = Omit<DeskHealthRow, 'perWorkingHour'>;

/**
 * Every desk of some communes with its facts and its rhythm over the last `rhythmDays` days; a
 * desk with no event since the write path began keeping them has null facts (not measured).
 * `needsRhythm` picks the desks whose rhythm is read (all by default): the others come back with
 * `perWorkingHour` null, unread. The rhythm sums hour rows per desk, a week of them for every desk
 * asked, so the evaluator asks only for desks silent long enough for it to matter.
 */
export async function readDeskHealth(
  db: Database,
  communes: string[],
  rhythmDays: (c: string) => number,
  now: number,
  cal: WorkCalendar,
  needsRhythm: (desk: DeskFacts) => boolean = () => true,
): Promise<(DeskHealthRow | (Pick<DeskHealthRow, 'unitCode' | 'deskCode'> & { lastEventAt: null }))[]> {
  if (communes.length === 0) return [];
  const rows = await db.query<{
    unit_code: string;
    desk_code: string;
    last_event_at: number | null;
    last_received_at: number;
    batch_oldest_at: number;
  }>(
    sql`select d.unit_code, d.desk_code, h.last_event_at::float8 as last_event_at,
        h.last_received_at::float8 as last_received_at, h.batch_oldest_at::float8 as batch_oldest_at
      from desks d left join desk_health h on h.unit_code = d.unit_code and h.desk_code = d.desk_code
      where d.unit_code = any(${`{${communes.join(',')}}`}::text[]) order by d.unit_code, d.desk_code`,
  );
  const facts = rows.map((r) =>
    r.last_event_at === null
      ? { unitCode: r.unit_code, deskCode: r.desk_code, lastEventAt: null }
      : {
          unitCode: r.unit_code,
          deskCode: r.desk_code,
          lastEventAt: r.last_event_at,
          lastReceivedAt: r.last_received_at,
          batchOldestAt: r.batch_oldest_at,
        },
  );
  const asked = facts.filter((f): f is DeskFacts => f.lastEventAt !== null && needsRhythm(f));
  const rhythm = await readDeskRhythms(db, asked, rhythmDays, now, cal);
  return facts.map((f) =>
    f.lastEventAt === null ? f : { ...f, perWorkingHour: rhythm.get(`${f.unitCode}/${f.deskCode}`) ?? null },
  );
}

/** Events per working hour of some desks over their commune's last `rhythmDays` local days. */
async function readDeskRhythms(
  db: Database,
  desks: Pick<DeskHealthRow, 'unitCode' | 'deskCode'>[],
  rhythmDays: (c: string) => number,
  now: number,
  cal: WorkCalendar,
): Promise<Map<string, number | null>> {
  const out = new Map<string, number | null>();
  const byDays = new Map<number, Set<string>>();
  for (const d of desks) {
    const days = rhythmDays(d.unitCode);
    byDays.set(days, (byDays.get(days) ?? new Set()).add(d.unitCode));
  }
  for (const [days, communes] of byDays) {
    // Hour rows (day rows are per commune); an hour starts a local day's hours, so the window's
    // first day starts exactly at `since`.
    const since = localDayStart(now) - (days - 1) * DAY;
    const hours = workingMsBetween(cal, since, now) / HOUR;
    const sums = await db.query<{ unit_code: string; desk_code: string; n: number }>(
      sql`select unit_code, desk_code, sum(${sql.raw(ACTIVITY)})::float8 as n
        from rollups where grain = 'h' and bucket_start >= ${since}
          and unit_code = any(${`{${[...communes].join(',')}}`}::text[])
        group by 1, 2`,
    );
    const n = new Map(sums.map((r) => [`${r.unit_code}/${r.desk_code}`, r.n]));
    for (const d of desks) {
      if (!communes.has(d.unitCode)) continue;
      const key = `${d.unitCode}/${d.deskCode}`;
      out.set(key, hours > 0 ? (n.get(key) ?? 0) / hours : null);
    }
  }
  return out;
}

function deskConditions(
  desks: Awaited<ReturnType<typeof readDeskHealth>>,
  settings: (c: string) => RuleSettings,
  now: number,
  cal: WorkCalendar,
): AlertCondition[] {
  const out: AlertCondition[] = [];
  for (const d of desks) {
    if (d.lastEventAt === null) continue;
    const s = settings(d.unitCode);
    const h = deskHealth(d, now, cal, {
      silentMinutes: s.desk_silent.silentMinutes,
      minPerHour: s.desk_silent.minPerHour,
      lagHours: s.sync_lag.lagHours,
    });
    const base = {
      subjectKind: 'desk' as const,
      subject: d.deskCode,
      unitCode: d.unitCode,
      deskCode: d.deskCode,
    };
    if (s.desk_silent.enabled && h.usuallySends && h.silentMs >= s.desk_silent.silentMinutes * 60_000) {
      out.push({
        ...base,
        rule: 'desk_silent',
        level: 'commune',
        // Opened only while the working day is on; kept (not resolved) over lunch and the night.
        opens: h.workingNow,
        details: {
          lastReceivedAt: formatLocal(d.lastReceivedAt),
          silentMinutes: Math.round(h.silentMs / 60_000),
          perWorkingHour: d.perWorkingHour,
        },
      });
    }
    if (s.sync_lag.enabled && h.lagMs > s.sync_lag.lagHours * HOUR) {
      out.push({
        ...base,
        rule: 'sync_lag',
        level: 'commune',
        opens: true,
        details: {
          lagHours: Math.round((h.lagMs / HOUR) * 10) / 10,
          lastReceivedAt: formatLocal(d.lastReceivedAt),
          oldestEventAt: formatLocal(d.batchOldestAt),
        },
      });
    }
  }
  return out;
}

/** Every rule's conditions at `now` over every commune of the tree. */
export async function readAlertConditions(
  db: Database,
  tree: UnitTree,
  now: number,
  cal: WorkCalendar,
): Promise<AlertCondition[]> {
  const settings = await readRuleSettings(db, tree);
  const communes = tree.roots().flatMap((r) => tree.communesUnder(r.code));
  const deskCommunes = communes.filter(
    (c) => settings(c).desk_silent.enabled || settings(c).sync_lag.enabled,
  );
  // A desk's rhythm matters only once it has been silent for `silentMinutes` of working time
  // (below that no rule reads it), so only those desks' week of hour rows is read.
  const desks = await readDeskHealth(
    db,
    deskCommunes,
    (c) => settings(c).desk_silent.rhythmDays,
    now,
    cal,
    (d) => {
      const s = settings(d.unitCode).desk_silent;
      return s.enabled && silentLongEnough(workingMsBetween(cal, d.lastReceivedAt, now), s);
    },
  );
  return [
    ...(await deadlineConditions(db, 'dossier', communes, settings, now)),
    ...(await deadlineConditions(db, 'petition', communes, settings, now)),
    ...(await satisfactionConditions(db, communes, settings, now)),
    ...deskConditions(desks, settings, now, cal),
  ];
}

const keyOf = (rule: string, unitCode: string, subject: string) => `${rule}\u0000${unitCode}\u0000${subject}`;

/**
 * One evaluation at `now`: opens an alert for each new condition, escalates an open
 * (unacknowledged) alert whose condition now calls for a higher level, and resolves every live
 * alert whose condition has cleared. Returns the changes, in the order they were stored.
 */
export async function evaluateAlerts(
  db: Database,
  tree: UnitTree,
  opts: { now: number; calendar: WorkCalendar },
): Promise<AlertChange[]> {
  return db.withLock(EVALUATE_LOCK, async () => {
    const { now } = opts;
    const conditions = await readAlertConditions(db, tree, now, opts.calendar);
    return db.transaction(async (tx) => {
      // A closed alert whose condition still holds stays closed: it keeps a new one from opening
      // until the condition has cleared once (then `resolved_at` marks that, with no event).
      const live = await db.query<{
        id: number;
        rule: string;
        unit_code: string;
        subject: string;
        level: string;
        state: string;
      }>(
        sql`select id, rule, unit_code, subject, level, state from alerts
          where state in ('open', 'acknowledged') or (state = 'closed' and resolved_at is null)`,
        tx,
      );
      const liveByKey = new Map(live.map((a) => [keyOf(a.rule, a.unit_code, a.subject), a]));
      const seen = new Set<string>();
      const toOpen: AlertCondition[] = [];
      const toEscalate: { id: number; level: AlertLevel; details: Record<string, unknown> }[] = [];
      for (const c of conditions) {
        const key = keyOf(c.rule, c.unitCode, c.subject);
        seen.add(key);
        const a = liveByKey.get(key);
        if (!a) {
          if (c.opens) toOpen.push(c);
        } else if (a.state === 'open' && levelRank(c.level) > levelRank(a.level as AlertLevel)) {
          toEscalate.push({ id: a.id, level: c.level, details: c.details });
        }
      }
      const cleared = live.filter((a) => !seen.has(keyOf(a.rule, a.unit_code, a.subject)));
      const toResolve = cleared.filter((a) => a.state !== 'closed').map((a) => a.id);
      const closedCleared = cleared.filter((a) => a.state === 'closed').map((a) => a.id);
      if (closedCleared.length > 0) {
        await db.query(
          sql`update alerts set resolved_at = ${now} where id = any(${`{${closedCleared.join(',')}}`}::int[])`,
          tx,
        );
      }

      const events: { alertId: number; kind: AlertEventKind; level: AlertLevel; unitCode: string }[] = [];
      if (toOpen.length > 0) {
        const opened = await db.query<{ id: number; level: AlertLevel; unit_code: string }>(
          sql`insert into alerts (rule, subject_kind, subject, unit_code, desk_code, level, state, opened_at, updated_at, details)
            select rule, subject_kind, subject, unit_code, desk_code, level, 'open', ${now}, ${now}, details
            from ${rowsOf(toOpen, [
              ['rule', 'text', (c) => c.rule],
              ['subject_kind', 'text', (c) => c.subjectKind],
              ['subject', 'text', (c) => c.subject],
              ['unit_code', 'text', (c) => c.unitCode],
              ['desk_code', 'text', (c) => c.deskCode],
              ['level', 'text', (c) => c.level],
              ['details', 'jsonb', (c) => c.details],
            ])}
            on conflict (rule, unit_code, subject) where state in ('open', 'acknowledged') do nothing
            returning id, level, unit_code`,
          tx,
        );
        for (const r of opened)
          events.push({ alertId: r.id, kind: 'opened', level: r.level, unitCode: r.unit_code });
      }
      if (toEscalate.length > 0) {
        const escalated = await db.query<{ id: number; level: AlertLevel; unit_code: string }>(
          sql`update alerts a set level = x.level, escalated_at = ${now}, updated_at = ${now}, details = x.details
            from ${rowsOf(toEscalate, [
              ['id', 'integer', (e) => e.id],
              ['level', 'text', (e) => e.level],
              ['details', 'jsonb', (e) => e.details],
            ])}
            where a.id = x.id and a.state = 'open'
            returning a.id, a.level, a.unit_code`,
          tx,
        );
        for (const r of escalated)
          events.push({ alertId: r.id, kind: 'escalated', level: r.level, unitCode: r.unit_code });
      }
      if (toResolve.length > 0) {
        const resolved = await db.query<{ id: number; level: AlertLevel; unit_code: string }>(
          sql`update alerts set state = 'resolved', resolved_at = ${now}, updated_at = ${now}
            where id = any(${`{${toResolve.join(',')}}`}::int[]) and state in ('open', 'acknowledged')
            returning id, level, unit_code`,
          tx,
        );
        for (const r of resolved)
          events.push({ alertId: r.id, kind: 'resolved', level: r.level, unitCode: r.unit_code });
      }
      return recordChanges(db, tx, tree, events, now, null, null);
    });
  });
}

/** Appends the changes to `alert_events` and queues their webhook deliveries. */
async function recordChanges(
  db: Database,
  tx: Executor,
  tree: UnitTree,
  events: { alertId: number; kind: AlertEventKind; level: AlertLevel; unitCode: string }[],
  now: number,
  actor: string | null,
  comment: string | null,
): Promise<AlertChange[]> {
  if (events.length === 0) return [];
  const rows = await db.query<{ id: number; alert_id: number }>(
    sql`insert into alert_events (alert_id, kind, at, level, actor, comment)
      select alert_id, kind, ${now}, level, ${actor}, ${comment}
      from ${rowsOf(events, [
        ['alert_id', 'integer', (e) => e.alertId],
        ['kind', 'text', (e) => e.kind],
        ['level', 'text', (e) => e.level],
      ])}
      returning id::float8 as id, alert_id`,
    tx,
  );
  // One change per alert in a call: the alert id finds the change its event row belongs to.
  const byAlert = new Map(events.map((e) => [e.alertId, e]));
  const changes = rows
    .map((r) => {
      const e = byAlert.get(r.alert_id) as (typeof events)[number];
      return {
        eventId: r.id,
        alertId: r.alert_id,
        kind: e.kind,
        at: now,
        level: e.level,
        unitCode: e.unitCode,
      };
    })
    .sort((a, b) => a.eventId - b.eventId);
  await queueWebhooks(db, tx, tree, changes);
  return changes;
}

/** One row per (matching active subscription, change), in the same transaction as the change. */
async function queueWebhooks(db: Database, tx: Executor, tree: UnitTree, changes: AlertChange[]) {
  const subs = await db.query<{ id: number; unit_code: string; min_level: AlertLevel }>(
    sql`select id, unit_code, min_level from webhook_subscriptions where active order by id`,
    tx,
  );
  if (subs.length === 0) return;
  const wanted = changes.flatMap((c) =>
    subs
      .filter((s) => tree.isWithin(c.unitCode, s.unit_code) && levelRank(c.level) >= levelRank(s.min_level))
      .map((s) => ({ sub: s.id, change: c })),
  );
  if (wanted.length === 0) return;
  const alertRows = await readAlertRows(db, tx, [...new Set(wanted.map((w) => w.change.alertId))]);
  const byId = new Map(alertRows.map((a) => [a.id, a]));
  const deliveries = wanted.map((w) => {
    const id = randomUUID();
    const payload: WebhookPayload = {
      deliveryId: id,
      event: w.change.kind,
      at: formatLocal(w.change.at),
      alert: toAlert(byId.get(w.change.alertId) as AlertRow, tree, true),
    };
    return { id, sub: w.sub, eventId: w.change.eventId, payload, at: w.change.at };
  });
  await db.query(
    sql`insert into webhook_deliveries (id, subscription_id, alert_event_id, payload, state, attempts, created_at, next_attempt_at)
      select id, subscription_id, alert_event_id, payload, 'pending', 0, created_at, created_at
      from ${rowsOf(deliveries, [
        ['id', 'text', (d) => d.id],
        ['subscription_id', 'integer', (d) => d.sub],
        ['alert_event_id', 'bigint', (d) => d.eventId],
        ['payload', 'jsonb', (d) => d.payload],
        ['created_at', 'bigint', (d) => d.at],
      ])}`,
    tx,
  );
}

interface AlertRow {
  id: number;
  rule: AlertRule;
  subject_kind: AlertSubjectKind;
  subject: string;
  unit_code: string;
  desk_code: string | null;
  level: AlertLevel;
  state: AlertState;
  opened_at: number;
  escalated_at: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  acknowledged_comment: string | null;
  resolved_at: number | null;
  closed_at: number | null;
  updated_at: number;
  details: Record<string, unknown> | string;
}

/** The columns an {@link AlertRow} is read with; `p` prefixes them with a table alias. */
const alertColumns = (p = '') =>
  sql.raw(
    [
      'id',
      'rule',
      'subject_kind',
      'subject',
      'unit_code',
      'desk_code',
      'level',
      'state',
      'opened_at::float8 as opened_at',
      'escalated_at::float8 as escalated_at',
      'acknowledged_at::float8 as acknowledged_at',
      'acknowledged_by',
      'acknowledged_comment',
      'resolved_at::float8 as resolved_at',
      'closed_at::float8 as closed_at',
      'updated_at::float8 as updated_at',
      'details',
    ]
      .map((c) => p + c)
      .join(', '),
  );

async function readAlertRows(db: Database, on: Executor | undefined, ids: number[]): Promise<AlertRow[]> {
  if (ids.length === 0) return [];
  return db.query<AlertRow>(
    sql`select ${alertColumns()} from alerts where id = any(${`{${ids.join(',')}}`}::int[])`,
    on,
  );
}

const local = (ms: number | null) => (ms === null ? null : formatLocal(ms));

function toAlert(r: AlertRow, tree: UnitTree, withComment: boolean): Alert {
  const alert: Alert = {
    id: r.id,
    rule: r.rule,
    subjectKind: r.subject_kind,
    subject: r.subject,
    unitCode: r.unit_code,
    unitName: tree.get(r.unit_code)?.name ?? r.unit_code,
    deskCode: r.desk_code,
    level: r.level,
    state: r.state,
    openedAt: formatLocal(r.opened_at),
    escalatedAt: local(r.escalated_at),
    acknowledgedAt: local(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    resolvedAt: local(r.resolved_at),
    closedAt: local(r.closed_at),
    updatedAt: formatLocal(r.updated_at),
    details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
  };
  if (withComment) alert.acknowledgedComment = r.acknowledged_comment;
  return alert;
}

export type AlertStateFilter = AlertState | 'live' | 'all';

/**
 * The alerts of a unit's subtree, most urgent first (level, then oldest), with the live counts.
 * `withComments` false (display viewers) leaves acknowledgement comments out.
 */
export async function listAlerts(
  db: Database,
  tree: UnitTree,
  unitCode: string,
  opts: { state?: AlertStateFilter; level?: AlertLevel; limit?: number; withComments: boolean },
): Promise<AlertList> {
  const communes = tree.communesUnder(unitCode);
  const units = `{${communes.join(',')}}`;
  const state = opts.state ?? 'live';
  const stateFilter =
    state === 'all'
      ? sql``
      : state === 'live'
        ? sql`and state in ('open', 'acknowledged')`
        : sql`and state = ${state}`;
  const levelFilter = opts.level ? sql`and level = ${opts.level}` : sql``;
  const rows =
    communes.length === 0
      ? []
      : await db.query<AlertRow>(
          sql`select ${alertColumns()} from alerts
            where unit_code = any(${units}::text[]) ${stateFilter} ${levelFilter}
            order by case level when 'city' then 0 when 'district' then 1 else 2 end, opened_at, id
            limit ${opts.limit ?? 200}`,
        );
  return {
    unit: unitCode,
    counts: await countAlerts(db, communes),
    alerts: rows.map((r) => toAlert(r, tree, opts.withComments)),
  };
}

/** Live alerts of some communes: by state and by level. */
export async function countAlerts(db: Database, communes: string[]): Promise<AlertCounts> {
  const counts: AlertCounts = { open: 0, acknowledged: 0, byLevel: { commune: 0, district: 0, city: 0 } };
  if (communes.length === 0) return counts;
  const rows = await db.query<{ state: 'open' | 'acknowledged'; level: AlertLevel; n: number }>(
    sql`select state, level, count(*)::float8 as n from alerts
      where state in ('open', 'acknowledged') and unit_code = any(${`{${communes.join(',')}}`}::text[])
      group by state, level`,
  );
  for (const r of rows) {
    counts[r.state] += r.n;
    if ((ALERT_LEVELS as readonly string[]).includes(r.level)) counts.byLevel[r.level] += r.n;
  }
  return counts;
}

/**
 * The histories of some alerts, oldest change first: every change with its time, the level it
 * left the alert at, who made it (null: the evaluator) and, with `withComments`, the comment.
 * The caller has checked the alerts are the viewer's; display viewers get no comments.
 */
export async function readAlertHistories(
  db: Database,
  ids: number[],
  withComments: boolean,
): Promise<Map<number, AlertEvent[]>> {
  const out = new Map<number, AlertEvent[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rows = await db.query<{
    id: number;
    alert_id: number;
    kind: AlertEventKind;
    at: number;
    level: AlertLevel;
    actor: string | null;
    comment: string | null;
  }>(
    sql`select id::float8 as id, alert_id, kind, at::float8 as at, level, actor, comment
      from alert_events where alert_id = any(${`{${ids.join(',')}}`}::int[]) order by alert_id, id`,
  );
  for (const h of rows) {
    out.get(h.alert_id)?.push({
      id: h.id,
      kind: h.kind,
      at: formatLocal(h.at),
      level: h.level,
      actor: h.actor,
      ...(withComments ? { comment: h.comment } : {}),
    });
  }
  return out;
}

/** One alert with its history, or null when it is not in the unit's subtree. */
export async function readAlert(
  db: Database,
  tree: UnitTree,
  id: number,
  scopeUnit: string,
  withComments: boolean,
): Promise<{ alert: Alert; history: AlertEvent[] } | null> {
  const [row] = await readAlertRows(db, undefined, [id]);
  if (!row || !tree.isWithin(row.unit_code, scopeUnit)) return null;
  const history = await readAlertHistories(db, [id], withComments);
  return { alert: toAlert(row, tree, withComments), history: history.get(id) ?? [] };
}

export type AlertActionResult =
  | { ok: true; alert: Alert; change: AlertChange }
  | { ok: false; reason: 'not_found' | 'conflict'; message: string };

/**
 * Acknowledges an open alert (who, when, why) or closes a live one by hand. Only alerts in
 * `scopeUnit`'s subtree; `not_found` outside it, `conflict` when its state does not allow it.
 */
export async function actOnAlert(
  db: Database,
  tree: UnitTree,
  opts: {
    id: number;
    action: 'acknowledge' | 'close';
    scopeUnit: string;
    actor: string;
    comment: string;
    now: number;
  },
): Promise<AlertActionResult> {
  const { id, now, actor, comment } = opts;
  return db.transaction(async (tx) => {
    const [row] = await db.query<{ unit_code: string; state: AlertState }>(
      sql`select unit_code, state from alerts where id = ${id} ${db.kind === 'postgres' ? sql`for update` : sql``}`,
      tx,
    );
    if (!row || !tree.isWithin(row.unit_code, opts.scopeUnit)) {
      return { ok: false, reason: 'not_found', message: `alert ${id}: not found in your unit` } as const;
    }
    const allowed =
      opts.action === 'acknowledge'
        ? row.state === 'open'
        : row.state === 'open' || row.state === 'acknowledged';
    if (!allowed) {
      return { ok: false, reason: 'conflict', message: `alert ${id}: it is ${row.state}` } as const;
    }
    const [updated] =
      opts.action === 'acknowledge'
        ? await db.query<{ level: AlertLevel }>(
            sql`update alerts set state = 'acknowledged', acknowledged_at = ${now}, acknowledged_by = ${actor},
                acknowledged_comment = ${comment}, updated_at = ${now}
              where id = ${id} returning level`,
            tx,
          )
        : await db.query<{ level: AlertLevel }>(
            sql`update alerts set state = 'closed', closed_at = ${now}, closed_by = ${actor}, updated_at = ${now}
              where id = ${id} returning level`,
            tx,
          );
    const [change] = await recordChanges(
      db,
      tx,
      tree,
      [
        {
          alertId: id,
          kind: opts.action === 'acknowledge' ? 'acknowledged' : 'closed',
          level: updated.level,
          unitCode: row.unit_code,
        },
      ],
      now,
      actor,
      comment,
    );
    const [alertRow] = await readAlertRows(db, tx, [id]);
    return { ok: true, alert: toAlert(alertRow, tree, true), change } as const;
  });
}

/** Runs `fn` while no evaluation runs (the mail digest reads up to the newest change with it). */
export const withAlertLock = <T>(db: Database, fn: () => Promise<T>) => db.withLock(EVALUATE_LOCK, fn);

export interface DigestItem {
  eventId: number;
  kind: 'opened' | 'escalated';
  at: string;
  alert: Alert;
}

export interface PendingDigest {
  recipient: { id: number; unitCode: string; address: string; minLevel: AlertLevel };
  /** Alerts opened or escalated in the recipient's subtree since its last digest, oldest first (at most `limit`). */
  items: DigestItem[];
  /** How many there are in all. */
  total: number;
  /** The change the next digest starts after. */
  cursor: number;
}

/**
 * Every recipient's new openings and escalations at its level or above. Call under
 * {@link withAlertLock}: a change id not yet committed would otherwise be skipped for good.
 */
export async function readPendingDigests(
  db: Database,
  tree: UnitTree,
  limit = 200,
): Promise<PendingDigest[]> {
  const [{ max }] = await db.query<{ max: number }>(
    sql`select coalesce(max(id), 0)::float8 as max from alert_events`,
  );
  const recipients = await db.query<{
    id: number;
    unit_code: string;
    address: string;
    min_level: AlertLevel;
    last_event_id: number;
  }>(
    sql`select id, unit_code, address, min_level, last_event_id::float8 as last_event_id
      from email_recipients where last_event_id < ${max} order by id`,
  );
  const out: PendingDigest[] = [];
  for (const r of recipients) {
    const communes = tree.communesUnder(r.unit_code);
    const levels = ALERT_LEVELS.filter((l) => levelRank(l) >= levelRank(r.min_level));
    const rows =
      communes.length === 0
        ? []
        : await db.query<
            AlertRow & { event_id: number; kind: 'opened' | 'escalated'; at: number; total: number }
          >(
            sql`select e.id::float8 as event_id, e.kind, e.at::float8 as at, (count(*) over ())::float8 as total,
                ${alertColumns('a.')}
              from alert_events e join alerts a on a.id = e.alert_id
              where e.id > ${r.last_event_id} and e.id <= ${max} and e.kind in ('opened', 'escalated')
                and e.level = any(${`{${levels.join(',')}}`}::text[])
                and a.unit_code = any(${`{${communes.join(',')}}`}::text[])
              order by e.id limit ${limit}`,
          );
    out.push({
      recipient: { id: r.id, unitCode: r.unit_code, address: r.address, minLevel: r.min_level },
      items: rows.map((row) => ({
        eventId: row.event_id,
        kind: row.kind,
        at: formatLocal(row.at),
        alert: toAlert(row, tree, false),
      })),
      total: rows[0]?.total ?? 0,
      cursor: max,
    });
  }
  return out;
}

export async function advanceDigestCursor(db: Database, recipientId: number, cursor: number): Promise<void> {
  await db.query(sql`update email_recipients set last_event_id = ${cursor} where id = ${recipientId}`);
}
