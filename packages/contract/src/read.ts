/**
 * The read API's answers (`/api/v1/…` on the dashboard) and the live stream's snapshots. The
 * TypeScript types are inferred from these schemas; the OpenAPI document is generated from them.
 */
import { z } from 'zod';
import { RATING_LEVELS } from './events.ts';

const count = z.number().int().min(0);
/** A share from 0 to 1, or null where its denominator is 0. */
const rate = z.number().min(0).max(1).nullable();
/** A local time, RFC 3339 with `+07:00`, whole seconds. */
const localTime = z.string().meta({ format: 'date-time', example: '2026-11-29T14:03:11+07:00' });

/** `nation`: the root of the national tree (vn-2025-07), above the 34 provinces. */
export const UNIT_LEVELS = ['nation', 'city', 'district', 'commune', 'desk'] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];

export const unitRefSchema = z
  .object({
    /** Unit code, or `commune/desk` for a desk (`00004/Q01`). */
    code: z.string(),
    name: z.string(),
    level: z.enum(UNIT_LEVELS),
  })
  .meta({ id: 'UnitRef' });
export type UnitRef = z.infer<typeof unitRefSchema>;

/**
 * A window's name. `month`, `quarter`, `year`: the calendar period containing `asOf`, to date;
 * `period`: a period named by its label (`2026-10`, `2026-Q3`, `2026`).
 */
export const WINDOW_NAMES = [
  '1h',
  'today',
  '7d',
  '30d',
  'custom',
  'month',
  'quarter',
  'year',
  'period',
] as const;
export type WindowName = (typeof WINDOW_NAMES)[number];
/** The calendar periods the national portal reports by. */
export const PERIOD_KINDS = ['month', 'quarter', 'year'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];
/** A period's label as a `window` value: a year `2026`, a month `2026-10` or a quarter `2026-Q3`. */
export const PERIOD_LABEL_RE = /^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$/;

export const snapshotWindowSchema = z
  .object({
    name: z.enum(WINDOW_NAMES),
    /** Only for calendar windows (`month`, `quarter`, `year`, `period`): the period's label. */
    period: z
      .string()
      .optional()
      .meta({ description: 'The calendar period (`2026-11`, `2026-Q4`, `2026`) of a calendar window' }),
    from: localTime,
    to: localTime,
  })
  .meta({ id: 'Window' });
export type SnapshotWindow = z.infer<typeof snapshotWindowSchema>;

export const satisfactionSchema = z.object({
  verySatisfied: count,
  satisfied: count,
  unsatisfied: count,
  total: count,
  rate,
  /** Wilson score lower bound (95 %) of the satisfied share: ranks small samples fairly. */
  wilsonLow: rate,
});
export type SatisfactionMetrics = z.infer<typeof satisfactionSchema>;

export const onTimeSchema = z.object({
  early: count,
  onTime: count,
  late: count,
  unknown: count,
  rate,
  avgHours: z.number().min(0).nullable(),
  index766: rate,
});
export type OnTimeMetrics = z.infer<typeof onTimeSchema>;

export const receivedSchema = z.object({ total: count, direct: count, online: count, postal: count });
export type ReceivedMetrics = z.infer<typeof receivedSchema>;

export const openSchema = z.object({
  total: count,
  overdue: count,
  dueSoon: count,
  waitingSupplement: count,
});
export type OpenMetrics = z.infer<typeof openSchema>;

export const unitMetricsSchema = z
  .object({
    satisfaction: satisfactionSchema,
    onTime: onTimeSchema,
    received: receivedSchema,
    open: openSchema,
  })
  .meta({ id: 'UnitMetrics' });
export type UnitMetrics = z.infer<typeof unitMetricsSchema>;

export const snapshotSchema = z
  .object({
    unit: unitRefSchema,
    window: snapshotWindowSchema,
    asOf: localTime,
    metrics: unitMetricsSchema,
    children: z.array(z.object({ unit: unitRefSchema, metrics: unitMetricsSchema })),
  })
  .meta({ id: 'Snapshot' });
export type Snapshot = z.infer<typeof snapshotSchema>;

export const SERIES_STEPS = ['1m', '5m', '15m', '1h', '1d'] as const;
export type SeriesStep = (typeof SERIES_STEPS)[number];

export const seriesPointSchema = z.object({
  t: localTime,
  satisfaction: satisfactionSchema.omit({ wilsonLow: true }),
  onTime: onTimeSchema.omit({ avgHours: true, index766: true }),
  received: count,
});
export type SeriesPoint = z.infer<typeof seriesPointSchema>;

export const seriesSchema = z
  .object({
    unit: unitRefSchema,
    window: snapshotWindowSchema,
    step: z.enum(SERIES_STEPS),
    points: z.array(seriesPointSchema),
  })
  .meta({ id: 'Series' });
export type Series = z.infer<typeof seriesSchema>;

export const unitInfoSchema = z
  .object({
    unit: unitRefSchema,
    /** Root first. */
    ancestors: z.array(unitRefSchema),
    children: z.array(unitRefSchema),
  })
  .meta({ id: 'UnitInfo' });
export type UnitInfo = z.infer<typeof unitInfoSchema>;

export const heatCellSchema = z.object({
  /** 0 = Monday … 6 = Sunday, local time. */
  weekday: z.number().int().min(0).max(6),
  hour: z.number().int().min(0).max(23),
  total: count,
  positive: count,
});
export type HeatCell = z.infer<typeof heatCellSchema>;

export const heatmapSchema = z
  .object({ unit: unitRefSchema, cells: z.array(heatCellSchema) })
  .meta({ id: 'Heatmap' });
export type Heatmap = z.infer<typeof heatmapSchema>;

export const OVERDUE_REASONS = ['late', 'supplements', 'rescheduled'] as const;

export const overdueDossierSchema = z.object({
  unitCode: z.string(),
  unitName: z.string(),
  deskCode: z.string(),
  dossierCode: z.string(),
  receivedAt: localTime.nullable(),
  deadline: localTime,
  reason: z.enum(OVERDUE_REASONS),
});
export type OverdueDossier = z.infer<typeof overdueDossierSchema>;

export const overdueListSchema = z
  .object({ unit: unitRefSchema, total: count, items: z.array(overdueDossierSchema) })
  .meta({ id: 'OverdueList' });
export type OverdueList = z.infer<typeof overdueListSchema>;

export const ratingItemSchema = z.object({
  time: localTime,
  deskCode: z.string(),
  level: z.enum(RATING_LEVELS),
  dossierCode: z.string().nullable(),
  criteria: z.record(z.string(), z.enum(RATING_LEVELS)).nullable().optional(),
  /** Absent for display viewers; null when the citizen left none. */
  comment: z.string().nullable().optional(),
});
export type RatingItem = z.infer<typeof ratingItemSchema>;

export const ratingListSchema = z
  .object({ unit: unitRefSchema, items: z.array(ratingItemSchema) })
  .meta({ id: 'RatingList' });
export type RatingList = z.infer<typeof ratingListSchema>;

export const VIEWER_ROLES = ['nation', 'city', 'district', 'commune', 'display'] as const;
export type ViewerRole = (typeof VIEWER_ROLES)[number];

export const meSchema = z
  .object({
    role: z.enum(VIEWER_ROLES),
    label: z.string(),
    /** name and level are absent when the viewer's unit is no longer in the tree. */
    unit: z.object({ code: z.string(), name: z.string().optional(), level: z.enum(UNIT_LEVELS).optional() }),
  })
  .meta({ id: 'Me' });
export type Me = z.infer<typeof meSchema>;

/** A text in the dashboard's two languages. */
const localizedSchema = z.object({ vi: z.string(), en: z.string() });

/**
 * Why a sub-criterion has no rate: the data it needs is outside the desk feed (the national
 * procedure database, the portal's sync log, the service, fee or procedure catalogues, the
 * certification system), a count this version does not keep, no desk reported the fact in the
 * window (`not_reported`), or its denominator is 0 and its zero-denominator rule gave the points
 * (`no_data`).
 */
export const SCORECARD_REASONS = [
  'national_procedure_db',
  'portal_sync',
  'service_catalogue',
  'fee_catalogue',
  'per_procedure_counts',
  'procedure_catalogue',
  'certified_copies',
  'not_reported',
  'no_data',
] as const;
export type ScorecardReason = (typeof SCORECARD_REASONS)[number];

export const scorecardCriterionSchema = z
  .object({
    /** `2.1`, `3.5b`, …; `ecopy` for electronic certified copies, which the portal does not number. */
    code: z.string(),
    name: localizedSchema,
    max: z.number().min(0),
    /**
     * The rate at which the points are full: 1 = linear (max × rate); below 1, max × min(1, rate ÷ fullAt).
     * null for a sub-criterion that is not scored (2.2) or not computable here.
     */
    fullAt: z.number().gt(0).max(1).nullable(),
    numerator: z.number().min(0).nullable(),
    denominator: z.number().min(0).nullable(),
    /** numerator ÷ denominator: a share from 0 to 1, except for 2.2 (the average in days); null when the denominator is 0. */
    rate: z.number().min(0).nullable(),
    /** Unrounded; null when not measured and for 2.2 (not scored). */
    points: z.number().min(0).nullable(),
    /** false: not computable from desk events, or never reported in the window ("not measured", never 0). */
    measured: z.boolean(),
    reason: z.object({ code: z.enum(SCORECARD_REASONS), text: localizedSchema }).nullable(),
  })
  .meta({ id: 'ScorecardCriterion' });
export type ScorecardCriterion = z.infer<typeof scorecardCriterionSchema>;

export const scorecardGroupSchema = z
  .object({
    code: z.enum(['1', '2', '3', '4', '5']),
    name: localizedSchema,
    /** The group's points in Decision 766. */
    max: z.number().min(0),
    /** Σ points of its measured sub-criteria. */
    points: z.number().min(0),
    /** Σ max of its measured sub-criteria. */
    measuredMax: z.number().min(0),
    criteria: z.array(scorecardCriterionSchema),
  })
  .meta({ id: 'ScorecardGroup' });
export type ScorecardGroup = z.infer<typeof scorecardGroupSchema>;

/** The 766 points of one unit over one window, as `computeScorecard` (packages/metrics) gives them. */
export const scoreSchema = z
  .object({
    /** Σ points of the measured sub-criteria. */
    points: z.number().min(0),
    /** Σ max of the measured sub-criteria: the points computable here. */
    max: z.number().min(0),
    /** The index's full scale, 100. */
    fullMax: z.number().min(0),
    groups: z.array(scorecardGroupSchema),
  })
  .meta({ id: 'Score' });
export type Score = z.infer<typeof scoreSchema>;

/** Open dossiers and petitions of one kind (late, or due soon) and the points they cost. */
export const riskSchema = z.object({
  dossiers: count,
  petitions: count,
  /** Points of group 2 (2.1, on time). */
  group2: z.number().min(0),
  /** Points of group 5 (5.2, petitions handled on time). */
  group5: z.number().min(0),
  total: z.number().min(0),
});
export type Risk = z.infer<typeof riskSchema>;

/**
 * Points at risk at `asOf`: `lost` = the open items already overdue and the points they cost
 * (against their being still in time); `within24h`/`within48h` = the open items in time whose
 * deadline falls within 24/48 hours (48 includes 24) and the points the window would lose if they
 * all went late.
 */
export const atRiskSchema = z
  .object({ lost: riskSchema, within24h: riskSchema, within48h: riskSchema })
  .meta({ id: 'PointsAtRisk' });
export type AtRisk = z.infer<typeof atRiskSchema>;

export const scorecardSchema = z
  .object({
    unit: unitRefSchema,
    window: snapshotWindowSchema,
    asOf: localTime,
    score: scoreSchema,
    /** null for a window that ended before `asOf` (a closed period): nothing there can change. */
    atRisk: atRiskSchema.nullable(),
  })
  .meta({ id: 'Scorecard' });
export type Scorecard = z.infer<typeof scorecardSchema>;

export const leagueRowSchema = z.object({
  unit: unitRefSchema,
  /** 1 = most points; equal points go by name. */
  rank: z.number().int().min(1),
  points: z.number().min(0),
  max: z.number().min(0),
  groups: z.array(scorecardGroupSchema.pick({ code: true, points: true, measuredMax: true })),
  /** The rank in the previous period of the same kind; null unless the window is a calendar period. */
  previousRank: z.number().int().min(1).nullable(),
  /** previousRank − rank: positive = moved up. */
  rankChange: z.number().int().nullable(),
  atRisk: atRiskSchema.nullable(),
});
export type LeagueRow = z.infer<typeof leagueRowSchema>;

export const scorecardLeagueSchema = z
  .object({
    unit: unitRefSchema,
    window: snapshotWindowSchema,
    /** The previous closed period the rank change is counted against; null unless the window is a calendar period. */
    previous: snapshotWindowSchema.nullable(),
    asOf: localTime,
    children: z.array(leagueRowSchema),
  })
  .meta({ id: 'ScorecardLeague' });
export type ScorecardLeague = z.infer<typeof scorecardLeagueSchema>;
