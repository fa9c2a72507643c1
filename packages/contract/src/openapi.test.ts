import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileErrors, validate } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, validateEvent } from './events.ts';
import { dashboardOpenApi, ingestOpenApi, type OpenApiDocument, openApiFiles } from './openapi.ts';
import { meSchema, snapshotSchema } from './read.ts';

const DOCS_DIR = join(import.meta.dirname, '..', '..', '..', 'docs', 'openapi');
type Json = Record<string, unknown>;

/** The JSON pointer of the first place where two JSON values differ (key order counts), or null. */
function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (a === b) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return path || '/';
  if (Array.isArray(a) !== Array.isArray(b)) return path || '/';
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
    if (ka[i] !== kb[i]) return `${path}/${ka[i] ?? kb[i]}`;
    const d = firstDifference(
      (a as Json)[ka[i]],
      (b as Json)[ka[i]],
      `${path}/${ka[i].replaceAll('/', '~1')}`,
    );
    if (d !== null) return d;
  }
  return null;
}

async function validationErrors(doc: OpenApiDocument): Promise<string | null> {
  // validate() resolves $refs in place: give it a copy.
  const result = await validate(structuredClone(doc) as never);
  if (!result.valid) return compileErrors(result);
  if (result.warnings.length > 0) return compileErrors(result);
  return null;
}

/** Ajv over one whole document: a schema anywhere in it is reached by its JSON pointer. */
function schemaValidator(doc: OpenApiDocument, id: string) {
  // Unknown keywords are errors (a typo would otherwise be a schema that allows anything), but
  // OpenAPI's own `discriminator` and `example`, and the document's members (which hold the
  // schemas reached by pointer).
  const ajv = new Ajv2020({ strict: false, strictSchema: true, allErrors: true });
  for (const keyword of ['discriminator', 'example', ...Object.keys(doc)]) ajv.addKeyword(keyword);
  addFormats.default(ajv);
  ajv.addSchema({ ...doc, $id: id });
  return (pointer: string, value: unknown): string | null => {
    const check = ajv.getSchema(`${id}#${pointer}`);
    if (!check) throw new Error(`no schema at ${pointer}`);
    return check(value) ? null : ajv.errorsText(check.errors);
  };
}

const pointerPart = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');

/** Every response example of a document: where its schema is, and the example's value. */
function responseExamples(doc: OpenApiDocument) {
  const out: { where: string; schema: string; value: unknown }[] = [];
  const visit = (responses: Json, base: string) => {
    for (const [status, response] of Object.entries(responses)) {
      const content = (response as { content?: Record<string, Json> }).content ?? {};
      for (const [type, media] of Object.entries(content)) {
        const schema = `${base}/${pointerPart(status)}/content/${pointerPart(type)}/schema`;
        if ('example' in media)
          out.push({ where: `${base} ${status} example`, schema, value: media.example });
        for (const [name, ex] of Object.entries(
          (media.examples ?? {}) as Record<string, { value: unknown }>,
        )) {
          out.push({ where: `${base} ${status} ${name}`, schema, value: ex.value });
        }
      }
    }
  };
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (method === 'parameters') continue;
      visit((op as { responses: Json }).responses, `/paths/${pointerPart(path)}/${method}/responses`);
    }
  }
  visit(doc.components.responses ?? {}, '/components/responses');
  return out;
}

describe('the committed documents', () => {
  it.each(Object.entries(openApiFiles()))('docs/openapi/%s is what the code generates', (name, generated) => {
    const committed = JSON.parse(readFileSync(join(DOCS_DIR, name), 'utf8'));
    const at = firstDifference(committed, generated);
    if (at !== null) {
      throw new Error(
        `docs/openapi/${name} differs from the generated document (first at ${at}): run \`npm run openapi\` and commit it`,
      );
    }
  });
});

describe('the documents are valid OpenAPI 3.1 (@readme/openapi-parser)', () => {
  it.each([
    ['ingest', ingestOpenApi()],
    ['dashboard', dashboardOpenApi()],
  ])('%s', async (_name, doc) => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(await validationErrors(doc)).toBeNull();
  });

  it('the validator is not a yes-man: it refuses a broken document', async () => {
    const badRef = ingestOpenApi();
    badRef.paths['/v1/events'].post.responses['200'].content['application/json'].schema = {
      $ref: '#/components/schemas/Nope',
    };
    expect(await validationErrors(badRef)).toMatch(/Missing \$ref pointer "#\/components\/schemas\/Nope"/);
    const badPath = ingestOpenApi();
    badPath.paths['/v1/whoami/{x}'] = badPath.paths['/v1/whoami'];
    expect(await validationErrors(badPath)).toMatch(/missing path parameter\(s\) for `\{x\}`/);
  });
});

describe('the ingest document', () => {
  const doc = ingestOpenApi();
  const post = doc.paths['/v1/events'].post;
  const check = schemaValidator(doc, 'ingest');

  it('describes the three content modes, one schema per event type, and the security scheme', () => {
    expect(Object.keys(post.requestBody.content)).toEqual([
      'application/cloudevents+json',
      'application/cloudevents-batch+json',
      'application/json',
    ]);
    expect(doc.components.schemas.CloudEvent.oneOf).toHaveLength(EVENT_TYPES.length);
    expect(Object.keys(doc.components.schemas.CloudEvent.discriminator.mapping)).toEqual(EVENT_TYPES);
    expect(post.parameters.map((p: { name?: string }) => p.name)).toEqual(
      expect.arrayContaining([
        'ce-specversion',
        'ce-id',
        'ce-source',
        'ce-type',
        'ce-time',
        'Content-Encoding',
      ]),
    );
    expect(post.security).toEqual([{ deskKey: [] }]);
    expect(doc.components.securitySchemes.deskKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs']) {
      expect(doc.paths[path].get.security).toEqual([]);
    }
  });

  it('every request example says its status, and the answer is the response example of the same name', () => {
    let count = 0;
    for (const [type, media] of Object.entries<Json>(post.requestBody.content)) {
      for (const [name, ex] of Object.entries<Json>(media.examples as Record<string, Json>)) {
        const status = ex['x-expected-status'];
        expect(status, `${type} ${name}`).toBeTypeOf('number');
        const answer = post.responses[String(status)].content['application/json'].examples[name];
        expect(answer, `${type} ${name}: no ${status} response example of that name`).toBeDefined();
        count++;
      }
    }
    expect(count).toBeGreaterThanOrEqual(10);
  });

  it('the schema of an event agrees with validateEvent on every example event', () => {
    const now = Date.now();
    for (const type of ['application/cloudevents+json', 'application/cloudevents-batch+json']) {
      for (const [name, ex] of Object.entries<{ value: unknown }>(post.requestBody.content[type].examples)) {
        const events = Array.isArray(ex.value) ? ex.value : [ex.value];
        for (const event of events) {
          const schemaSays = check('/components/schemas/CloudEvent', event);
          const codeSays = validateEvent(event, now);
          expect(schemaSays === null, `${name}: schema ${schemaSays}, code ${JSON.stringify(codeSays)}`).toBe(
            codeSays.ok,
          );
        }
      }
    }
    const binary = post.requestBody.content['application/json'].examples.binaryResolved.value;
    expect(check('/components/schemas/EventData', binary)).toBeNull();
  });

  it('every schema compiles under Ajv strict schema rules', () => {
    for (const name of Object.keys(doc.components.schemas)) {
      expect(() => check(`/components/schemas/${name}`, null), name).not.toThrow();
    }
    const typo = ingestOpenApi();
    typo.components.schemas.Error.properties.error.minLenght = 1;
    expect(() => schemaValidator(typo, 'typo')('/components/schemas/Error', null)).toThrow(/minLenght/);
  });

  it('every response example fits its schema', () => {
    const examples = responseExamples(doc);
    expect(examples.length).toBeGreaterThan(15);
    for (const { where, schema, value } of examples) expect(check(schema, value), where).toBeNull();
  });

  it('the schemas refuse what the contract refuses', () => {
    const event = post.requestBody.content['application/cloudevents+json'].examples.rating.value;
    expect(check('/components/schemas/CloudEvent', event)).toBeNull();
    expect(check('/components/schemas/CloudEvent', { ...event, data: { level: 'ok' } })).not.toBeNull();
    expect(
      check('/components/schemas/CloudEvent', { ...event, data: { ...event.data, name: 'A' } }),
    ).not.toBeNull();
    expect(check('/components/schemas/CloudEvent', { ...event, Ext: 1 })).not.toBeNull();
    expect(check('/components/schemas/CloudEvent', { ...event, ext: {} })).not.toBeNull();
    expect(check('/components/schemas/CloudEvent', { ...event, ext: 'ok' })).toBeNull();
    expect(check('/components/schemas/CloudEventBatch', [])).not.toBeNull();
    expect(check('/components/schemas/EventsReport', { accepted: 0 })).not.toBeNull();
  });
});

describe('the dashboard document', () => {
  const doc = dashboardOpenApi();
  const check = schemaValidator(doc, 'dashboard');

  it('has every read route, with viewer token or session', () => {
    const routes = Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/'));
    expect(routes).toEqual([
      // The rating kiosk (docs/admin.md): its own pairing credential, not a viewer's.
      '/api/v1/kiosk/pair',
      '/api/v1/kiosk/me',
      '/api/v1/kiosk/ratings',
      '/api/v1/me',
      '/api/v1/units/{code}/metrics',
      '/api/v1/units/{code}/series',
      '/api/v1/units/{code}/info',
      '/api/v1/units/{code}/heatmap',
      '/api/v1/units/{code}/overdue',
      '/api/v1/units/{code}/ratings',
      '/api/v1/units/{code}/scorecard',
      '/api/v1/units/{code}/scorecard/league',
      '/api/v1/units/{code}/compare',
      '/api/v1/units/{code}/months',
      '/api/v1/units/{code}/targets',
      '/api/v1/units/{code}/annotations',
      '/api/v1/units/{code}/annotations/{id}',
      '/api/v1/units/{code}/procedures',
      '/api/v1/units/{code}/dossiers',
      '/api/v1/units/{code}/scorecard.csv',
      '/api/v1/units/{code}/export.csv',
      // Alerts (issue 13)
      '/api/v1/units/{code}/alerts',
      '/api/v1/alerts/{id}',
      '/api/v1/alerts/{id}/acknowledge',
      '/api/v1/alerts/{id}/close',
      '/api/v1/units/{code}/alert-rules',
      '/api/v1/units/{code}/webhooks',
      '/api/v1/units/{code}/email-recipients',
      '/api/v1/webhooks/{id}',
      '/api/v1/email-recipients/{id}',
      '/api/v1/units/{code}/desk-health',
      // Issue 15: reports and digests.
      '/api/v1/units/{code}/report.xlsx',
      '/api/v1/units/{code}/report.pdf',
      '/api/v1/report-subscriptions',
      '/api/v1/report-subscriptions/{id}',
    ]);
    expect(Object.keys(doc.webhooks)).toEqual(['alertChanged']);
    expect(doc.security).toEqual([{ viewerToken: [] }, { session: [] }]);
    expect(doc.components.securitySchemes.session).toMatchObject({ in: 'cookie', name: 'motcua_session' });
    expect(Object.keys(doc.paths['/api/v1/units/{code}/export.csv'].get.responses['200'].content)).toEqual([
      'text/csv; charset=utf-8',
    ]);
  });

  it('every response example fits its schema, and the zod schema it came from', () => {
    for (const { where, schema, value } of responseExamples(doc))
      expect(check(schema, value), where).toBeNull();
    const ok = (p: string) => doc.paths[p].get.responses['200'].content['application/json'].example;
    expect(() => snapshotSchema.parse(ok('/api/v1/units/{code}/metrics'))).not.toThrow();
    expect(() => meSchema.parse(ok('/api/v1/me'))).not.toThrow();
  });
});
