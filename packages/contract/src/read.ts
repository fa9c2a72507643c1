/**
 * The read API's answers (`/api/v1/…` on the dashboard) and the live stream's snapshots. The
 * TypeScript types are inferred from these schemas; the OpenAPI document is generated from them.
 */
import { z } from 'zod';
import { parseRfc3339 } from './time.ts';
import { DOSSIER_LIST_KINDS, RATING_LEVELS, TARGET_FIGURES } from './values.ts';

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
 * A window's name. `week`, `month`, `quarter`, `year`: the calendar period containing `asOf`, to
 * date; `period`: a period named by its label (`2026-W44`, `2026-10`, `2026-Q3`, `2026`).
 */
export const WINDOW_NAMES = [
  '1h',
  'today',
  '7d',
  '30d',
  'custom',
  'week',
  'month',
  'quarter',
  'year',
  'period',
] as const;
export type WindowName = (typeof WINDOW_NAMES)[number];

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
  /** The commune the rating was given in (a district's or city's list spans several). */
  unitCode: z.string(),
  unitName: z.string(),
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

/** `admin`: city-wide like `city`, and the only role that may make other admins (docs/admin.md). */
export const VIEWER_ROLES = ['nation', 'city', 'district', 'commune', 'display', 'admin'] as const;
export type ViewerRole = (typeof VIEWER_ROLES)[number];

/** The roles that act for the whole of their tree's top (the admin, the nation and the city viewers). */
export const isTopRole = (role: ViewerRole) => role === 'admin' || role === 'nation' || role === 'city';
/**
 * The roles that configure their subtree (targets, notes, alert rules and where alerts go,
 * playlists, report digests): the top roles and district viewers; never commune or display viewers.
 */
export const mayConfigure = (role: ViewerRole) => isTopRole(role) || role === 'district';

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
 * certification system), no desk reported the fact in the window (`not_reported`), or its
 * denominator is 0 and its zero-denominator rule gave the points (`no_data`).
 */
export const SCORECARD_REASONS = [
  'national_procedure_db',
  'portal_sync',
  'service_catalogue',
  'fee_catalogue',
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
  /**
   * Each group's points and, per sub-criterion, its denominator: the sample the points rest on
   * (2.1 dossiers finished and open, 5.2 petitions handled and open, …; null when not computable).
   */
  groups: z.array(
    scorecardGroupSchema.pick({ code: true, points: true, measuredMax: true }).extend({
      criteria: z.array(scorecardCriterionSchema.pick({ code: true, measured: true, denominator: true })),
    }),
  ),
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

// Issue 14: change against the previous closed period, and the 12-month trend.

/**
 * One figure now and in the window compared against. `change`: value − previous, in percentage
 * points for a rate (0.95 − 0.92 → 3), in units for a count; null where either side's
 * denominator is 0 (shown "—"). `sample`/`previousSample`: the denominators (ratings, finished
 * dossiers) or, for a count, the count itself.
 */
export const figureChangeSchema = z
  .object({
    value: z.number().nullable(),
    previous: z.number().nullable(),
    change: z.number().nullable(),
    sample: count,
    previousSample: count,
  })
  .meta({ id: 'FigureChange' });
export type FigureChange = z.infer<typeof figureChangeSchema>;

export const metricChangesSchema = z
  .object({
    satisfaction: figureChangeSchema,
    onTime: figureChangeSchema,
    received: figureChangeSchema,
  })
  .meta({ id: 'MetricChanges' });
export type MetricChanges = z.infer<typeof metricChangesSchema>;

export const comparisonSchema = z
  .object({
    unit: unitRefSchema,
    window: snapshotWindowSchema,
    /** The closed window of the same length just before `window` (for a calendar window: the whole previous period). */
    previous: snapshotWindowSchema,
    asOf: localTime,
    metrics: metricChangesSchema,
    children: z.array(
      z.object({
        unit: unitRefSchema,
        /** By the Wilson lower bound of satisfaction, as the league ranks; null without ratings. */
        rank: z.number().int().min(1).nullable(),
        previousRank: z.number().int().min(1).nullable(),
        /** previousRank − rank: positive = moved up; null unless ranked in both. */
        rankChange: z.number().int().nullable(),
        metrics: metricChangesSchema,
      }),
    ),
  })
  .meta({ id: 'Comparison' });
export type Comparison = z.infer<typeof comparisonSchema>;

export const monthPointSchema = z.object({
  /** `2026-10`. */
  period: z.string(),
  from: localTime,
  to: localTime,
  /** false for the current month (to date). */
  closed: z.boolean(),
  satisfaction: satisfactionSchema.omit({ wilsonLow: true }),
  onTime: onTimeSchema.omit({ avgHours: true, index766: true }),
  received: count,
});
export type MonthPoint = z.infer<typeof monthPointSchema>;

export const monthlyTrendSchema = z
  .object({ unit: unitRefSchema, asOf: localTime, months: z.array(monthPointSchema) })
  .meta({ id: 'MonthlyTrend' });
export type MonthlyTrend = z.infer<typeof monthlyTrendSchema>;

// Issue 14: targets per unit and figure.

export const effectiveTargetSchema = z
  .object({
    figure: z.enum(TARGET_FIGURES),
    /** A share 0–1 for the rates, points 0–100 for the 766 score. */
    value: z.number().min(0).max(100),
    /** The unit it was set on: this unit, or the ancestor it is inherited from. */
    setOn: unitRefSchema,
    inherited: z.boolean(),
    setBy: z.string(),
    updatedAt: localTime,
  })
  .meta({ id: 'EffectiveTarget' });
export type EffectiveTarget = z.infer<typeof effectiveTargetSchema>;

export const unitTargetsSchema = z
  .object({
    unit: unitRefSchema,
    /** The targets in force, one per figure that has one. */
    targets: z.array(effectiveTargetSchema),
    /** Whether the viewer may set this unit's targets (city viewers in their subtree; district viewers for their communes). */
    mayEdit: z.boolean(),
    children: z.array(z.object({ unit: unitRefSchema, targets: z.array(effectiveTargetSchema) })),
  })
  .meta({ id: 'UnitTargets' });
export type UnitTargets = z.infer<typeof unitTargetsSchema>;

/** `PUT /api/v1/units/{code}/targets`: sets (a number) or removes (null: inherit again) this unit's own target. */
export const targetInputSchema = z
  .object({
    figure: z.enum(TARGET_FIGURES, { error: `expected one of ${TARGET_FIGURES.join(', ')}` }),
    value: z
      .number({ error: 'expected a number or null' })
      .min(0, { error: 'must be at least 0' })
      .nullable(),
  })
  .meta({ id: 'TargetInput' });
export type TargetInput = z.infer<typeof targetInputSchema>;

// Issue 14: annotations.

export const annotationSchema = z
  .object({
    id: z.number().int().min(1),
    /** The unit it is on; it covers that unit and everything below it. */
    unit: unitRefSchema,
    from: localTime,
    /** null for a point in time; else the end of the range (exclusive). */
    to: localTime.nullable(),
    text: z.string(),
    /** The label of the viewer who wrote it. */
    author: z.string(),
    createdAt: localTime,
    updatedAt: localTime,
    /** Whether the viewer may edit or delete it (a city or district viewer whose subtree holds its unit). */
    mayEdit: z.boolean(),
  })
  .meta({ id: 'Annotation' });
export type Annotation = z.infer<typeof annotationSchema>;

export const annotationListSchema = z
  .object({
    unit: unitRefSchema,
    /** Whether the viewer may add notes here. */
    mayWrite: z.boolean(),
    /** Notes on the unit, on the units above it and on those below it, the earliest first. */
    items: z.array(annotationSchema),
  })
  .meta({ id: 'AnnotationList' });
export type AnnotationList = z.infer<typeof annotationListSchema>;

const noteTime = z
  .string({ error: 'expected an RFC 3339 date-time with offset' })
  .refine((s) => parseRfc3339(s) !== null, { error: 'expected an RFC 3339 date-time with offset' });

/** `POST /api/v1/units/{code}/annotations` and `PATCH /api/v1/annotations/{id}`. */
export const annotationInputSchema = z
  .object({
    from: noteTime,
    to: noteTime.nullable().optional(),
    text: z
      .string({ error: 'expected a string' })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(500, { error: 'at most 500 characters' }),
  })
  .meta({ id: 'AnnotationInput' });
export type AnnotationInput = z.infer<typeof annotationInputSchema>;

// Issue 14: drill-down by procedure and to the dossiers behind a number.

export const procedureFiguresSchema = z.object({
  /** Mã TTHC; '' for dossiers and ratings whose procedure is not known (no reception stored, no dossier named). */
  code: z.string(),
  /** As the desks sent it (`procedureName`), or null. */
  name: z.string().nullable(),
  received: count,
  early: count,
  onTime: count,
  late: count,
  unknown: count,
  /** (early + onTime) ÷ (early + onTime + late); null when none finished. */
  onTimeRate: rate,
  satisfaction: satisfactionSchema.omit({ wilsonLow: true }),
  /** At asOf, from dossier state (not windowed), as the tiles count them. */
  open: openSchema,
  /** v1.1 facts at reception: the fee fact reported, fee-bearing, and fee-bearing paid online. */
  fee: z.object({ reported: count, bearing: count, paidOnline: count }),
});
export type ProcedureFigures = z.infer<typeof procedureFiguresSchema>;

export const procedureListSchema = z
  .object({
    unit: unitRefSchema,
    window: snapshotWindowSchema,
    asOf: localTime,
    /** One row per procedure, the most received first. */
    items: z.array(procedureFiguresSchema),
    /** Σ of the rows: equal to the unit's snapshot figures over the same window. */
    total: procedureFiguresSchema,
  })
  .meta({ id: 'ProcedureList' });
export type ProcedureList = z.infer<typeof procedureListSchema>;

export const dossierRowSchema = z.object({
  unitCode: z.string(),
  unitName: z.string(),
  deskCode: z.string(),
  dossierCode: z.string(),
  procedureCode: z.string().nullable(),
  procedureName: z.string().nullable(),
  receivedAt: localTime.nullable(),
  /** The deadline: the due date plus the pauses for supplements (at asOf while one is pending). */
  deadline: localTime.nullable(),
  finishedAt: localTime.nullable(),
  outcome: z.enum(['early', 'onTime', 'late', 'unknown']).nullable(),
  /** Its events, the earliest first: `received`, `supplement_requested`, …, `rated`. */
  timeline: z.array(z.object({ type: z.string(), time: localTime, deskCode: z.string() })),
});
export type DossierRow = z.infer<typeof dossierRowSchema>;

export const dossierListSchema = z
  .object({
    unit: unitRefSchema,
    kind: z.enum(DOSSIER_LIST_KINDS),
    /** null for the lists at asOf (open, overdue, dueSoon, waitingSupplement). */
    window: snapshotWindowSchema.nullable(),
    asOf: localTime,
    procedure: z.string().nullable(),
    /** All the dossiers of the list: equal to the tile it explains. */
    total: count,
    offset: count,
    limit: count,
    items: z.array(dossierRowSchema),
  })
  .meta({ id: 'DossierList' });
export type DossierList = z.infer<typeof dossierListSchema>;
// Issue 15: scheduled report digests.
export const DIGEST_PERIODS = ['weekly', 'monthly'] as const;
export const DIGEST_FORMATS = ['xlsx', 'pdf', 'both'] as const;
export type DigestPeriod = (typeof DIGEST_PERIODS)[number];
export type DigestFormat = (typeof DIGEST_FORMATS)[number];

/** A recipient's digest of a unit: weekly (Monday 07:30 local) or monthly (the 1st, 07:30). */
export const reportSubscriptionSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    unit: z.object({ code: z.string(), name: z.string() }),
    period: z.enum(DIGEST_PERIODS),
    format: z.enum(DIGEST_FORMATS),
    createdAt: z.string().meta({ format: 'date-time' }),
  })
  .meta({ id: 'ReportSubscription' });
export type ReportSubscription = z.infer<typeof reportSubscriptionSchema>;
