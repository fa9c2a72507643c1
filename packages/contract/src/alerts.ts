/**
 * Alerts: the rules and their settings, an alert as the API and webhooks give it, and the
 * requests that change alerts, rules, webhooks and mail recipients (docs/alerts.md).
 */
import { z } from 'zod';
import { ALERT_EVENT_KINDS, ALERT_LEVELS, ALERT_RULES, ALERT_STATES, type AlertRule } from './values.ts';

/** Who must act, lowest first: the commune's officer, the district, the city. */
export const ALERT_SUBJECT_KINDS = ['dossier', 'petition', 'unit', 'desk'] as const;
export type AlertSubjectKind = (typeof ALERT_SUBJECT_KINDS)[number];

const hours = (max: number) => z.number().min(0.25).max(max);

/** Each rule's settings with its defaults: what holds with no configuration at all. */
export const ruleSettingsSchemas = {
  /** Due within `dueSoonHours` → commune; overdue → district; overdue beyond `cityAfterHours` → city. */
  dossier_deadline: z.object({
    enabled: z.boolean().default(true),
    dueSoonHours: hours(720).default(24),
    cityAfterHours: hours(8760).default(48),
  }),
  petition_deadline: z.object({
    enabled: z.boolean().default(true),
    dueSoonHours: hours(720).default(24),
    cityAfterHours: hours(8760).default(48),
  }),
  /**
   * The Wilson upper bound (95 %) of the satisfied share over `windowDays` is below `target`, on
   * at least `minRatings` ratings: a few bad ratings alone, or a low rate on a small sample, do not fire.
   */
  satisfaction_low: z.object({
    enabled: z.boolean().default(true),
    target: z.number().min(0).max(1).default(0.8),
    windowDays: z.number().int().min(1).max(90).default(30),
    minRatings: z.number().int().min(1).max(100_000).default(10),
  }),
  /**
   * A desk that sends at least `minPerHour` events per working hour over the last `rhythmDays`
   * days has sent nothing for `silentMinutes` of working time, during working time.
   */
  desk_silent: z.object({
    enabled: z.boolean().default(true),
    silentMinutes: z.number().int().min(5).max(2400).default(60),
    minPerHour: z.number().min(0.1).max(10_000).default(1),
    rhythmDays: z.number().int().min(1).max(30).default(7),
  }),
  /** A desk's latest events arrived more than `lagHours` working hours after their `time`. */
  sync_lag: z.object({
    enabled: z.boolean().default(true),
    lagHours: hours(200).default(8),
  }),
} as const satisfies Record<AlertRule, z.ZodObject>;

export type RuleSettings = { [R in AlertRule]: z.infer<(typeof ruleSettingsSchemas)[R]> };

/** The built-in settings of every rule. */
export const DEFAULT_RULE_SETTINGS = Object.fromEntries(
  ALERT_RULES.map((r) => [r, ruleSettingsSchemas[r].parse({})]),
) as RuleSettings;

/**
 * A unit's change to some settings of one rule: only the keys it sets, checked strictly. Not
 * `.partial()`: zod 4 still fills an absent key with its default there, so a unit that changed
 * one setting would store the defaults of all the others and mask what it inherits from above.
 */
export function ruleOverrideSchema(rule: AlertRule) {
  const shape = ruleSettingsSchemas[rule].shape as Record<string, z.ZodDefault<z.ZodType>>;
  return z
    .object(
      Object.fromEntries(
        Object.entries(shape).map(([key, field]) => [key, z.optional(field.unwrap() as z.ZodType)]),
      ),
    )
    .strict();
}

const epochTime = z.string().meta({ format: 'date-time', example: '2026-11-30T09:15:00+07:00' });

export const alertSchema = z
  .object({
    id: z.number().int(),
    rule: z.enum(ALERT_RULES),
    subjectKind: z.enum(ALERT_SUBJECT_KINDS),
    subject: z
      .string()
      .meta({ description: 'The dossier or petition code, the desk code, or the commune code' }),
    unitCode: z.string().meta({ description: 'The commune the subject belongs to' }),
    unitName: z.string(),
    deskCode: z.string().nullable(),
    level: z.enum(ALERT_LEVELS),
    state: z.enum(ALERT_STATES),
    openedAt: epochTime,
    escalatedAt: epochTime.nullable(),
    acknowledgedAt: epochTime.nullable(),
    acknowledgedBy: z.string().nullable(),
    /** Absent for display viewers. */
    acknowledgedComment: z.string().nullable().optional(),
    resolvedAt: epochTime.nullable(),
    closedAt: epochTime.nullable(),
    updatedAt: epochTime,
    details: z.record(z.string(), z.unknown()).meta({
      description:
        'What the rule saw, e.g. { dueAt, overdueHours } for deadlines, { rate, wilsonHigh, total, target } for satisfaction, { lastReceivedAt, silentMinutes } for a silent desk, { lagHours } for sync lag',
    }),
  })
  .meta({ id: 'Alert' });
export type Alert = z.infer<typeof alertSchema>;

export const alertCountsSchema = z
  .object({
    open: z.number().int(),
    acknowledged: z.number().int(),
    /** Live (open or acknowledged) alerts by level. */
    byLevel: z.object({ commune: z.number().int(), district: z.number().int(), city: z.number().int() }),
  })
  .meta({ id: 'AlertCounts' });
export type AlertCounts = z.infer<typeof alertCountsSchema>;

export const alertListSchema = z
  .object({
    unit: z.string(),
    counts: alertCountsSchema,
    alerts: z.array(alertSchema),
  })
  .meta({ id: 'AlertList' });
export type AlertList = z.infer<typeof alertListSchema>;

export const alertEventSchema = z
  .object({
    id: z.number().int(),
    kind: z.enum(ALERT_EVENT_KINDS),
    at: epochTime,
    level: z.enum(ALERT_LEVELS),
    actor: z
      .string()
      .nullable()
      .meta({ description: 'Who made the change; null: the evaluator (opened, escalated, resolved)' }),
    /** Absent for display viewers. */
    comment: z.string().nullable().optional(),
  })
  .meta({ id: 'AlertEvent' });
export type AlertEvent = z.infer<typeof alertEventSchema>;

export const alertActionSchema = z
  .object({
    comment: z
      .string()
      .trim()
      .min(1, { error: 'a comment is required' })
      .max(2000, { error: 'at most 2,000 characters' }),
  })
  .strict()
  .meta({ id: 'AlertAction' });

/** What a webhook subscription receives (POST, JSON), once per alert change. */
export const webhookPayloadSchema = z
  .object({
    deliveryId: z
      .string()
      .meta({ description: 'Also in the X-Motcua-Delivery header; the same on every retry' }),
    event: z.enum(ALERT_EVENT_KINDS).meta({ description: 'What happened to the alert' }),
    at: epochTime,
    alert: alertSchema,
  })
  .meta({ id: 'AlertWebhook' });
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

export const webhookRequestSchema = z
  .object({
    url: z
      .string()
      .max(2000)
      .regex(/^https?:\/\/[^\s]+$/, { error: 'expected an http:// or https:// address' })
      .meta({
        description:
          'Where to POST: http or https, no user or password, and every address the host resolves to public. Loopback, private, link-local (169.254/16), unspecified and similar addresses are refused (400 `url: …`) unless the operator allows the host (WEBHOOK_ALLOW_HOSTS, WEBHOOK_ALLOW_PRIVATE); checked again at every delivery',
      }),
    secret: z.string().min(16, { error: 'at least 16 characters' }).max(200),
    minLevel: z.enum(ALERT_LEVELS).default('commune'),
    giveUpAfterHours: z.number().min(0.01).max(720).default(24),
  })
  .strict()
  .meta({ id: 'WebhookRequest' });

export const emailRecipientRequestSchema = z
  .object({
    address: z
      .string()
      .max(320)
      .regex(/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/, { error: 'expected an e-mail address' }),
    minLevel: z.enum(ALERT_LEVELS).default('commune'),
  })
  .strict()
  .meta({ id: 'EmailRecipientRequest' });
