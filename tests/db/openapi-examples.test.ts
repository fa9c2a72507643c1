import { gzipSync } from 'node:zlib';
import { errorEnvelopeSchema, eventsReportSchema } from '@motcua/contract';
import { ingestOpenApi } from '@motcua/contract/openapi';
import { schema } from '@motcua/db';
import { createTestTree, DB_KINDS, openTestDb, type TestDb } from '@motcua/test-helpers/db';
import { deskKey, startTestIngest, type TestIngest } from '@motcua/test-helpers/ingest';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Json = Record<string, unknown>;
interface Example {
  summary?: string;
  value: unknown;
  'x-expected-status': number;
}
interface Parameter {
  name: string;
  in: string;
  examples?: Record<string, { value: string }>;
}

const doc = ingestOpenApi();
const post = doc.paths['/v1/events'].post;
const parameters = post.parameters as Parameter[];

/** Every example of the request body, with the headers its same-named parameter examples add. */
const cases = Object.entries<{ examples: Record<string, Example> }>(post.requestBody.content).flatMap(
  ([contentType, media]) =>
    Object.entries(media.examples).map(([name, example]) => {
      const headers: Record<string, string> = { 'content-type': contentType };
      for (const p of parameters) {
        const value = p.in === 'header' ? p.examples?.[name]?.value : undefined;
        if (value !== undefined) headers[p.name.toLowerCase()] = value;
      }
      return { name, contentType, example, headers };
    }),
);

/** The documented answer to an example: its status's response example of the same name. */
function documentedAnswer(name: string, status: number): Json {
  const answer = post.responses[String(status)]?.content?.['application/json']?.examples?.[name];
  if (!answer) throw new Error(`the document has no ${status} response example named ${name}`);
  return answer.value as Json;
}

// The examples are written for a key of desk 00004/Q01 (commune 00004 of city 00, district 000).
describe.each(DB_KINDS)(
  'the ingest answers every POST /v1/events example as its document says (%s)',
  (kind) => {
    let t: TestDb;
    let ingest: TestIngest;
    let key: string;

    beforeAll(async () => {
      t = await openTestDb(kind);
      const tree = await createTestTree(t.db, { city: '00', districts: 1, communesPerDistrict: 5 });
      expect(tree.communes).toContain('00004');
      ingest = await startTestIngest(t.db);
      key = await deskKey(t.db, '00004', 'Q01');
    });
    afterAll(async () => {
      await ingest?.close();
      await t?.drop();
    });

    it('has examples of every mode, of 200, 400 and 403', () => {
      expect(new Set(cases.map((c) => c.contentType)).size).toBe(3);
      expect(new Set(cases.map((c) => c.example['x-expected-status']))).toEqual(new Set([200, 400, 403]));
      expect(cases.some((c) => c.headers['ce-specversion'])).toBe(true);
      expect(cases.some((c) => c.headers['content-encoding'] === 'gzip')).toBe(true);
    });

    it.each(cases)('$contentType $name', async ({ name, example, headers }) => {
      const json = JSON.stringify(example.value);
      const body = headers['content-encoding'] === 'gzip' ? gzipSync(json) : json;
      const res = await fetch(`${ingest.url}/v1/events`, {
        method: 'POST',
        headers: { ...headers, authorization: `Bearer ${key}` },
        body,
      });
      const status = example['x-expected-status'];
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const answer = (await res.json()) as Json;
      expect(res.status, JSON.stringify(answer)).toBe(status);

      // The documented answer, but for the request id, which is the answer's own.
      const expected = structuredClone(documentedAnswer(name, status));
      const requestId = res.headers.get('x-request-id');
      if (expected.error) (expected.error as Json).requestId = requestId;
      expect(answer).toEqual(expected);

      // And it has the documented shape (the contract's schemas the document is made from).
      if (status === 200) eventsReportSchema.parse(answer);
      else if ('results' in answer) eventsReportSchema.and(errorEnvelopeSchema).parse(answer);
      else errorEnvelopeSchema.parse(answer);
    });

    it('stored exactly the accepted events', async () => {
      const accepted = cases.reduce((n, c) => {
        if (c.example['x-expected-status'] !== 200) return n;
        return n + ((documentedAnswer(c.name, 200).accepted as number) ?? 0);
      }, 0);
      const rows = await t.db.query<{ n: number }>(
        sql`select count(*)::int as n from ${schema.events} where unit_code = '00004'`,
      );
      expect(rows[0].n).toBe(accepted);
    });
  },
);
