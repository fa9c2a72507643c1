/**
 * The event contract: what a desk sends to `POST /v1/events`. Every type, field, limit and
 * message is defined here once; the ingest validates with it, the simulator and the client
 * library type their events with it, and the OpenAPI document is generated from it.
 */
import { z } from 'zod';
import { parseRfc3339 } from './time.ts';
import { CHANNELS, CRITERIA, RATING_LEVELS } from './values.ts';

/** How far in the future an event's `time` may lie (desk clocks drift). */
export const MAX_FUTURE_MS = 5 * 60_000;

/** What one request may carry. */
export const LIMITS = {
  maxEvents: 1000,
  maxBodyBytes: 1024 * 1024,
  maxEventBytes: 32 * 1024,
  /** JSON nesting; an event needs 4 (batch, event, data, criteria). Deeper bodies would overflow the stack of the recursive checks after parsing. */
  maxDepth: 32,
} as const;

export const SOURCE_RE = /^\/units\/(\d{5})\/desks\/([A-Za-z0-9_-]{1,32})$/;
const EXTENSION_RE = /^[a-z0-9]{1,20}$/;

/** CloudEvents `type` of every event, by short name. */
export const EVENT_TYPE = {
  received: 'vn.motcua.dossier.received',
  supplementRequested: 'vn.motcua.dossier.supplement_requested',
  supplementReceived: 'vn.motcua.dossier.supplement_received',
  rescheduled: 'vn.motcua.dossier.rescheduled',
  resolved: 'vn.motcua.dossier.resolved',
  returned: 'vn.motcua.dossier.returned',
  rejected: 'vn.motcua.dossier.rejected',
  withdrawn: 'vn.motcua.dossier.withdrawn',
  /** v1.1 */
  paid: 'vn.motcua.dossier.paid',
  rating: 'vn.motcua.rating.submitted',
  /** v1.1: citizens' petitions (phản ánh, kiến nghị — PAKN) and their handling. */
  petitionReceived: 'vn.motcua.petition.received',
  petitionRejected: 'vn.motcua.petition.rejected',
  petitionSupplementRequested: 'vn.motcua.petition.supplement_requested',
  petitionAnswered: 'vn.motcua.petition.answered',
  petitionPublished: 'vn.motcua.petition.published',
  petitionReacted: 'vn.motcua.petition.reacted',
} as const;
export type EventType = (typeof EVENT_TYPE)[keyof typeof EVENT_TYPE];
export const EVENT_TYPES = Object.values(EVENT_TYPE) as [EventType, ...EventType[]];
/** The prefix of every dossier lifecycle type; what follows it is the step (`received`, `resolved`…). */
export const DOSSIER_TYPE_PREFIX = 'vn.motcua.dossier.';
/** The prefix of every petition type. */
export const PETITION_TYPE_PREFIX = 'vn.motcua.petition.';
type StepOf<T, P extends string> = T extends `${P}${infer S}` ? S : never;
export type DossierStep = StepOf<EventType, typeof DOSSIER_TYPE_PREFIX>;
export type PetitionStep = StepOf<EventType, typeof PETITION_TYPE_PREFIX>;

export const PAYMENT_METHODS = ['online', 'desk'] as const;
export const PETITION_CATEGORIES = ['procedure', 'staff', 'other'] as const;
export type PetitionCategory = (typeof PETITION_CATEGORIES)[number];
export const REACTIONS = ['like', 'dislike'] as const;

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected one of ${values.join(', ')}` });
const text = (min: number, max: number) =>
  z
    .string({ error: 'expected a string' })
    .min(min, { error: min === 1 ? 'must not be empty' : `at least ${min} characters` })
    .max(max, { error: `at most ${max} characters` });
const timestamp = z
  .string({ error: 'expected an RFC 3339 timestamp with offset' })
  .refine((s) => parseRfc3339(s) !== null, { error: 'expected an RFC 3339 timestamp with offset' });
const dossierCode = text(1, 64);
const petitionCode = text(1, 64);
/** A v1.1 fact about a dossier; absent means the desk does not report it (never "false"). */
const fact = z.boolean({ error: 'expected true or false' }).optional();

/** `data` per type. Strict: fields not listed are refused (personal data stays in the source system). */
export const DATA_SCHEMAS = {
  'vn.motcua.dossier.received': z.strictObject({
    dossierCode,
    procedureCode: text(1, 64),
    procedureName: text(1, 500).optional(),
    channel: oneOf(CHANNELS),
    dueAt: timestamp,
    feeBearing: fact,
    inputsDigitised: fact,
    reusedData: fact,
    citizenStore: fact,
    populationData: fact,
  }),
  'vn.motcua.dossier.supplement_requested': z.strictObject({ dossierCode, reason: text(0, 500).optional() }),
  'vn.motcua.dossier.supplement_received': z.strictObject({ dossierCode }),
  'vn.motcua.dossier.rescheduled': z.strictObject({ dossierCode, newDueAt: timestamp }),
  'vn.motcua.dossier.resolved': z.strictObject({
    dossierCode,
    electronicResult: fact,
    resultDigitised: fact,
  }),
  'vn.motcua.dossier.returned': z.strictObject({ dossierCode }),
  'vn.motcua.dossier.rejected': z.strictObject({ dossierCode, reason: text(0, 500).optional() }),
  'vn.motcua.dossier.withdrawn': z.strictObject({ dossierCode }),
  'vn.motcua.dossier.paid': z.strictObject({ dossierCode, method: oneOf(PAYMENT_METHODS) }),
  'vn.motcua.rating.submitted': z.strictObject({
    level: oneOf(RATING_LEVELS),
    dossierCode: dossierCode.optional(),
    criteria: z
      .partialRecord(oneOf(CRITERIA), oneOf(RATING_LEVELS), {
        error: 'expected an object of criterion → level',
      })
      .optional(),
    officialId: text(1, 64).optional(),
    comment: text(0, 500).optional(),
  }),
  'vn.motcua.petition.received': z.strictObject({
    petitionCode,
    category: oneOf(PETITION_CATEGORIES),
    dossierCode: dossierCode.optional(),
    repeatOf: petitionCode.optional(),
  }),
  'vn.motcua.petition.rejected': z.strictObject({ petitionCode, reason: text(0, 500).optional() }),
  'vn.motcua.petition.supplement_requested': z.strictObject({
    petitionCode,
    reason: text(0, 500).optional(),
  }),
  'vn.motcua.petition.answered': z.strictObject({ petitionCode }),
  'vn.motcua.petition.published': z.strictObject({ petitionCode }),
  'vn.motcua.petition.reacted': z.strictObject({ petitionCode, reaction: oneOf(REACTIONS) }),
} satisfies Record<EventType, z.ZodType>;

const CONTEXT_ATTRIBUTES = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'time',
  'datacontenttype',
  'dataschema',
  'subject',
  'data',
]);

export const envelope = z.object({
  specversion: z.literal('1.0', { error: 'expected "1.0"' }),
  id: text(1, 128),
  source: z
    .string({ error: 'expected a string' })
    .regex(SOURCE_RE, { error: 'expected /units/{5-digit unitCode}/desks/{deskCode}' }),
  type: oneOf(EVENT_TYPES),
  time: timestamp,
  datacontenttype: z.literal('application/json', { error: 'expected application/json if given' }).optional(),
  dataschema: text(1, 2048).optional(),
  subject: text(1, 64).optional(),
  data: z.record(z.string(), z.unknown(), { error: 'expected an object' }),
});

/** The `data` of an event of type T, as a sender writes it. */
export type EventData<T extends EventType = EventType> = z.input<(typeof DATA_SCHEMAS)[T]>;

/** One event in the CloudEvents 1.0 structured JSON form, as a desk sends it. */
export type DeskEvent = {
  [T in EventType]: {
    specversion: '1.0';
    id: string;
    source: string;
    type: T;
    time: string;
    subject?: string;
    dataschema?: string;
    datacontenttype?: 'application/json';
    data: EventData<T>;
  };
}[EventType];

/** An event that passed validation, ready to store. */
export interface ValidatedEvent {
  source: string;
  id: string;
  type: EventType;
  /** Epoch ms of the CloudEvents `time`. */
  time: number;
  unitCode: string;
  deskCode: string;
  dossierCode: string | null;
  data: Record<string, unknown>;
  attributes: Record<string, unknown> | null;
}

export type ValidationResult = { ok: true; event: ValidatedEvent } | { ok: false; message: string };

function describe(issue: z.core.$ZodIssue, prefix: string): string {
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  if (issue.code === 'unrecognized_keys') {
    const where = path ? `${path}.` : '';
    return `${where}${issue.keys[0]}: field not allowed`;
  }
  return `${path || 'event'}: ${issue.message}`;
}

/** Strings Postgres cannot store in jsonb/text: NUL and unpaired surrogates. */
function findUnstorable(value: unknown, path: string): string | null {
  if (typeof value === 'string') {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what we look for
    return /\u0000/.test(value) || !value.isWellFormed() ? path : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findUnstorable(value[i], `${path}[${i}]`);
      if (hit) return hit;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const hit = findUnstorable(k, path) ?? findUnstorable(v, path ? `${path}.${k}` : k);
      if (hit) return hit;
    }
  }
  return null;
}

/**
 * The path of a `__proto__` key, or null. JSON.parse keeps it as an own key, but zod's record
 * copy assigns it as the prototype, hiding it (and whatever it holds) from the strict schemas.
 */
function findProtoKey(value: unknown, path: string): string | null {
  if (value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    const here = path ? `${path}.${k}` : k;
    if (k === '__proto__') return here;
    const hit = findProtoKey(v, here);
    if (hit) return hit;
  }
  return null;
}

/** Checks one event against the contract; the message names the first wrong field. */
export function validateEvent(raw: unknown, now: number): ValidationResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, message: 'event: expected a JSON object' };
  }
  const bad = findUnstorable(raw, '');
  if (bad !== null)
    return { ok: false, message: `${bad || 'event'}: contains a NUL character or invalid Unicode` };
  const proto = findProtoKey(raw, '');
  if (proto !== null) return { ok: false, message: `${proto}: field not allowed` };
  const env = envelope.safeParse(raw);
  if (!env.success) return { ok: false, message: describe(env.error.issues[0], '') };
  const e = env.data;
  const data = DATA_SCHEMAS[e.type].safeParse(e.data);
  if (!data.success) return { ok: false, message: describe(data.error.issues[0], 'data') };

  const time = parseRfc3339(e.time) as number;
  if (time > now + MAX_FUTURE_MS) return { ok: false, message: 'time: more than 5 minutes in the future' };
  // The subject of a petition event is its petition; of any other, its dossier.
  const isPetition = e.type.startsWith(PETITION_TYPE_PREFIX);
  const subjectField = isPetition ? 'petitionCode' : 'dossierCode';
  const subject = (data.data as Record<string, string | undefined>)[subjectField] ?? null;
  if (e.subject !== undefined && e.subject !== subject) {
    return { ok: false, message: `subject: must equal data.${subjectField}` };
  }
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (CONTEXT_ATTRIBUTES.has(name)) continue;
    if (!EXTENSION_RE.test(name))
      return { ok: false, message: `${name}: attribute names are 1–20 of a–z, 0–9` };
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      return { ok: false, message: `${name}: extension attributes must be strings, numbers or booleans` };
    }
    attributes[name] = value;
  }
  if (e.subject !== undefined) attributes.subject = e.subject;
  if (e.dataschema !== undefined) attributes.dataschema = e.dataschema;

  return { ok: true, event: storedForm(e.source, e.id, e.type, time, data.data, attributes) };
}

function storedForm(
  source: string,
  id: string,
  type: EventType,
  time: number,
  data: Record<string, unknown>,
  attributes: Record<string, unknown>,
): ValidatedEvent {
  const [, unitCode, deskCode] = SOURCE_RE.exec(source) as RegExpExecArray;
  return {
    source,
    id,
    type,
    time,
    unitCode,
    deskCode,
    dossierCode: (data as { dossierCode?: string }).dossierCode ?? null,
    data,
    attributes: Object.keys(attributes).length > 0 ? attributes : null,
  };
}

/**
 * The stored form of an event made by our own generator, skipping every check: for benchmarks
 * that load millions of simulator events and measure the store, not the validator.
 */
export function trustedEvent(e: DeskEvent): ValidatedEvent {
  const attributes = e.subject === undefined ? {} : { subject: e.subject };
  return storedForm(e.source, e.id, e.type, parseRfc3339(e.time) as number, e.data, attributes);
}

/** What became of one event of a request, by its position in the request. */
export const eventResultSchema = z
  .discriminatedUnion('status', [
    z.object({
      index: z.number().int().min(0),
      id: z.string().nullable(),
      status: z.enum(['accepted', 'duplicate']),
    }),
    z.object({
      index: z.number().int().min(0),
      id: z.string().nullable(),
      status: z.literal('rejected'),
      error: z.object({ code: z.enum(['invalid_event', 'forbidden_source']), message: z.string() }),
    }),
  ])
  .meta({ id: 'EventResult' });
export type EventResult = z.infer<typeof eventResultSchema>;

/** The answer to `POST /v1/events` (200; on 400 with every event rejected, also an `error`). */
export const eventsReportSchema = z
  .object({
    accepted: z.number().int().min(0),
    duplicates: z.number().int().min(0),
    rejected: z.number().int().min(0),
    results: z.array(eventResultSchema),
  })
  .meta({ id: 'EventsReport' });
export type EventsReport = z.infer<typeof eventsReportSchema>;
