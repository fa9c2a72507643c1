/**
 * The OpenAPI 3.1 documents of the ingest (`POST /v1/events`, health) and of the dashboard's
 * read API, generated from the contract's zod schemas with zod's own JSON Schema output
 * (`z.toJSONSchema`). Named schemas land in `components.schemas` and are referred to by `$ref`.
 *
 * `npm run openapi` writes them to `docs/openapi/*.json`; each service serves its own at
 * `/openapi.json`. The examples of `POST /v1/events` are sent to a running ingest by a test
 * (`tests/db/openapi-examples.test.ts`): each says the status it gets (`x-expected-status`) and
 * the answer it gets is the response example of the same name.
 */
import { z } from 'zod';
import {
  alertActionSchema,
  alertCountsSchema,
  alertEventSchema,
  alertListSchema,
  alertSchema,
  emailRecipientRequestSchema,
  webhookPayloadSchema,
  webhookRequestSchema,
} from './alerts.ts';
import type { ErrorCode } from './errors.ts';
import {
  DATA_SCHEMAS,
  EVENT_TYPE,
  EVENT_TYPES,
  type EventType,
  envelope,
  eventResultSchema,
  eventsReportSchema,
  LIMITS,
  MAX_FUTURE_MS,
} from './events.ts';
import {
  kioskInfoSchema,
  kioskPairedSchema,
  kioskPairRequestSchema,
  kioskRatingSchema,
  kioskRatingsReportSchema,
  kioskRatingsRequestSchema,
} from './kiosk.ts';
import {
  annotationInputSchema,
  annotationListSchema,
  annotationSchema,
  atRiskSchema,
  comparisonSchema,
  dossierListSchema,
  effectiveTargetSchema,
  figureChangeSchema,
  heatmapSchema,
  meSchema,
  metricChangesSchema,
  monthlyTrendSchema,
  OVERDUE_REASONS,
  overdueListSchema,
  procedureListSchema,
  ratingListSchema,
  reportSubscriptionSchema,
  SCORECARD_REASONS,
  SERIES_STEPS,
  scorecardCriterionSchema,
  scorecardGroupSchema,
  scorecardLeagueSchema,
  scorecardSchema,
  scoreSchema,
  seriesSchema,
  snapshotSchema,
  snapshotWindowSchema,
  targetInputSchema,
  unitInfoSchema,
  unitMetricsSchema,
  unitRefSchema,
  unitTargetsSchema,
  VIEWER_ROLES,
  WINDOW_NAMES,
} from './read.ts';
import { errorEnvelopeSchema } from './schemas.ts';
import {
  ALERT_LEVELS,
  ALERT_RULES,
  CRITERIA,
  DOSSIER_LIST_KINDS,
  PERIOD_LABEL_RE,
  RATING_LEVELS,
} from './values.ts';

/** The version of the public contract (event contract v1.1: v1 plus the 766 facts and petitions); it changes only by adding. */
export const API_VERSION = '1.1.0';

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document is plain JSON
export type OpenApiDocument = Record<string, any>;
type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

// ---------------------------------------------------------------------------------------------
// Schemas the services answer that have no place in the contract's modules (health, whoami).

export const healthSchema = z.object({ status: z.literal('ok') });
export const readySchema = z.object({ status: z.literal('ready') });
export const whoamiSchema = z.object({
  unit: z
    .string()
    .meta({ description: 'The commune (5-digit unit code) the key belongs to', example: '00004' }),
  desk: z
    .string()
    .nullable()
    .meta({ description: 'The desk code for a desk-limited key, `null` for a commune key', example: 'Q01' }),
  prefix: z
    .string()
    .meta({ description: 'The key’s public prefix (`mck_` + 10)', example: 'mck_AbCdEfGhIj' }),
});

// ---------------------------------------------------------------------------------------------
// The event types, one component each, with its `data`.

/**
 * What each event type means, in English with the Vietnamese terms of the paperwork. Keyed by
 * string so that a type added to the contract needs no change here to appear in the documents
 * (with a plain description until one is written below).
 */
const TYPE_DESCRIPTIONS: Record<string, string> = {
  'vn.motcua.dossier.received':
    'The dossier (hồ sơ) is accepted and an appointment given (Giấy tiếp nhận hồ sơ và hẹn trả kết quả). Its deadline is `dueAt`.',
  'vn.motcua.dossier.supplement_requested':
    'The citizen is asked to complete the dossier (Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ); the clock pauses.',
  'vn.motcua.dossier.supplement_received': 'The citizen brought what was missing; the clock runs again.',
  'vn.motcua.dossier.rescheduled':
    'An apology slip with a new appointment (Phiếu xin lỗi và hẹn lại ngày trả kết quả). The dossier counts as late; `newDueAt` is stored and does not move the deadline.',
  'vn.motcua.dossier.resolved': 'The result is ready (đã giải quyết xong).',
  'vn.motcua.dossier.returned': 'The result is handed back (đã trả kết quả).',
  'vn.motcua.dossier.rejected': 'The dossier is refused, or its processing stopped (từ chối / dừng xử lý).',
  'vn.motcua.dossier.withdrawn': 'The citizen withdrew the dossier (rút hồ sơ).',
  'vn.motcua.dossier.paid': 'The dossier’s fee or charge was paid (nộp phí, lệ phí), online or at the desk.',
  'vn.motcua.rating.submitted': `A citizen rated the service at the desk (đánh giá mức độ hài lòng): ${RATING_LEVELS.join(', ')} (rất hài lòng, hài lòng, không hài lòng), optionally per criterion (${CRITERIA.join(', ')}).`,
  'vn.motcua.petition.received': 'A citizen’s petition (phản ánh, kiến nghị — PAKN) was received.',
  'vn.motcua.petition.rejected': 'The petition was refused (từ chối tiếp nhận).',
  'vn.motcua.petition.supplement_requested': 'The petitioner is asked for more information.',
  'vn.motcua.petition.answered': 'The petition was answered (trả lời phản ánh, kiến nghị).',
  'vn.motcua.petition.published': 'The answer was made public (công khai kết quả trả lời).',
  'vn.motcua.petition.reacted': 'A citizen reacted to a published answer.',
};
const typeDescription = (t: EventType) => TYPE_DESCRIPTIONS[t] ?? `An event of type \`${t}\`.`;

/** `vn.motcua.dossier.supplement_requested` → `DossierSupplementRequested`. */
const typeName = (t: EventType) =>
  t
    .replace(/^vn\.motcua\./, '')
    .split(/[._]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

/** The contract's timestamp schema (shared by `time`, `dueAt`, `newDueAt`): a refinement JSON Schema cannot show. */
const timestamp = envelope.shape.time;
const TIMESTAMP_DOC = {
  format: 'date-time',
  description: `RFC 3339 with seconds and an offset (\`Z\` or \`±hh:mm\`); fractions of a second are kept to the millisecond.`,
};

/** What an extension attribute may hold (CloudEvents extension attributes, stored with the event). */
const extensionValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const envelopeFields = {
  specversion: envelope.shape.specversion.meta({ description: 'CloudEvents version: always `"1.0"`.' }),
  id: envelope.shape.id.meta({
    description:
      'Unique per `source` and stable across re-sends: (`source`, `id`) is the idempotency key. A second copy is a `duplicate` that changes nothing.',
  }),
  source: envelope.shape.source.meta({
    description:
      'The desk: `/units/{unitCode}/desks/{deskCode}`, with the 5-digit commune code (mã đơn vị hành chính cấp xã) and a desk code of 1–32 of `A–Z a–z 0–9 _ -`. Must lie within the desk key’s commune (and desk, for a desk key).',
    example: '/units/00004/desks/Q01',
  }),
  time: timestamp.meta({
    ...TIMESTAMP_DOC,
    description: `When it happened at the desk, which decides where it counts. ${TIMESTAMP_DOC.description} At most ${MAX_FUTURE_MS / 60_000} minutes ahead of the server’s clock; any age is accepted (backfill).`,
    example: '2026-11-29T09:15:00+07:00',
  }),
  datacontenttype: envelope.shape.datacontenttype.meta({ description: '`application/json` if given.' }),
  dataschema: envelope.shape.dataschema.meta({ description: 'Stored, not interpreted.' }),
  subject: envelope.shape.subject.meta({
    description:
      'If given, must equal the event’s `data.dossierCode` (mã hồ sơ), or `data.petitionCode` for a petition event.',
  }),
};

/** Component name of the event of each type, and of its `data`. */
const eventName = (t: EventType) => `${typeName(t)}Event`;
const dataName = (t: EventType) => `${typeName(t)}Data`;
const EVENT_TYPE_LIST = EVENT_TYPES;

const eventSchemas = EVENT_TYPE_LIST.map((t) =>
  z
    .object({
      specversion: envelopeFields.specversion,
      id: envelopeFields.id,
      source: envelopeFields.source,
      type: z.literal(t).meta({ description: 'The event type (CloudEvents `type`).' }),
      time: envelopeFields.time,
      datacontenttype: envelopeFields.datacontenttype,
      dataschema: envelopeFields.dataschema,
      subject: envelopeFields.subject,
      data: DATA_SCHEMAS[t],
    })
    .catchall(extensionValue)
    .meta({
      title: t,
      description: `${typeDescription(t)}\n\nOther members are CloudEvents extension attributes: names of 1–20 of \`a–z 0–9\`, values a string, number, boolean or null, stored with the event.`,
    }),
);
const cloudEventSchema = z.union(eventSchemas).meta({
  description:
    'One event: a CloudEvents 1.0 event in JSON, one schema per `type`. `data` is strict: a field not listed for its type is refused (no personal data of the citizen leaves the source system).',
});
const batchSchema = z
  .array(cloudEventSchema)
  .min(1)
  .max(LIMITS.maxEvents)
  .meta({
    description: `1 to ${LIMITS.maxEvents} events. Each is checked on its own: invalid ones are rejected in the report, the others go on.`,
  });
const eventDataSchema = z.union(EVENT_TYPE_LIST.map((t) => DATA_SCHEMAS[t])).meta({
  description: 'The `data` of an event in binary mode; its `type` is the `ce-type` header.',
});
const rejectedReportSchema = z.intersection(eventsReportSchema, errorEnvelopeSchema).meta({
  description:
    'Every event was rejected: the report, and an `error` with the code and message of the first rejected event.',
});

// ---------------------------------------------------------------------------------------------
// zod → JSON Schema

type Components = [name: string, schema: z.ZodType][];

/** JSON Schemas of `components`, with `$ref`s between them; fails on a named schema left out. */
function jsonSchemas(components: Components, extra: (zodSchema: unknown, json: Json) => void): Json {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of components) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    // Requests and answers alike are described as a sender writes them; objects stay open
    // (answers may gain fields; a client ignores what it does not know).
    io: 'input',
    uri: (id) => `#/components/schemas/${id}`,
    override: ({ zodSchema, jsonSchema }) => {
      const js = jsonSchema as Json;
      if (js.maximum === Number.MAX_SAFE_INTEGER) delete js.maximum;
      if (js.minimum === Number.MIN_SAFE_INTEGER) delete js.minimum;
      if (zodSchema === timestamp) Object.assign(js, TIMESTAMP_DOC);
      extra(zodSchema, js);
    },
  }) as { schemas: Record<string, Json> };
  if ('__shared' in schemas) {
    const names = Object.keys((schemas.__shared as { $defs: Json }).$defs);
    throw new Error(`openapi: named schemas missing from the components: ${names.join(', ')}`);
  }
  for (const s of Object.values(schemas)) {
    delete s.$schema;
    delete s.$id;
  }
  return schemas;
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

const requestIdHeader = {
  description:
    'The request id (also in the error envelope): the caller’s own `X-Request-Id` when well-formed, else a new one.',
  schema: { type: 'string' },
};
const retryAfterHeader = {
  description: 'Whole seconds to wait before retrying.',
  schema: { type: 'integer', minimum: 1 },
};

function errorResponse(
  description: string,
  codes: ErrorCode[],
  opts: { retryAfter?: boolean; examples?: Json } = {},
) {
  const headers: Json = { 'X-Request-Id': requestIdHeader };
  if (opts.retryAfter) headers['Retry-After'] = retryAfterHeader;
  return {
    description: `${description} Code${codes.length > 1 ? 's' : ''}: ${codes.map((c) => `\`${c}\``).join(', ')}.`,
    headers,
    content: {
      'application/json': { schema: ref('Error'), ...(opts.examples ? { examples: opts.examples } : {}) },
    },
  };
}

/** A documented error answer, as an example. */
const errorExample = (code: ErrorCode, message: string, summary?: string) => ({
  ...(summary ? { summary } : {}),
  value: { error: { code, message, requestId: EXAMPLE_REQUEST_ID } },
});

/** The request id shown in examples; a real answer has its own (the test compares the rest). */
export const EXAMPLE_REQUEST_ID = '0b6f3c1e-5d1a-4f43-9a8e-2f4c7c1d9e10';

function jsonOk(description: string, schemaName: string, extra: Json = {}) {
  return {
    description,
    headers: { 'X-Request-Id': requestIdHeader },
    content: { 'application/json': { schema: ref(schemaName), ...extra } },
  };
}

const healthPaths = (unavailableRetry: string) => ({
  '/healthz': {
    get: {
      tags: ['operations'],
      operationId: 'healthz',
      summary: 'Liveness',
      description: 'Answers while the process runs; does not touch the database.',
      security: [],
      responses: {
        '200': { description: 'Alive.', content: { 'application/json': { schema: ref('Health') } } },
      },
    },
  },
  '/readyz': {
    get: {
      tags: ['operations'],
      operationId: 'readyz',
      summary: 'Readiness',
      description: 'Ready when the database answers a ping within 2 s.',
      security: [],
      responses: {
        '200': { description: 'Ready.', content: { 'application/json': { schema: ref('Ready') } } },
        '503': {
          description: `The database is unreachable. Code: \`unavailable\`. \`Retry-After\`: ${unavailableRetry}.`,
          headers: { 'Retry-After': retryAfterHeader },
          content: {
            'application/json': {
              schema: ref('Error'),
              example: {
                error: {
                  code: 'unavailable',
                  message: 'database unreachable',
                  requestId: EXAMPLE_REQUEST_ID,
                },
              },
            },
          },
        },
      },
    },
  },
  '/metrics': {
    get: {
      tags: ['operations'],
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      description:
        'The Prometheus text exposition format. Unauthenticated, like `/healthz`: the service binds 127.0.0.1 unless `HOST` says otherwise, and there are no secrets in it.',
      security: [],
      responses: {
        '200': {
          description: 'The metrics.',
          content: { 'text/plain; version=0.0.4; charset=utf-8': { schema: { type: 'string' } } },
        },
      },
    },
  },
});

const referencePaths = (docsPath: string) => ({
  '/openapi.json': {
    get: {
      tags: ['reference'],
      operationId: 'openapi',
      summary: 'This document',
      description: 'The OpenAPI 3.1 document of this service, generated from the contract’s schemas.',
      security: [],
      responses: {
        '200': {
          description: 'The document.',
          content: { 'application/json': { schema: { type: 'object' } } },
        },
      },
    },
  },
  [docsPath]: {
    get: {
      tags: ['reference'],
      operationId: 'reference',
      summary: 'Reference page',
      description:
        'A readable reference page rendered from `/openapi.json` (Swagger UI, served by this service).',
      security: [],
      responses: {
        '200': { description: 'The page.', content: { 'text/html': { schema: { type: 'string' } } } },
      },
    },
  },
});

// ---------------------------------------------------------------------------------------------
// The ingest

const SOURCE = '/units/00004/desks/Q01';
const DOSSIER = '000.00.04.H26-261129-0012';

/**
 * The examples of `POST /v1/events`, by media type. Each says the status it gets; the answer is
 * the response example of the same name under that status. They are written for a key of desk
 * `00004/Q01` (commune 00004, Phường Trúc Bạch) and a database that has none of them yet.
 */
const requestExamples = {
  'application/cloudevents+json': {
    rating: {
      summary: 'A rating with criteria',
      'x-expected-status': 200,
      value: {
        specversion: '1.0',
        id: '00004-261129-0012-v',
        source: SOURCE,
        type: EVENT_TYPE.rating,
        time: '2026-11-29T14:25:00+07:00',
        subject: DOSSIER,
        data: {
          level: 'very_satisfied',
          dossierCode: DOSSIER,
          criteria: { attitude: 'very_satisfied', time: 'satisfied' },
          officialId: 'CB-017',
        },
      },
    },
    received: {
      summary: 'A dossier received at the desk',
      'x-expected-status': 200,
      value: {
        specversion: '1.0',
        id: '00004-261129-0012-r',
        source: SOURCE,
        type: EVENT_TYPE.received,
        time: '2026-11-29T09:02:00+07:00',
        data: {
          dossierCode: DOSSIER,
          procedureCode: '1.001193',
          procedureName: 'Đăng ký khai sinh',
          channel: 'direct',
          dueAt: '2026-12-02T16:00:00+07:00',
        },
      },
    },
    invalidLevel: {
      summary: 'An invalid event: 400 with the report',
      description:
        'A single event that fails validation is refused with 400 `invalid_event`, with the report.',
      'x-expected-status': 400,
      value: {
        specversion: '1.0',
        id: 'e-9',
        source: SOURCE,
        type: EVENT_TYPE.rating,
        time: '2026-11-29T09:21:00+07:00',
        data: { level: 'great' },
      },
    },
    otherDesk: {
      summary: 'Another desk’s event: 403 forbidden_source',
      description: 'Sent with a key of desk `00004/Q01`, an event of desk `Q02` is outside its scope.',
      'x-expected-status': 403,
      value: {
        specversion: '1.0',
        id: 'e-10',
        source: '/units/00004/desks/Q02',
        type: EVENT_TYPE.resolved,
        time: '2026-11-29T10:00:00+07:00',
        data: { dossierCode: '000.00.04.H26-261129-0020' },
      },
    },
  },
  'application/cloudevents-batch+json': {
    dossierLife: {
      summary: 'A dossier over its life',
      'x-expected-status': 200,
      value: [
        {
          specversion: '1.0',
          id: '00004-261129-0013-r',
          source: SOURCE,
          type: EVENT_TYPE.received,
          time: '2026-11-29T09:20:00+07:00',
          data: {
            dossierCode: '000.00.04.H26-261129-0013',
            procedureCode: '1.001193',
            channel: 'online',
            dueAt: '2026-12-03T16:00:00+07:00',
          },
        },
        {
          specversion: '1.0',
          id: '00004-261129-0013-s',
          source: SOURCE,
          type: EVENT_TYPE.supplementRequested,
          time: '2026-11-29T10:00:00+07:00',
          data: { dossierCode: '000.00.04.H26-261129-0013', reason: 'Thiếu bản sao giấy chứng sinh' },
        },
        {
          specversion: '1.0',
          id: '00004-261129-0013-b',
          source: SOURCE,
          type: EVENT_TYPE.supplementReceived,
          time: '2026-11-29T14:30:00+07:00',
          data: { dossierCode: '000.00.04.H26-261129-0013' },
        },
        {
          specversion: '1.0',
          id: '00004-261129-0013-x',
          source: SOURCE,
          type: EVENT_TYPE.resolved,
          time: '2026-11-30T11:00:00+07:00',
          data: { dossierCode: '000.00.04.H26-261129-0013' },
        },
        {
          specversion: '1.0',
          id: '00004-261129-0013-t',
          source: SOURCE,
          type: EVENT_TYPE.returned,
          time: '2026-11-30T14:20:00+07:00',
          data: { dossierCode: '000.00.04.H26-261129-0013' },
        },
      ],
    },
    oneInvalid: {
      summary: 'One valid and one invalid event: 200, one rejected',
      'x-expected-status': 200,
      value: [
        {
          specversion: '1.0',
          id: 'e-2',
          source: SOURCE,
          type: EVENT_TYPE.received,
          time: '2026-11-29T09:30:00+07:00',
          data: {
            dossierCode: '000.00.04.H26-261129-0014',
            procedureCode: '1.001193',
            channel: 'postal',
            dueAt: '2026-12-03T16:00:00+07:00',
          },
        },
        {
          specversion: '1.0',
          id: 'e-3',
          source: SOURCE,
          type: EVENT_TYPE.rating,
          time: '2026-11-29T09:31:00+07:00',
          data: { level: 'great' },
        },
      ],
    },
    resent: {
      summary: 'The same event twice: the second is a duplicate',
      description: '(`source`, `id`) identifies an event; a re-send changes nothing and is safe.',
      'x-expected-status': 200,
      value: [
        {
          specversion: '1.0',
          id: 'e-5',
          source: SOURCE,
          type: EVENT_TYPE.rating,
          time: '2026-11-29T11:00:00+07:00',
          data: { level: 'satisfied' },
        },
        {
          specversion: '1.0',
          id: 'e-5',
          source: SOURCE,
          type: EVENT_TYPE.rating,
          time: '2026-11-29T11:00:00+07:00',
          data: { level: 'satisfied' },
        },
      ],
    },
    allInvalid: {
      summary: 'Every event invalid: 400 with the report',
      'x-expected-status': 400,
      value: [
        {
          specversion: '1.0',
          id: 'e-6',
          source: SOURCE,
          type: EVENT_TYPE.resolved,
          time: '2026-11-29 10:00',
          data: { dossierCode: '000.00.04.H26-261129-0015' },
        },
        {
          specversion: '1.0',
          id: 'e-7',
          source: SOURCE,
          type: EVENT_TYPE.received,
          time: '2026-11-29T10:05:00+07:00',
          data: {
            dossierCode: '000.00.04.H26-261129-0016',
            channel: 'direct',
            dueAt: '2026-12-03T16:00:00+07:00',
          },
        },
      ],
    },
    empty: {
      summary: 'An empty batch: 400 malformed',
      'x-expected-status': 400,
      value: [],
    },
    gzipped: {
      summary: 'A gzip-compressed batch',
      description: 'Sent with `Content-Encoding: gzip` (see the example of the same name of that header).',
      'x-expected-status': 200,
      value: [
        {
          specversion: '1.0',
          id: 'e-8',
          source: SOURCE,
          type: EVENT_TYPE.rating,
          time: '2026-11-29T11:30:00+07:00',
          data: { level: 'unsatisfied', comment: 'Phải chờ lâu' },
        },
      ],
    },
  },
  'application/json': {
    binaryResolved: {
      summary: 'Binary mode: attributes in ce-* headers, data as the body',
      description:
        'Sent with the `ce-*` headers of the examples of the same name (`ce-specversion`, `ce-id`, `ce-source`, `ce-type`, `ce-time`).',
      'x-expected-status': 200,
      value: { dossierCode: '000.00.04.H26-261129-0014' },
    },
    plainStructured: {
      summary: 'Plain JSON with a specversion: read as structured',
      'x-expected-status': 200,
      value: {
        specversion: '1.0',
        id: 'e-11',
        source: SOURCE,
        type: EVENT_TYPE.rating,
        time: '2026-11-29T15:00:00+07:00',
        data: { level: 'satisfied' },
      },
    },
  },
};

/** The `ce-*` headers of the binary-mode examples, by example name. */
const binaryHeaders: Record<string, Record<string, string>> = {
  binaryResolved: {
    'ce-specversion': '1.0',
    'ce-id': 'e-4',
    'ce-source': SOURCE,
    'ce-type': EVENT_TYPE.resolved,
    'ce-time': '2026-11-29T16:00:00+07:00',
  },
};

const accepted = (index: number, id: string) => ({ index, id, status: 'accepted' });
const report = (results: Json[]) => ({
  accepted: results.filter((r) => r.status === 'accepted').length,
  duplicates: results.filter((r) => r.status === 'duplicate').length,
  rejected: results.filter((r) => r.status === 'rejected').length,
  results,
});
const rejected = (
  index: number,
  id: string,
  code: 'invalid_event' | 'forbidden_source',
  message: string,
) => ({
  index,
  id,
  status: 'rejected',
  error: { code, message },
});
const LEVEL_MESSAGE = `data.level: expected one of ${RATING_LEVELS.join(', ')}`;

/** The answers to the request examples, by status and name. */
const responseExamples: Record<number, Record<string, Json>> = {
  200: {
    rating: { value: report([accepted(0, '00004-261129-0012-v')]) },
    received: { value: report([accepted(0, '00004-261129-0012-r')]) },
    dossierLife: {
      value: report(['r', 's', 'b', 'x', 't'].map((step, i) => accepted(i, `00004-261129-0013-${step}`))),
    },
    oneInvalid: {
      value: report([accepted(0, 'e-2'), rejected(1, 'e-3', 'invalid_event', LEVEL_MESSAGE)]),
    },
    resent: { value: report([accepted(0, 'e-5'), { index: 1, id: 'e-5', status: 'duplicate' }]) },
    gzipped: { value: report([accepted(0, 'e-8')]) },
    binaryResolved: { value: report([accepted(0, 'e-4')]) },
    plainStructured: { value: report([accepted(0, 'e-11')]) },
  },
  400: {
    invalidLevel: {
      value: {
        ...report([rejected(0, 'e-9', 'invalid_event', LEVEL_MESSAGE)]),
        error: { code: 'invalid_event', message: LEVEL_MESSAGE, requestId: EXAMPLE_REQUEST_ID },
      },
    },
    allInvalid: {
      value: {
        ...report([
          rejected(0, 'e-6', 'invalid_event', 'time: expected an RFC 3339 timestamp with offset'),
          rejected(1, 'e-7', 'invalid_event', 'data.procedureCode: expected a string'),
        ]),
        error: {
          code: 'invalid_event',
          message: 'time: expected an RFC 3339 timestamp with offset',
          requestId: EXAMPLE_REQUEST_ID,
        },
      },
    },
    empty: errorExample('malformed', 'body: the batch is empty'),
  },
  403: {
    otherDesk: errorExample('forbidden_source', "source: outside this key's desk 00004/Q01"),
    revoked: errorExample('forbidden', 'Authorization: this key was revoked', 'A revoked key'),
  },
};

const ceHeader = (name: string, description: string, schema: Json = { type: 'string' }) => {
  const examples: Json = {};
  for (const [example, headers] of Object.entries(binaryHeaders)) {
    if (headers[name] !== undefined) examples[example] = { value: headers[name] };
  }
  return {
    name,
    in: 'header',
    required: false,
    description: `Binary mode only. ${description}`,
    schema,
    ...(Object.keys(examples).length > 0 ? { examples } : {}),
  };
};

function ingestComponents(): Json {
  const components: Components = [
    ['Error', errorEnvelopeSchema],
    ['EventResult', eventResultSchema],
    ['EventsReport', eventsReportSchema],
    ['EventsRejected', rejectedReportSchema],
    ['CloudEvent', cloudEventSchema],
    ['CloudEventBatch', batchSchema],
    ['EventData', eventDataSchema],
    ...EVENT_TYPE_LIST.map((t, i): [string, z.ZodType] => [eventName(t), eventSchemas[i]]),
    ...EVENT_TYPE_LIST.map((t): [string, z.ZodType] => [dataName(t), DATA_SCHEMAS[t]]),
    ['Health', healthSchema],
    ['Ready', readySchema],
    ['WhoAmI', whoamiSchema],
  ];
  return jsonSchemas(components, (zodSchema, js) => {
    if (zodSchema === cloudEventSchema) {
      // The union is exclusive (one schema per `type`), which is what a discriminator says.
      js.oneOf = js.anyOf;
      delete js.anyOf;
      js.discriminator = {
        propertyName: 'type',
        mapping: Object.fromEntries(EVENT_TYPE_LIST.map((t) => [t, `#/components/schemas/${eventName(t)}`])),
      };
    }
    if (eventSchemas.includes(zodSchema as (typeof eventSchemas)[number])) {
      js.propertyNames = { pattern: '^[a-z0-9]{1,20}$' };
    }
  });
}

const EVENTS_DESCRIPTION = `Sends events of one desk system, as CloudEvents 1.0 in JSON: the steps of a dossier (hồ sơ), citizens' ratings (đánh giá mức độ hài lòng) and the other types below.

| \`type\` | meaning |
| --- | --- |
${EVENT_TYPES.map((t) => `| \`${t}\` | ${typeDescription(t)} |`).join('\n')}

**Three CloudEvents HTTP modes**

| mode | Content-Type | body |
| --- | --- | --- |
| structured | \`application/cloudevents+json\` | one event |
| batch | \`application/cloudevents-batch+json\` | an array of 1–${LIMITS.maxEvents} events |
| binary | \`application/json\` **and** a \`ce-specversion\` header; the other attributes in \`ce-*\` headers | the event's \`data\` |

\`application/json\` without \`ce-specversion\` is read as structured when the body is an object with a \`specversion\`, as batch when it is an array. \`Content-Encoding: gzip\` is accepted. The body must be UTF-8 JSON.

**Limits**: ${LIMITS.maxEvents} events and ${LIMITS.maxBodyBytes} bytes (1 MiB, after decompression) per request, ${LIMITS.maxEventBytes} bytes (32 KiB) per event, JSON nesting ${LIMITS.maxDepth} levels.

**The answer** comes after the accepted events are committed: a report with one result per event, in the order sent. At least one event not rejected: \`200\`. Every event rejected: \`400\` with the report and an \`error\`. In a batch, an event outside the key's scope is rejected on its own (\`forbidden_source\`); a single event outside it is \`403\`.

Re-sending is always safe: (\`source\`, \`id\`) identifies an event, and a second copy is a \`duplicate\`. Retry on network errors, \`429\` and \`503\`, never sooner than \`Retry-After\`.`;

/** The OpenAPI 3.1 document of the ingest service. */
export function ingestOpenApi(): OpenApiDocument {
  const binaryParams = [
    ceHeader('ce-specversion', 'Its presence with `Content-Type: application/json` selects binary mode.', {
      type: 'string',
      const: '1.0',
    }),
    ceHeader('ce-id', 'The event `id`.'),
    ceHeader('ce-source', 'The event `source`, `/units/{unitCode}/desks/{deskCode}`.'),
    ceHeader('ce-type', 'The event `type`.', { type: 'string', enum: EVENT_TYPE_LIST }),
    ceHeader('ce-time', 'The event `time`, RFC 3339 with an offset.', {
      type: 'string',
      format: 'date-time',
    }),
    ceHeader('ce-subject', 'The event `subject` (must equal `data.dossierCode`).'),
    ceHeader('ce-dataschema', 'The event `dataschema`.'),
    ceHeader('ce-datacontenttype', '`application/json` if given.', {
      type: 'string',
      const: 'application/json',
    }),
  ];
  return {
    openapi: '3.1.1',
    info: {
      title: 'Một Cửa Live — ingest API',
      version: API_VERSION,
      summary: 'Events from the one-stop desks (bộ phận một cửa) of communes: dossiers and citizen ratings.',
      description: `The ingest service receives events from the desk systems of the one-stop shops (bộ phận tiếp nhận và trả kết quả, "một cửa") of communes, wards and special zones (xã, phường, đặc khu): queue software, rating tablets and the provincial one-stop software (phần mềm một cửa). Every event is a [CloudEvents 1.0](https://github.com/cloudevents/spec) event in JSON.

A desk key (\`mck_…\`) belongs to one commune (đơn vị hành chính cấp xã) and optionally one desk (quầy), and every event's \`source\` must lie within it. Keys are created by an operator (\`npm run motcua -- keys create --unit 00004 --label "Quầy 1"\`).

Every error answers \`{ "error": { "code", "message", "requestId" } }\`, the same envelope in every API of Một Cửa Live, and every answer carries \`X-Request-Id\`. The contract changes only by adding: ignore fields you do not know.

The event contract in full is \`docs/events.md\` in the repository; the service listens on 127.0.0.1:8787 by default.`,
    },
    servers: [{ url: '/', description: 'This ingest service' }],
    tags: [
      { name: 'events', description: 'Sending events (gửi sự kiện)' },
      { name: 'keys', description: 'The desk key in use' },
      { name: 'operations', description: 'Health and metrics for operators' },
      { name: 'reference', description: 'This document and its reference page' },
    ],
    paths: {
      '/v1/events': {
        post: {
          tags: ['events'],
          operationId: 'postEvents',
          summary: 'Send events',
          description: EVENTS_DESCRIPTION,
          security: [{ deskKey: [] }],
          parameters: [
            {
              name: 'Content-Encoding',
              in: 'header',
              required: false,
              description: '`gzip` (or `x-gzip`) for a compressed body; `identity` or none for a plain one.',
              schema: { type: 'string', enum: ['gzip', 'x-gzip', 'identity'] },
              examples: { gzipped: { value: 'gzip' } },
            },
            { $ref: '#/components/parameters/RequestId' },
            ...binaryParams,
          ],
          requestBody: {
            required: true,
            content: {
              'application/cloudevents+json': {
                schema: ref('CloudEvent'),
                examples: requestExamples['application/cloudevents+json'],
              },
              'application/cloudevents-batch+json': {
                schema: ref('CloudEventBatch'),
                examples: requestExamples['application/cloudevents-batch+json'],
              },
              'application/json': {
                schema: {
                  description:
                    'Binary mode (with `ce-specversion`): the event’s `data`. Without it: one event or a batch, as above.',
                  anyOf: [ref('EventData'), ref('CloudEvent'), ref('CloudEventBatch')],
                },
                examples: requestExamples['application/json'],
              },
            },
          },
          responses: {
            '200': jsonOk(
              'At least one event was not rejected: the report, one result per event.',
              'EventsReport',
              {
                examples: responseExamples[200],
              },
            ),
            '400': {
              description:
                'Every event was rejected (`invalid_event`, or `forbidden_source` for a batch): the report with an `error`. Or the body cannot be read (`malformed`): the error alone.',
              headers: { 'X-Request-Id': requestIdHeader },
              content: {
                'application/json': {
                  schema: { anyOf: [ref('EventsRejected'), ref('Error')] },
                  examples: responseExamples[400],
                },
              },
            },
            '401': errorResponse(
              'No `Authorization: Bearer <desk key>`, or an unknown key.',
              ['unauthorized'],
              {
                examples: {
                  missing: errorExample(
                    'unauthorized',
                    'Authorization: expected "Bearer <desk key>"',
                    'No key',
                  ),
                  unknown: errorExample('unauthorized', 'Authorization: unknown desk key', 'An unknown key'),
                },
              },
            ),
            '403': errorResponse(
              'The key was revoked, or a single event’s `source` is outside its scope.',
              ['forbidden', 'forbidden_source'],
              { examples: responseExamples[403] },
            ),
            '413': errorResponse(
              'Over a limit (events per request, body size, event size); nothing stored.',
              ['too_large'],
              {
                examples: {
                  tooMany: errorExample(
                    'too_large',
                    `body: 1001 events; at most ${LIMITS.maxEvents} per request`,
                  ),
                },
              },
            ),
            '415': errorResponse(
              'A missing or other `Content-Type`, a charset other than UTF-8, or an encoding other than gzip.',
              ['unsupported_media_type'],
              {
                examples: {
                  text: errorExample(
                    'unsupported_media_type',
                    'Content-Type: text/plain is not accepted; use application/cloudevents+json, application/cloudevents-batch+json or application/json',
                  ),
                },
              },
            ),
            '429': errorResponse(
              'Over the key’s rate (a token bucket counted in events); nothing stored.',
              ['rate_limited'],
              {
                retryAfter: true,
                examples: { limited: errorExample('rate_limited', "over this key's rate; retry in 2 s") },
              },
            ),
            '500': errorResponse('An unexpected fault, logged with the request id.', ['internal']),
            '503': errorResponse(
              'The database cannot be reached, or the ingest is shutting down; nothing of the request was stored.',
              ['unavailable'],
              { retryAfter: true },
            ),
          },
        },
      },
      '/v1/whoami': {
        get: {
          tags: ['keys'],
          operationId: 'whoami',
          summary: 'The desk key’s scope',
          description: 'The commune and desk the key belongs to; handy when configuring a desk.',
          security: [{ deskKey: [] }],
          responses: {
            '200': jsonOk('The key’s scope.', 'WhoAmI', {
              example: { unit: '00004', desk: null, prefix: 'mck_AbCdEfGhIj' },
            }),
            '401': errorResponse('No key, or an unknown key.', ['unauthorized']),
            '403': errorResponse('The key was revoked.', ['forbidden']),
            '503': errorResponse('The database cannot check the key.', ['unavailable'], { retryAfter: true }),
          },
        },
      },
      ...healthPaths('`RETRY_AFTER_SECONDS` (default 2)'),
      ...referencePaths('/docs'),
    },
    components: {
      schemas: ingestComponents(),
      parameters: {
        RequestId: {
          name: 'X-Request-Id',
          in: 'header',
          required: false,
          description:
            'Your own request id (1–64 of `A–Z a–z 0–9 _ . -`), echoed in the answer; else the ingest makes one.',
          schema: { type: 'string', pattern: '^[\\w.-]{1,64}$' },
        },
      },
      securitySchemes: {
        deskKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'mck_ + 32 characters',
          description:
            'A desk key (`Authorization: Bearer mck_…`), created by an operator for one commune and optionally one desk. Revoked keys answer 403.',
        },
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The dashboard's read API

const UNIT_CODE_DOC =
  'A unit code (`01` city, `273` district, `00004` commune) or a desk: the commune code, a slash and the desk code (`00004/Q01`), with the slash as is (`%2F` works too).';

const readErrors = (opts: { window?: boolean; bad?: string; forbidden?: string } = {}) => {
  const responses: Json = {
    '401': { $ref: '#/components/responses/Unauthorized' },
    '403': opts.forbidden
      ? errorResponse(opts.forbidden, ['forbidden'])
      : { $ref: '#/components/responses/Forbidden' },
    '404': { $ref: '#/components/responses/NotFound' },
    '500': { $ref: '#/components/responses/Internal' },
    '503': { $ref: '#/components/responses/Unavailable' },
  };
  if (opts.window || opts.bad) {
    responses['400'] = errorResponse(
      opts.bad ?? 'A wrong query parameter; the message names it.',
      ['bad_request'],
      {
        examples: {
          window: errorExample(
            'bad_request',
            'window: window must be one of 1h, today, 7d, 30d, week, month, quarter, year, a period (2026-W44, 2026-10, 2026-Q3, 2026) or custom',
          ),
        },
      },
    );
  }
  return responses;
};

const windowParams = [
  { $ref: '#/components/parameters/window' },
  { $ref: '#/components/parameters/from' },
  { $ref: '#/components/parameters/to' },
];

function unitPath(
  suffix: string,
  op: {
    id: string;
    summary: string;
    description: string;
    schema: string;
    params?: Json[];
    errors: Json;
    example?: Json;
  },
) {
  return {
    [`/api/v1/units/{code}/${suffix}`]: {
      parameters: [{ $ref: '#/components/parameters/code' }],
      get: {
        tags: ['units'],
        operationId: op.id,
        summary: op.summary,
        description: op.description,
        ...(op.params ? { parameters: op.params } : {}),
        responses: {
          '200': jsonOk(op.summary, op.schema, op.example ? { example: op.example } : {}),
          ...op.errors,
        },
      },
    },
  };
}

/** The answers every JSON write route of the dashboard may give besides its own. */
const writeErrors = (forbidden: string): Json => ({
  '400': errorResponse('A wrong body; the message names the field.', ['bad_request']),
  '401': { $ref: '#/components/responses/Unauthorized' },
  '403': errorResponse(forbidden, ['forbidden']),
  '404': { $ref: '#/components/responses/NotFound' },
  '500': { $ref: '#/components/responses/Internal' },
  '503': { $ref: '#/components/responses/Unavailable' },
});

const jsonBody = (schemaName: string) => ({
  required: true,
  content: { 'application/json': { schema: ref(schemaName) } },
});

const WRITE_NOTE =
  ' Display tokens never write. With the session cookie (no bearer token), the request must carry an `Origin` header naming this site.';

/** Targets and annotations (issue 14): reads and writes. */
function explainPaths(): Json {
  return {
    '/api/v1/units/{code}/targets': {
      parameters: [{ $ref: '#/components/parameters/code' }],
      get: {
        tags: ['units'],
        operationId: 'unitTargets',
        summary: 'The targets in force',
        description:
          'The targets of the unit and of each child, per figure: its own, else inherited from the nearest unit above it that has one (`inherited`, `setOn`). Rates are shares (0.95 = 95 %), the 766 score is points of 100.',
        responses: { '200': jsonOk('The targets in force.', 'UnitTargets'), ...readErrors() },
      },
      put: {
        tags: ['units'],
        operationId: 'setUnitTarget',
        summary: 'Set or remove a target',
        description: `Sets the unit's own target for one figure, or removes it (\`value: null\`) so that the unit inherits again. City viewers set any unit of their subtree; district viewers the communes below them.${WRITE_NOTE}`,
        requestBody: jsonBody('TargetInput'),
        responses: {
          '200': jsonOk('The targets in force after the change.', 'UnitTargets'),
          ...writeErrors('Not a city viewer of the unit, nor the district viewer of a commune.'),
        },
      },
    },
    '/api/v1/units/{code}/annotations': {
      parameters: [{ $ref: '#/components/parameters/code' }],
      get: {
        tags: ['units'],
        operationId: 'unitAnnotations',
        summary: 'Notes on the charts',
        description:
          'Dated notes (a point, or a range with `to`) on the unit, on the units above it (which cover it) and on the units below it, the earliest first, each with its author. With a window, only the notes that meet it.',
        parameters: windowParams,
        responses: { '200': jsonOk('The notes.', 'AnnotationList'), ...readErrors({ window: true }) },
      },
      post: {
        tags: ['units'],
        operationId: 'createUnitAnnotation',
        summary: 'Add a note',
        description: `A note on the unit, covering it and every unit below it. City and district viewers, in their own subtree.${WRITE_NOTE}`,
        requestBody: jsonBody('AnnotationInput'),
        responses: {
          '201': jsonOk('The note.', 'Annotation'),
          ...writeErrors('Not a city or district viewer whose subtree holds the unit.'),
        },
      },
    },
    '/api/v1/units/{code}/annotations/{id}': {
      parameters: [
        { $ref: '#/components/parameters/code' },
        {
          name: 'id',
          in: 'path',
          required: true,
          description: 'The note.',
          schema: { type: 'integer', minimum: 1 },
        },
      ],
      patch: {
        tags: ['units'],
        operationId: 'updateUnitAnnotation',
        summary: 'Change a note',
        description: `Its dates and text. City and district viewers whose subtree holds the note's unit.${WRITE_NOTE}`,
        requestBody: jsonBody('AnnotationInput'),
        responses: {
          '200': jsonOk('The note.', 'Annotation'),
          ...writeErrors('Not a city or district viewer whose subtree holds the note’s unit.'),
        },
      },
      delete: {
        tags: ['units'],
        operationId: 'deleteUnitAnnotation',
        summary: 'Delete a note',
        description: `City and district viewers whose subtree holds the note's unit.${WRITE_NOTE}`,
        responses: {
          '204': { description: 'Deleted.', headers: { 'X-Request-Id': requestIdHeader } },
          ...writeErrors('Not a city or district viewer whose subtree holds the note’s unit.'),
        },
      },
    },
  };
}

const SNAPSHOT_EXAMPLE = {
  unit: { code: '00004', name: 'Phường Trúc Bạch', level: 'commune' },
  window: { name: 'today', from: '2026-11-29T00:00:00+07:00', to: '2026-11-29T14:03:11+07:00' },
  asOf: '2026-11-29T14:03:11+07:00',
  metrics: {
    satisfaction: {
      verySatisfied: 12,
      satisfied: 20,
      unsatisfied: 3,
      total: 35,
      rate: 0.9142857142857143,
      wilsonLow: 0.7763,
    },
    onTime: {
      early: 4,
      onTime: 9,
      late: 1,
      unknown: 0,
      rate: 0.9285714285714286,
      avgHours: 30.5,
      index766: 0.9285714285714286,
    },
    received: { total: 18, direct: 11, online: 6, postal: 1 },
    open: { total: 41, overdue: 2, dueSoon: 5, waitingSupplement: 3 },
  },
  children: [],
};

function dashboardComponents(): Json {
  return jsonSchemas(
    [
      ['Error', errorEnvelopeSchema],
      ['Me', meSchema],
      ['UnitRef', unitRefSchema],
      ['Window', snapshotWindowSchema],
      ['UnitMetrics', unitMetricsSchema],
      ['Snapshot', snapshotSchema],
      ['Series', seriesSchema],
      ['UnitInfo', unitInfoSchema],
      ['Heatmap', heatmapSchema],
      ['OverdueList', overdueListSchema],
      ['RatingList', ratingListSchema],
      ['ScorecardCriterion', scorecardCriterionSchema],
      ['ScorecardGroup', scorecardGroupSchema],
      ['Score', scoreSchema],
      ['PointsAtRisk', atRiskSchema],
      ['Scorecard', scorecardSchema],
      ['ScorecardLeague', scorecardLeagueSchema],
      ['FigureChange', figureChangeSchema],
      ['MetricChanges', metricChangesSchema],
      ['Comparison', comparisonSchema],
      ['MonthlyTrend', monthlyTrendSchema],
      ['EffectiveTarget', effectiveTargetSchema],
      ['UnitTargets', unitTargetsSchema],
      ['TargetInput', targetInputSchema],
      ['Annotation', annotationSchema],
      ['AnnotationList', annotationListSchema],
      ['AnnotationInput', annotationInputSchema],
      ['ProcedureList', procedureListSchema],
      ['DossierList', dossierListSchema],
      ['ReportSubscription', reportSubscriptionSchema],
      ['Health', healthSchema],
      ['Ready', readySchema],
      ['KioskInfo', kioskInfoSchema],
      ['KioskPairRequest', kioskPairRequestSchema],
      ['KioskPaired', kioskPairedSchema],
      ['KioskRating', kioskRatingSchema],
      ['KioskRatingsRequest', kioskRatingsRequestSchema],
      ['KioskRatingsReport', kioskRatingsReportSchema],
      ['Alert', alertSchema],
      ['AlertCounts', alertCountsSchema],
      ['AlertList', alertListSchema],
      ['AlertEvent', alertEventSchema],
      ['AlertAction', alertActionSchema],
      ['AlertWebhook', webhookPayloadSchema],
      ['WebhookRequest', webhookRequestSchema],
      ['EmailRecipientRequest', emailRecipientRequestSchema],
    ],
    () => {},
  );
}

// Alerts (docs/alerts.md): the inbox, the actions on an alert, and where alerts are sent
// (writeErrors, jsonBody and WRITE_NOTE as for targets above).
const okJson = { description: 'Done.', content: { 'application/json': { schema: { type: 'object' } } } };

function alertPaths(): Json {
  const action = (verb: 'acknowledge' | 'close', summary: string, description: string) => ({
    [`/api/v1/alerts/{id}/${verb}`]: {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
      post: {
        tags: ['alerts'],
        operationId: `${verb}Alert`,
        summary,
        description: description + WRITE_NOTE,
        requestBody: jsonBody('AlertAction'),
        responses: {
          '200': jsonOk('The alert after the change.', 'Alert'),
          '409': errorResponse(`The alert’s state does not allow it.`, ['conflict']),
          ...writeErrors('A `display` viewer, or a cookie request from another site.'),
        },
      },
    },
  });
  const configured = (suffix: string, what: string, schemaName: string, id: string) => ({
    [`/api/v1/units/{code}/${suffix}`]: {
      parameters: [{ $ref: '#/components/parameters/code' }],
      get: {
        tags: ['alerts'],
        operationId: `list${id}`,
        summary: `The ${what} of the unit’s subtree`,
        description: 'City and district viewers only.',
        responses: {
          '200': {
            description: `The ${what}.`,
            content: { 'application/json': { schema: { type: 'array', items: { type: 'object' } } } },
          },
          ...readErrors({ forbidden: 'Outside the viewer’s unit, or not a city or district viewer.' }),
        },
      },
      post: {
        tags: ['alerts'],
        operationId: `create${id}`,
        summary: `Adds one of the ${what}`,
        description: `City and district viewers, for a unit of their subtree.${WRITE_NOTE}`,
        requestBody: jsonBody(schemaName),
        responses: {
          '201': {
            description: 'Created; its id.',
            content: {
              'application/json': { schema: { type: 'object', properties: { id: { type: 'integer' } } } },
            },
          },
          ...writeErrors('Not a city or district viewer of the unit, or a cookie request from another site.'),
        },
      },
    },
  });
  return {
    [`/api/v1/units/{code}/alerts`]: {
      parameters: [{ $ref: '#/components/parameters/code' }],
      get: {
        tags: ['alerts'],
        operationId: 'unitAlerts',
        summary: 'The alert inbox of a unit',
        description:
          'The alerts of the unit’s subtree, most urgent first (city, district, commune level; then the oldest), with the live counts. `display` viewers get no `acknowledgedComment`. Changes are announced on the live stream (`watchAlerts`, docs/live.md).',
        parameters: [
          {
            name: 'state',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
              enum: ['live', 'all', 'open', 'acknowledged', 'resolved', 'closed'],
              default: 'live',
            },
            description: '`live`: open or acknowledged.',
          },
          {
            name: 'level',
            in: 'query',
            required: false,
            schema: { type: 'string', enum: [...ALERT_LEVELS] },
          },
          {
            name: 'limit',
            in: 'query',
            required: false,
            schema: { type: 'integer', minimum: 0, maximum: 1000, default: 200 },
          },
        ],
        responses: {
          '200': jsonOk('The alerts.', 'AlertList'),
          ...readErrors({ bad: 'A wrong state, level or limit.' }),
        },
      },
    },
    '/api/v1/alerts/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
      get: {
        tags: ['alerts'],
        operationId: 'alert',
        summary: 'One alert with its history',
        description:
          'Every change (opened, escalated, acknowledged, resolved, closed) with who and when; comments not for `display` viewers.',
        responses: {
          '200': {
            description: 'The alert and its history.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { alert: ref('Alert'), history: { type: 'array', items: ref('AlertEvent') } },
                },
              },
            },
          },
          ...readErrors(),
        },
      },
    },
    ...action(
      'acknowledge',
      'Acknowledges an open alert',
      'Who (the viewer’s label), when and why (the comment). An acknowledged alert stops climbing the ladder; it still resolves by itself when its condition clears.',
    ),
    ...action(
      'close',
      'Closes an alert by hand',
      'Open or acknowledged. It does not open again while its condition lasts.',
    ),
    [`/api/v1/units/{code}/alert-rules`]: {
      parameters: [{ $ref: '#/components/parameters/code' }],
      get: {
        tags: ['alerts'],
        operationId: 'alertRules',
        summary: 'The alert rules in force at a unit',
        description: `\`effective\`: every rule’s settings at the unit (the defaults, then the changes of each unit above it and its own); \`overrides\`: its own changes. Rules: ${ALERT_RULES.join(', ')}.`,
        responses: { '200': okJson, ...readErrors() },
      },
      put: {
        tags: ['alerts'],
        operationId: 'setAlertRule',
        summary: 'Replaces the unit’s changes to one rule',
        description: `\`{ rule, settings }\`; \`settings: {}\` removes them. City and district viewers, for a unit of their subtree.${WRITE_NOTE}`,
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
        responses: { '200': okJson, ...writeErrors('Not a city or district viewer of the unit.') },
      },
    },
    ...configured('webhooks', 'webhook subscriptions', 'WebhookRequest', 'Webhooks'),
    ...configured('email-recipients', 'mail digest recipients', 'EmailRecipientRequest', 'EmailRecipients'),
    '/api/v1/webhooks/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
      delete: {
        tags: ['alerts'],
        operationId: 'stopWebhook',
        summary: 'Stops a webhook subscription (its delivery history stays)',
        description: WRITE_NOTE.trim(),
        responses: { '200': okJson, ...writeErrors('Not a city or district viewer.') },
      },
    },
    '/api/v1/email-recipients/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
      delete: {
        tags: ['alerts'],
        operationId: 'deleteEmailRecipient',
        summary: 'Removes a mail digest recipient',
        description: WRITE_NOTE.trim(),
        responses: { '200': okJson, ...writeErrors('Not a city or district viewer.') },
      },
    },
    [`/api/v1/units/{code}/desk-health`]: {
      parameters: [{ $ref: '#/components/parameters/code' }],
      get: {
        tags: ['alerts'],
        operationId: 'deskHealth',
        summary: 'Every desk’s last event, rhythm, sync lag and state',
        description:
          '`state`: `live`, `quiet`, `silent` (usually sends, nothing for the configured working time while the working day is on) or `lagging` (its last events came more than the configured working hours late); null with null facts: not measured yet.',
        responses: { '200': okJson, ...readErrors() },
      },
    },
  };
}

/** What a subscription receives: one POST per alert change (OpenAPI 3.1 `webhooks`). */
const alertWebhooks = {
  alertChanged: {
    post: {
      tags: ['alerts'],
      summary: 'An alert opened, escalated, was acknowledged, resolved or closed',
      description:
        'Sent to each active subscription whose unit holds the alert and whose `minLevel` it reaches. Verify `X-Motcua-Signature` = `sha256=` + hex HMAC-SHA256 of `{X-Motcua-Timestamp}.{raw body}` with the shared secret, and refuse a timestamp far from your clock (replay). Answer 2xx within 10 s; anything else is retried with exponential backoff and jitter, under the same `X-Motcua-Delivery` (deduplicate on it), until the subscription’s give-up time, then marked failed.',
      parameters: [
        {
          name: 'X-Motcua-Delivery',
          in: 'header',
          required: true,
          schema: { type: 'string', format: 'uuid' },
        },
        {
          name: 'X-Motcua-Timestamp',
          in: 'header',
          required: true,
          schema: { type: 'string' },
          description: 'Unix seconds of this attempt.',
        },
        {
          name: 'X-Motcua-Signature',
          in: 'header',
          required: true,
          schema: { type: 'string' },
          example: 'sha256=5d41…',
        },
        {
          name: 'X-Motcua-Event',
          in: 'header',
          required: true,
          schema: { type: 'string' },
          example: 'alert.escalated',
        },
      ],
      requestBody: { required: true, content: { 'application/json': { schema: ref('AlertWebhook') } } },
      responses: { '200': { description: 'Accepted (any 2xx).' } },
    },
  },
};

/** The OpenAPI 3.1 document of the dashboard's read API (and its health endpoints). */
export function dashboardOpenApi(): OpenApiDocument {
  return {
    openapi: '3.1.1',
    info: {
      title: 'Một Cửa Live — read API',
      version: API_VERSION,
      summary: 'The numbers of the one-stop shops (bộ phận một cửa), per unit and window.',
      description: `The dashboard's read API: satisfaction (mức độ hài lòng), on-time resolution (đúng hạn, the 766 index of Decision 766/QĐ-TTg), received and open dossiers (hồ sơ), per unit of the administrative tree — city (tỉnh/thành phố), district (quận/huyện), commune (xã/phường/đặc khu) — and per desk (quầy).

Authentication: a viewer token (\`Authorization: Bearer mcv_…\`, created by an operator) or the session cookie that opening a page with \`?token=…\` gives. A viewer reads its own unit and the units below it. \`display\` viewers (wall screens, màn hình) get no citizen comments and no export.

Times are local (Asia/Ho_Chi_Minh, UTC+7), RFC 3339 with \`+07:00\`. Windows: \`1h\`, \`today\` (the default, from local midnight), \`7d\`, \`30d\`; the calendar periods the national portal reports by, \`week\` (ISO, from Monday), \`month\`, \`quarter\`, \`year\` (to date) or one named by its label (\`2026-W44\`, \`2026-10\`, \`2026-Q3\`, \`2026\`); or \`custom\` with \`from\` and \`to\` (at most 400 days; in a query string the \`+\` of an offset is written \`%2B\`).

The 766 scorecard (the service index of Decision 766/QĐ-TTg, 100 points in 5 groups): its formulas are reconstructed from the national portal's published data and an unofficial formula document, not from a legal text; what desk events cannot measure is listed as not measured, never scored 0. \`docs/metrics.md\` states every formula and its source.

Every error answers \`{ "error": { "code", "message", "requestId" } }\` (the same envelope as the ingest), and answers carry \`X-Request-Id\` and \`Cache-Control: private, no-store\`. The contract changes only by adding: ignore fields you do not know. What every number means is \`docs/metrics.md\` in the repository; the live stream (Socket.IO) is \`docs/live.md\`. The dashboard listens on 127.0.0.1:3000 by default.`,
    },
    servers: [{ url: '/', description: 'This dashboard' }],
    tags: [
      { name: 'viewer', description: 'Who is reading' },
      { name: 'units', description: 'The numbers of a unit or desk (số liệu của đơn vị)' },
      { name: 'reports', description: 'Scheduled report digests by e-mail (báo cáo định kỳ)' },
      { name: 'operations', description: 'Health and metrics for operators' },
      { name: 'reference', description: 'This document and its reference page' },
      { name: 'kiosk', description: 'The rating kiosk at a desk (`/kiosk`)' },
      { name: 'alerts', description: 'Alerts, escalation and desk health (cảnh báo)' },
    ],
    security: [{ viewerToken: [] }, { session: [] }],
    webhooks: alertWebhooks,
    paths: {
      '/api/v1/kiosk/pair': {
        post: {
          tags: ['kiosk'],
          operationId: 'kioskPair',
          summary: 'Pair a rating kiosk',
          description:
            'Spends a one-time pairing code (8 characters, 15 minutes, single use; made on the admin page) and answers the kiosk’s own token. The desk key is never sent. See `docs/admin.md`.',
          security: [],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('KioskPairRequest') } },
          },
          responses: {
            '200': jsonOk('The kiosk’s token and desk.', 'KioskPaired'),
            '400': errorResponse('No code in the body.', ['bad_request']),
            '401': errorResponse('The code is unknown, used or expired.', ['unauthorized']),
            '403': errorResponse('The code’s desk key was revoked.', ['forbidden']),
          },
        },
      },
      '/api/v1/kiosk/me': {
        get: {
          tags: ['kiosk'],
          operationId: 'kioskMe',
          summary: 'The kiosk',
          description: 'The kiosk’s desk and settings; 403 once the kiosk or its desk key is revoked.',
          security: [{ kioskToken: [] }],
          responses: {
            '200': jsonOk('The kiosk.', 'KioskInfo'),
            '401': errorResponse('No or an unknown kiosk token.', ['unauthorized']),
            '403': errorResponse('The kiosk or its desk key was revoked.', ['forbidden']),
          },
        },
      },
      '/api/v1/kiosk/ratings': {
        post: {
          tags: ['kiosk'],
          operationId: 'kioskRatings',
          summary: 'Send a kiosk’s ratings',
          description:
            'Up to 100 ratings, each stored as a `vn.motcua.rating.submitted` event of the kiosk’s desk (the source is the kiosk’s, whatever the body says). Idempotent on each id, as the ingest is: a resend answers `duplicate` and stores nothing twice.',
          security: [{ kioskToken: [] }],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('KioskRatingsRequest') } },
          },
          responses: {
            '200': jsonOk('What became of each rating, in order.', 'KioskRatingsReport'),
            '400': errorResponse('No ratings, or more than 100.', ['bad_request']),
            '401': errorResponse('No or an unknown kiosk token.', ['unauthorized']),
            '403': errorResponse('The kiosk or its desk key was revoked.', ['forbidden']),
            '503': errorResponse('The database did not answer; nothing was stored.', ['unavailable'], {
              retryAfter: true,
            }),
          },
        },
      },
      '/api/v1/me': {
        get: {
          tags: ['viewer'],
          operationId: 'me',
          summary: 'The viewer',
          description:
            'Who the token or session belongs to. `name` and `level` are absent when the viewer’s unit is no longer in the tree.',
          responses: {
            '200': jsonOk('The viewer.', 'Me', {
              example: {
                role: 'commune',
                label: 'Chủ tịch UBND phường',
                unit: { code: '00004', name: 'Phường Trúc Bạch', level: 'commune' },
              },
            }),
            '401': { $ref: '#/components/responses/Unauthorized' },
          },
        },
      },
      ...unitPath('metrics', {
        id: 'unitMetrics',
        summary: 'The snapshot of a unit',
        description:
          'The unit’s numbers over the window, and the same for each of its children (units below it, or a commune’s desks).',
        schema: 'Snapshot',
        params: windowParams,
        errors: readErrors({ window: true }),
        example: SNAPSHOT_EXAMPLE,
      }),
      ...unitPath('series', {
        id: 'unitSeries',
        summary: 'A time series',
        description:
          'One point per step over the window, zeros included, on a grid aligned to the step (to local midnight for `1d`). At most 5,000 points (else 400).',
        schema: 'Series',
        params: [...windowParams, { $ref: '#/components/parameters/step' }],
        errors: readErrors({ window: true }),
      }),
      ...unitPath('info', {
        id: 'unitInfo',
        summary: 'A unit, its ancestors and children',
        description:
          'For breadcrumbs and navigation: `ancestors` from the root down to the parent; `children` from the tree (none for a commune or desk).',
        schema: 'UnitInfo',
        errors: readErrors(),
      }),
      ...unitPath('heatmap', {
        id: 'unitHeatmap',
        summary: 'Satisfaction by weekday and hour',
        description:
          'Cells of local weekday (0 = Monday) × hour with ratings (`total`) and positive ratings; cells without any counters are left out.',
        schema: 'Heatmap',
        params: windowParams,
        errors: readErrors({ window: true }),
      }),
      ...unitPath('overdue', {
        id: 'unitOverdue',
        summary: 'Overdue open dossiers',
        description: `Open dossiers past their deadline (hồ sơ quá hạn), longest overdue first: \`total\` of them, and the first \`limit\`. \`reason\`: ${OVERDUE_REASONS.join(', ')}.`,
        schema: 'OverdueList',
        params: [{ $ref: '#/components/parameters/limit' }],
        errors: readErrors({ bad: 'A wrong `limit`.' }),
      }),
      ...unitPath('ratings', {
        id: 'unitRatings',
        summary: 'Latest ratings',
        description:
          'Ratings newest first. Without a window: the latest `limit` of a commune or desk. With `window` (or `from`/`to`): those of any unit in the window, as the Excel report lists them (the report takes 500). `comment` is present for people and absent for `display` viewers.',
        schema: 'RatingList',
        params: [
          ...windowParams,
          {
            name: 'limit',
            in: 'query',
            required: false,
            description: 'How many ratings to list.',
            schema: { type: 'integer', minimum: 1, maximum: 500, default: 30 },
          },
        ],
        errors: readErrors({
          window: true,
          bad: 'A wrong `limit`, or a unit above a commune without a window.',
        }),
      }),
      ...unitPath('scorecard', {
        id: 'unitScorecard',
        summary: 'The 766 scorecard of a unit',
        description: `Every sub-criterion of the 766 index over the window (numerator, denominator, rate, points, measured), the 5 groups and the total out of the points measurable from desk events, and the points at risk now (\`null\` for a closed period). A sub-criterion that is not measured gives its \`reason\`: ${SCORECARD_REASONS.join(', ')}.`,
        schema: 'Scorecard',
        params: windowParams,
        errors: readErrors({ window: true }),
      }),
      ...unitPath('scorecard/league', {
        id: 'unitScorecardLeague',
        summary: 'The children ranked by 766 points',
        description:
          'The children of the unit (districts or communes; a commune’s desks) ranked by total points, equal points by name; for a calendar window, each with its rank in the previous period of the same kind (`previous`) and the change (positive = moved up).',
        schema: 'ScorecardLeague',
        params: windowParams,
        errors: readErrors({ window: true }),
      }),
      ...unitPath('compare', {
        id: 'unitComparison',
        summary: 'The change against the previous period',
        description:
          'Satisfaction, on-time and received of the unit and of each child against the closed window of the same length before `window`: for a calendar window (this week/month/quarter/year to date, or a whole period) the whole previous period of the same kind; `today` against yesterday; a rolling or custom window against the one of equal length just before it. Changes of rates are in percentage points; a change is null where either denominator is 0; both sample sizes are given. Ranks go by the Wilson lower bound of satisfaction, as the league does.',
        schema: 'Comparison',
        params: windowParams,
        errors: readErrors({ window: true }),
      }),
      ...unitPath('months', {
        id: 'unitMonthlyTrend',
        summary: 'The last months, one point each',
        description:
          'Satisfaction, on-time and received per local calendar month over the last `count` months (default 12, at most 36), oldest first; the last is the current month to date (`closed: false`).',
        schema: 'MonthlyTrend',
        params: [
          {
            name: 'count',
            in: 'query',
            required: false,
            description: 'How many months, 1 to 36.',
            schema: { type: 'integer', minimum: 1, maximum: 36, default: 12 },
          },
        ],
        errors: readErrors(),
      }),
      ...explainPaths(),
      ...unitPath('procedures', {
        id: 'unitProcedures',
        summary: 'The numbers by procedure',
        description:
          'Received, early, on time, late, unknown, satisfaction and the v1.1 fee facts per procedure (mã TTHC, with the name the desks sent) over the window, and the open dossiers per procedure now; `total` is their sum and equals the snapshot over the same window. A dossier counts for the procedure of its earliest reception; a rating for that of the dossier it names; `code` "" holds what has no known procedure. From the per-procedure rollup and dossier state.',
        schema: 'ProcedureList',
        params: windowParams,
        errors: readErrors({ window: true }),
      }),
      ...unitPath('dossiers', {
        id: 'unitDossiers',
        summary: 'The dossiers behind a number',
        description:
          'The dossiers a tile counts, paged, each with its timeline: `received`, `finished`, `early`, `onTime`, `late`, `unknown` in the window (the minutes the tile counts), or `open`, `overdue`, `dueSoon`, `waitingSupplement` now; optionally of one procedure. `total` equals the tile.',
        schema: 'DossierList',
        params: [
          ...windowParams,
          {
            name: 'kind',
            in: 'query',
            required: true,
            description: 'Which number.',
            schema: { type: 'string', enum: [...DOSSIER_LIST_KINDS] },
          },
          {
            name: 'procedure',
            in: 'query',
            required: false,
            description: 'A procedure code ("" for none known).',
            schema: { type: 'string', maxLength: 64 },
          },
          {
            name: 'offset',
            in: 'query',
            required: false,
            description: 'Rows to skip.',
            schema: { type: 'integer', minimum: 0, default: 0 },
          },
          {
            name: 'limit',
            in: 'query',
            required: false,
            description: 'Rows to give.',
            schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
          },
        ],
        errors: readErrors({
          bad: 'A wrong query parameter (window, kind, offset, limit); the message names it.',
        }),
      }),
      '/api/v1/units/{code}/scorecard.csv': {
        parameters: [{ $ref: '#/components/parameters/code' }],
        get: {
          tags: ['units'],
          operationId: 'unitScorecardCsv',
          summary: 'The 766 scorecard as CSV',
          description:
            'One row per sub-criterion (`group, code, name, name_en, max, measured, numerator, denominator, rate, full_at, points, reason`), then one per group and a `total` row (their `max` is the max of the measured sub-criteria). UTF-8 with a byte-order mark, CRLF line ends, RFC 4180 quoting. Not for `display` viewers.',
          parameters: windowParams,
          responses: {
            '200': {
              description:
                'The CSV file, named `motcua-{code}-766-{period or window}.csv` (a desk’s `/` becomes `-`).',
              headers: {
                'X-Request-Id': requestIdHeader,
                'Content-Disposition': {
                  description: 'attachment; filename="motcua-{code}-766-{period or window}.csv"',
                  schema: { type: 'string' },
                },
              },
              content: { 'text/csv; charset=utf-8': { schema: { type: 'string' } } },
            },
            ...readErrors({ window: true, forbidden: 'Outside the viewer’s unit, or a `display` viewer.' }),
          },
        },
      },
      '/api/v1/units/{code}/export.csv': {
        parameters: [{ $ref: '#/components/parameters/code' }],
        get: {
          tags: ['units'],
          operationId: 'unitExportCsv',
          summary: 'The children table as CSV',
          description:
            "The snapshot’s children and then the unit itself, as CSV: UTF-8 with a byte-order mark (for Excel), CRLF line ends, RFC 4180 quoting. Text cells that begin with `= + - @` get a leading `'`. Not for `display` viewers.",
          parameters: windowParams,
          responses: {
            '200': {
              description: 'The CSV file, named `motcua-{code}-{window}.csv` (a desk’s `/` becomes `-`).',
              headers: {
                'X-Request-Id': requestIdHeader,
                'Content-Disposition': {
                  description: 'attachment; filename="motcua-{code}-{window}.csv"',
                  schema: { type: 'string' },
                },
              },
              content: { 'text/csv; charset=utf-8': { schema: { type: 'string' } } },
            },
            ...readErrors({ window: true, forbidden: 'Outside the viewer’s unit, or a `display` viewer.' }),
          },
        },
      },
      ...alertPaths(),
      // Issue 15: the meeting reports (Excel and PDF).
      '/api/v1/units/{code}/report.xlsx': {
        parameters: [{ $ref: '#/components/parameters/code' }],
        get: {
          tags: ['units'],
          operationId: 'unitReportXlsx',
          summary: 'The meeting report as an Excel workbook',
          description:
            'The unit over the window, read by the same functions as the JSON routes, as an .xlsx workbook with Vietnamese headers. Sheets: `Tổng hợp` (headline figures of this window and of the previous one — the previous closed period for a calendar window, else the window of the same length just before — and the change, in percentage points for shares; open and overdue dossiers are counted at the as-of time; for the on-time rate, the satisfaction rate and the 766 points the target in force as `GET …/targets` gives it — the unit’s own or inherited — with “Đạt”/“Chưa đạt” and the gap in percentage points for a share, in points for the 766 score; blank where no target is set), `Đơn vị trực thuộc` (the snapshot’s children, then the unit’s total), `Thủ tục` (per procedure, the figures of `GET …/procedures` for the same window: received, early, on time, late, unknown, on-time rate, ratings, satisfaction rate, open, overdue, due within 24 h and waiting for a supplement, then the total), `Hồ sơ quá hạn` (up to 1,000 open overdue dossiers, longest overdue first), `Đánh giá gần nhất` (a commune’s or desk’s latest 200 ratings, without citizens’ comments or dossier codes) and `Bộ chỉ số 766` (each sub-criterion, each group and the total; “chưa đo được” where not measured). Each sheet has a title row with the unit, the period and the as-of time, and a frozen header row. Figures are numbers (shares formatted as percentages), times are Excel dates in local time (UTC+7). Not for `display` viewers.',
          parameters: windowParams,
          responses: {
            '200': {
              description:
                'The workbook, named `motcua-{code}-{period or window}.xlsx` (a desk’s `/` becomes `-`).',
              headers: {
                'X-Request-Id': requestIdHeader,
                'Content-Disposition': {
                  description: 'attachment; filename="motcua-{code}-{period or window}.xlsx"',
                  schema: { type: 'string' },
                },
              },
              content: {
                'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
                  schema: { type: 'string', format: 'binary' },
                },
              },
            },
            ...readErrors({ window: true, forbidden: 'Outside the viewer’s unit, or a `display` viewer.' }),
          },
        },
      },
      '/api/v1/units/{code}/report.pdf': {
        parameters: [{ $ref: '#/components/parameters/code' }],
        get: {
          tags: ['units'],
          operationId: 'unitReportPdf',
          summary: 'The unit page’s print view as a PDF',
          description:
            'The unit page over the window in its print view (unit, period, as-of time, the charts as the page draws them, page numbers), printed on A4 by headless Chromium on the server with the viewer’s own rights. `orientation=landscape` prints across the page (default `portrait`). When no Chromium is installed (MOTCUA_CHROMIUM_PATH, default `/usr/bin/chromium`) the answer is 503 `unavailable` saying so; the Excel report (`report.xlsx`) does not need it. Not for `display` viewers.',
          parameters: [
            ...windowParams,
            {
              name: 'orientation',
              in: 'query',
              required: false,
              schema: { type: 'string', enum: ['portrait', 'landscape'], default: 'portrait' },
            },
          ],
          responses: {
            '200': {
              description: 'The PDF, named `motcua-{code}-{period or window}.pdf`.',
              headers: {
                'X-Request-Id': requestIdHeader,
                'Content-Disposition': {
                  description: 'attachment; filename="motcua-{code}-{period or window}.pdf"',
                  schema: { type: 'string' },
                },
              },
              content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
            },
            ...readErrors({
              bad: 'A wrong `window`, `from`, `to` or `orientation`; the message names it.',
              forbidden: 'Outside the viewer’s unit, or a `display` viewer.',
            }),
          },
        },
      },
      // Issue 15: scheduled digests.
      '/api/v1/report-subscriptions': {
        get: {
          tags: ['reports'],
          operationId: 'listReportSubscriptions',
          summary: 'Scheduled digests on units in the viewer’s subtree',
          description:
            'The digest subscriptions in force whose unit lies in the viewer’s subtree. City and district viewers only. Weekly digests go out on Monday at 07:30 local time (Asia/Ho_Chi_Minh) for the week before (Monday to Monday), monthly ones on the 1st at 07:30 for the month before; each (subscription, period) once, whatever the number of server processes, and missed periods (the server was down) are sent when it is back, up to 35 days back.',
          responses: {
            '200': {
              description: 'The subscriptions.',
              headers: { 'X-Request-Id': requestIdHeader },
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['items'],
                    properties: {
                      items: { type: 'array', items: { $ref: '#/components/schemas/ReportSubscription' } },
                    },
                  },
                },
              },
            },
            '401': { $ref: '#/components/responses/Unauthorized' },
            '403': errorResponse('Not a city or district viewer.', ['forbidden']),
            '500': { $ref: '#/components/responses/Internal' },
          },
        },
        post: {
          tags: ['reports'],
          operationId: 'createReportSubscription',
          summary: 'Subscribe a recipient to a digest',
          description:
            'A city or district viewer subscribes an e-mail address to a unit of its subtree. Needs the viewer token in the Authorization header (a session cookie alone is refused: another site could send it). The digest is read with this viewer’s rights; when the viewer is revoked its digests stop. The mail holds a Vietnamese summary (headline figures, change against the previous period, the units with the lowest on-time rate, overdue dossiers), the attachments and a signed unsubscribe link.',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['email', 'unit', 'period', 'format'],
                  properties: {
                    email: { type: 'string', format: 'email' },
                    unit: { type: 'string', description: 'A unit code in the viewer’s subtree.' },
                    period: { type: 'string', enum: ['weekly', 'monthly'] },
                    format: { type: 'string', enum: ['xlsx', 'pdf', 'both'] },
                  },
                },
                example: { email: 'lanh-dao@example.gov.vn', unit: '273', period: 'weekly', format: 'both' },
              },
            },
          },
          responses: {
            '201': {
              description: 'The new subscription.',
              headers: { 'X-Request-Id': requestIdHeader },
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/ReportSubscription' } },
              },
            },
            '400': errorResponse(
              'A wrong field; the message names it (`email: …`, `unit: …`, `period: …`, `format: …`).',
              ['bad_request'],
            ),
            '401': { $ref: '#/components/responses/Unauthorized' },
            '403': errorResponse('Not a city or district viewer, or the unit is outside its subtree.', [
              'forbidden',
            ]),
            '500': { $ref: '#/components/responses/Internal' },
          },
        },
      },
      '/api/v1/report-subscriptions/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
        delete: {
          tags: ['reports'],
          operationId: 'deleteReportSubscription',
          summary: 'End a digest subscription',
          description:
            'Ends a subscription on a unit in the viewer’s subtree; one elsewhere answers 404. Needs the bearer token.',
          responses: {
            '204': { description: 'Ended.', headers: { 'X-Request-Id': requestIdHeader } },
            '401': { $ref: '#/components/responses/Unauthorized' },
            '403': errorResponse('Not a city or district viewer.', ['forbidden']),
            '404': { $ref: '#/components/responses/NotFound' },
            '500': { $ref: '#/components/responses/Internal' },
          },
        },
      },
      ...healthPaths('2'),
      ...referencePaths('/api/docs'),
    },
    components: {
      schemas: dashboardComponents(),
      parameters: {
        code: {
          name: 'code',
          in: 'path',
          required: true,
          description: UNIT_CODE_DOC,
          schema: { type: 'string' },
          examples: { commune: { value: '00004' }, desk: { value: '00004/Q01' }, district: { value: '273' } },
        },
        window: {
          name: 'window',
          in: 'query',
          required: false,
          description:
            '`1h`, `today` (from local midnight), `7d`, `30d`; `week` (ISO, from Monday), `month`, `quarter`, `year` (the calendar period to date, local time); a period by its label, `2026-W44` (ISO week), `2026-10`, `2026-Q3` or `2026` (local midnight of its first day to local midnight after its last, ended now while it runs; none before 1970); or `custom` (with `from` and `to`). Give either `window` or `from`/`to`.',
          schema: {
            anyOf: [
              { type: 'string', enum: WINDOW_NAMES.filter((name) => name !== 'period') },
              { type: 'string', pattern: PERIOD_LABEL_RE.source },
            ],
            default: 'today',
          },
        },
        from: {
          name: 'from',
          in: 'query',
          required: false,
          description:
            'Start of a custom window (with `to`), RFC 3339 with an offset; floored to the minute; not before 1970-01-01T00:00:00+07:00.',
          schema: { type: 'string', format: 'date-time' },
          example: '2026-11-01T00:00:00+07:00',
        },
        to: {
          name: 'to',
          in: 'query',
          required: false,
          description:
            'End of a custom window (with `from`), at least a minute after it and at most 400 days.',
          schema: { type: 'string', format: 'date-time' },
          example: '2026-11-29T00:00:00+07:00',
        },
        step: {
          name: 'step',
          in: 'query',
          required: false,
          description: 'The step of the series.',
          schema: { type: 'string', enum: [...SERIES_STEPS], default: '15m' },
        },
        limit: {
          name: 'limit',
          in: 'query',
          required: false,
          description: 'How many dossiers to list.',
          schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
        },
      },
      responses: {
        Unauthorized: errorResponse('No valid viewer token or session.', ['unauthorized']),
        Forbidden: errorResponse('The unit is outside the viewer’s unit.', ['forbidden']),
        NotFound: errorResponse('The unit (or desk) code is unknown.', ['not_found']),
        Internal: errorResponse('An unexpected fault, logged with the request id.', ['internal']),
        Unavailable: errorResponse('The database did not answer; try again shortly.', ['unavailable']),
      },
      securitySchemes: {
        viewerToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'mcv_ + 32 characters',
          description: `A viewer token (\`Authorization: Bearer mcv_…\`), created by an operator for one unit with a role: ${VIEWER_ROLES.join(', ')}.`,
        },
        kioskToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'mkk_ + 32 characters',
          description: 'A rating kiosk’s own token, given by `/api/v1/kiosk/pair`; scoped to one desk.',
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'motcua_session',
          description:
            'The session cookie a browser gets by opening a page with `?token=<viewer token>` (30 days, renewed while in use).',
        },
      },
    },
  };
}

/** The committed files under `docs/openapi/`, by name, as `npm run openapi` writes them (before formatting). */
export function openApiFiles(): Record<string, OpenApiDocument> {
  return { 'ingest.json': ingestOpenApi(), 'dashboard.json': dashboardOpenApi() };
}
