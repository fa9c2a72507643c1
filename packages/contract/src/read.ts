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

export const UNIT_LEVELS = ['city', 'district', 'commune', 'desk'] as const;
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

export const WINDOW_NAMES = ['1h', 'today', '7d', '30d', 'custom'] as const;
export type WindowName = (typeof WINDOW_NAMES)[number];

export const snapshotWindowSchema = z
  .object({ name: z.enum(WINDOW_NAMES), from: localTime, to: localTime })
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

export const VIEWER_ROLES = ['city', 'district', 'commune', 'display'] as const;
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
