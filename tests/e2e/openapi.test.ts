import {
  annotationListSchema,
  comparisonSchema,
  dossierListSchema,
  heatmapSchema,
  meSchema,
  monthlyTrendSchema,
  overdueListSchema,
  procedureListSchema,
  ratingListSchema,
  scorecardLeagueSchema,
  scorecardSchema,
  seriesSchema,
  snapshotSchema,
  unitInfoSchema,
  unitTargetsSchema,
} from '@motcua/contract';
import { dashboardOpenApi, ingestOpenApi, type OpenApiDocument } from '@motcua/contract/openapi';
import { launchChromium } from '@motcua/test-helpers/browser';
import { rating, received } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { apiGet, startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';

/** Parses a Content-Security-Policy into directive → sources. */
function parseCsp(header: string | null): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of (header ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out[name.toLowerCase()] = sources;
  }
  return out;
}

/** Operations (method + path) of a document, as Swagger UI lists them. */
// Swagger UI draws every operation of the paths and of the webhooks (the alert payload).
const operationCount = (doc: OpenApiDocument) =>
  [
    ...Object.values<Record<string, unknown>>(doc.paths),
    ...Object.values<Record<string, unknown>>(doc.webhooks ?? {}),
  ].reduce((n, item) => n + Object.keys(item).filter((k) => k !== 'parameters').length, 0);

/** The zod schema each documented read answer is made from, by its component name. */
const READ_SCHEMAS: Record<string, z.ZodType> = {
  Me: meSchema,
  Snapshot: snapshotSchema,
  Series: seriesSchema,
  UnitInfo: unitInfoSchema,
  Heatmap: heatmapSchema,
  OverdueList: overdueListSchema,
  RatingList: ratingListSchema,
  Scorecard: scorecardSchema,
  ScorecardLeague: scorecardLeagueSchema,
  Comparison: comparisonSchema,
  MonthlyTrend: monthlyTrendSchema,
  UnitTargets: unitTargetsSchema,
  AnnotationList: annotationListSchema,
  ProcedureList: procedureListSchema,
  DossierList: dossierListSchema,
};

describe('OpenAPI documents and reference pages of the running services', () => {
  let s: TestSystem;
  let commune: string;
  let token: string;
  let browser: Browser | null = null;

  beforeAll(async () => {
    s = await startTestSystem('pglite', { city: '75' });
    commune = s.tree.communes[0];
    token = await s.viewer('commune', commune);
    const key = await s.deskKey(commune);
    const now = Date.now();
    const res = await postBatch(s.ingestUrl, key, [
      rating(commune, 'satisfied', {}, { comment: 'Nhanh gọn' }),
      rating(commune, 'very_satisfied', { desk: 'Q02' }),
      received(commune, 'HS-1', now - 3_600_000, { time: now - 7_200_000 }),
    ]);
    expect(res.body).toMatchObject({ accepted: 3 });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('the ingest serves ingestOpenApi() at /openapi.json, without a key', async () => {
    const res = await fetch(`${s.ingestUrl}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.text()).toBe(JSON.stringify(ingestOpenApi()));
  });

  it('the dashboard serves dashboardOpenApi() at /openapi.json, without a token', async () => {
    const res = await fetch(`${s.dashboardUrl}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(parseCsp(res.headers.get('content-security-policy'))['default-src']).toEqual(["'none'"]);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe(JSON.stringify(dashboardOpenApi()));
  });

  it('the dashboard serves /api/docs and its files under a policy that allows only what the page needs', async () => {
    const res = await fetch(`${s.dashboardUrl}/api/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(parseCsp(res.headers.get('content-security-policy'))).toEqual({
      'default-src': ["'none'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:'],
      'font-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
      'frame-ancestors': ["'none'"],
    });
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const html = await res.text();
    const scripts = [...html.matchAll(/<script src="([^"]+)"><\/script>/g)].map((m) => m[1]);
    expect(scripts).toEqual(['/api/docs/swagger-ui-bundle.js', '/api/docs/init.js']);
    for (const path of [...scripts, '/api/docs/swagger-ui.css']) {
      const file = await fetch(`${s.dashboardUrl}${path}`);
      expect(file.status, path).toBe(200);
      expect(file.headers.get('content-type'), path).toMatch(/^text\/(javascript|css); charset=utf-8$/);
    }
    const head = await fetch(`${s.dashboardUrl}/api/docs`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    // Nothing else under /api/docs comes from node_modules.
    expect((await fetch(`${s.dashboardUrl}/api/docs/index.html`)).status).toBe(404);
    expect((await fetch(`${s.dashboardUrl}/api/docs/../package.json`)).status).toBe(404);
  });

  it.each([
    ['ingest', '/docs', () => s.ingestUrl, ingestOpenApi],
    ['dashboard', '/api/docs', () => s.dashboardUrl, dashboardOpenApi],
  ])(
    'Chromium renders the %s reference page: every operation, no CSP or script error',
    async (_name, path, base, doc) => {
      browser ??= await launchChromium();
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      const outside: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(base()) && !r.url().startsWith('data:')) outside.push(r.url());
      });
      try {
        await page.goto(`${base()}${path}`);
        await page.waitForSelector('.opblock', { timeout: 30_000 });
        expect(await page.locator('.opblock').count()).toBe(operationCount(doc()));
        expect(await page.locator('.info .title').textContent()).toContain(doc().info.title);
        // Open every operation: examples, schemas and their highlighting render too.
        for (const summary of await page.locator('.opblock-summary-control').all()) await summary.click();
        await expect
          .poll(() => page.locator('.opblock-body').count(), { timeout: 30_000 })
          .toBe(await page.locator('.opblock').count());
        // And the schemas of the components: all listed, the first few opened all the way down.
        await page.locator('.models-control').click();
        const expand = page.locator('.models .json-schema-2020-12-expand-deep-button');
        await expand.first().waitFor();
        expect(await expand.count()).toBe(Object.keys(doc().components.schemas).length);
        for (const button of (await expand.all()).slice(0, 3)) await button.click();
        // And "Try it out" of the first operation, which fills in its parameters and example.
        await page.locator('.try-out__btn').first().click();
        await page.locator('.execute').first().waitFor();
        expect(problems).toEqual([]);
        expect(outside).toEqual([]);
      } finally {
        await page.close();
      }
    },
    // Opening each of the dashboard's ~50 operations and its schemas takes Chromium a while.
    300_000,
  );

  it('every read route answers what its document says, for a unit and for a desk (slash as is, or %2F)', async () => {
    const doc = dashboardOpenApi();
    let checked = 0;
    for (const [template, item] of Object.entries<Record<string, { responses: Record<string, unknown> }>>(
      doc.paths,
    )) {
      if (!template.startsWith('/api/v1/') || !item.get) continue;
      // Issue 15: the digest subscriptions are not a read of a unit (city/district viewers, own test).
      if (template.startsWith('/api/v1/report-subscriptions')) continue;
      // The kiosk's routes take a kiosk's own token, not a viewer's (tests/e2e/kiosk.test.ts).
      if (template.startsWith('/api/v1/kiosk/')) continue;
      // Alerts and their settings (tests/e2e/alerts.test.ts) and the report files (reports.test.ts)
      // are checked against their documents in their own tests, with the data they need.
      if (
        /\/(alerts|alert-rules|webhooks|email-recipients|desk-health)(\/|$)|\/report\.(xlsx|pdf)$/.test(
          template,
        )
      )
        continue;
      const ok = item.get.responses['200'] as { content: Record<string, { schema: { $ref?: string } }> };
      const media = Object.keys(ok.content)[0];
      const codes = template.includes('{code}') ? [commune, `${commune}/Q01`, `${commune}%2FQ01`] : [''];
      for (const code of codes) {
        // The dossier list needs its one required parameter.
        const path = template.replace('{code}', code) + (template.endsWith('/dossiers') ? '?kind=open' : '');
        const res = await apiGet(s.dashboardUrl, path, token);
        expect(res.status, `${path}: ${res.text.slice(0, 200)}`).toBe(200);
        expect(res.headers.get('content-type'), path).toBe(
          media === 'application/json' ? 'application/json' : media,
        );
        if (media !== 'application/json') continue;
        const name = (ok.content[media].schema.$ref ?? '').split('/').pop() as string;
        const schema = READ_SCHEMAS[name];
        expect(schema, `${path}: no zod schema for ${name}`).toBeDefined();
        // The schema accepts it, and has a place for every field (parsing drops unknown ones).
        expect(schema.parse(res.body), path).toEqual(res.body);
        if (code.includes('Q01'))
          expect((res.body as { unit?: { code: string } }).unit?.code).toBe(`${commune}/Q01`);
        checked++;
      }
    }
    expect(checked).toBe(1 + 14 * 3);
  });
});
