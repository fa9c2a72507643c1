import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@motcua/client';
import type {
  ClientToServerEvents,
  DeskEvent,
  ServerToClientEvents,
  Snapshot,
  SubscribeAck,
} from '@motcua/contract';
import { type RunningDashboard, startDashboard } from '@motcua/dashboard/server';
import { createDb, createViewer, type Database, GroupCommitWriter, readUnitTree } from '@motcua/db';
import { listenIngest, RateLimiter } from '@motcua/ingest';
import { createLogger } from '@motcua/service';
import { createLoadStream } from '@motcua/simulator';
import { createTestTree, openTestDb, type TestDb, type TestTree } from '@motcua/test-helpers/db';
import { rating } from '@motcua/test-helpers/events';
import { deskKey, postBatch, startTestIngest, type TestIngest } from '@motcua/test-helpers/ingest';
import {
  killStartedServices,
  startIngestProcess,
  startService,
  stopService,
} from '@motcua/test-helpers/processes';
import { startTcpProxy, type TcpProxy } from '@motcua/test-helpers/tcp-proxy';
import { until, waitFor } from '@motcua/test-helpers/wait';
import postgres from 'postgres';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/** One HTTP answer the load saw (or a failure to get one). */
interface Call {
  /** When the request was sent and when its answer (or failure) arrived, Date.now(). */
  sentAt: number;
  at: number;
  status: number | 'network';
  retryAfter: string | null;
  /** `source id` keys of the events a 200 reported as accepted. */
  accepted: string[];
}

const keyOf = (e: { source: string; id: string }) => `${e.source} ${e.id}`;

/** fetch for the client library that records every answer (bodies go uncompressed: `gzip: false`). */
function recordingFetch(calls: Call[]): typeof fetch {
  return async (input, init) => {
    const sentAt = Date.now();
    let res: Response;
    try {
      res = await fetch(input, init);
    } catch (err) {
      calls.push({ sentAt, at: Date.now(), status: 'network', retryAfter: null, accepted: [] });
      throw err;
    }
    const call: Call = {
      sentAt,
      at: Date.now(),
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      accepted: [],
    };
    calls.push(call);
    if (res.status === 200) {
      const sent = JSON.parse(String(init?.body)) as DeskEvent[];
      const body = (await res.clone().json()) as { results: { index: number; status: string }[] };
      call.accepted = body.results.filter((r) => r.status === 'accepted').map((r) => keyOf(sent[r.index]));
    }
    return res;
  };
}

interface LoadTotals {
  sent: DeskEvent[];
  accepted: number;
  duplicates: number;
  rejected: number;
  requests: number;
  retries: number;
}

/**
 * Steady load: one desk per commune, each sending a batch every `everyMs` through
 * `@motcua/client` (backoff with jitter, Retry-After honoured). `stop()` lets every batch in
 * progress finish — retries included — and sums what the client reported per event.
 */
function startLoad(opts: {
  target: string;
  desks: { unit: string; desk: string; key: string }[];
  calls: Call[];
  batch?: number;
  everyMs?: number;
  maxBatches?: number;
}) {
  const runId = randomBytes(3).toString('hex');
  const totals: LoadTotals = { sent: [], accepted: 0, duplicates: 0, rejected: 0, requests: 0, retries: 0 };
  let stopping = false;
  const workers = opts.desks.map(async ({ unit, desk, key }, i) => {
    const stream = createLoadStream({ unit, desk, seed: i + 1, runId: `${runId}${desk}` });
    const client = createClient({
      url: opts.target,
      key,
      batchSize: opts.batch ?? 20,
      gzip: false,
      fetch: recordingFetch(opts.calls),
      baseDelayMs: 100,
      maxDelayMs: 1000,
      giveUpAfterMs: 60_000,
    });
    for (let n = 0; !stopping && n < (opts.maxBatches ?? 2000); n++) {
      const events = stream.next(opts.batch ?? 20);
      totals.sent.push(...events);
      // A full batch goes out at once, as one request; its events share their attempts.
      const results = await Promise.all(events.map((e) => client.send(e)));
      for (const r of results) {
        if (r.status === 'accepted') totals.accepted++;
        else if (r.status === 'duplicate') totals.duplicates++;
        else totals.rejected++;
      }
      totals.requests += results[0].attempts;
      totals.retries += results[0].attempts - 1;
      // Pacing, not waiting for anything: a desk sends at a steady rate.
      await new Promise((r) => setTimeout(r, opts.everyMs ?? 100));
    }
  });
  return {
    totals,
    async stop(): Promise<LoadTotals> {
      stopping = true;
      await Promise.all(workers);
      return totals;
    },
  };
}

/** What the database holds, read over a connection of its own (not through any proxy). */
async function storedEvents(url: string): Promise<{ rows: number; distinct: number; keys: Set<string> }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ source: string; id: string }[]>`select source, id from events`;
    const [{ n, d }] = await sql<{ n: number; d: number }[]>`
      select count(*)::int as n, count(distinct (source, id))::int as d from events`;
    return { rows: n, distinct: d, keys: new Set(rows.map(keyOf)) };
  } finally {
    await sql.end();
  }
}

const countWhere = (calls: Call[], test: (c: Call) => boolean) => calls.filter(test).length;
const pgPort = () => Number(new URL(process.env.DATABASE_URL as string).port || 5432);
const report = (title: string, figures: Record<string, unknown>) =>
  console.log(`[faults] ${title}: ${JSON.stringify(figures)}`);

/** Desk keys for `perCommune` desks of every commune (Q01, Q02, …). */
function createDesks(t: TestDb, tree: TestTree, perCommune: number) {
  return Promise.all(
    tree.communes.flatMap((unit) =>
      Array.from({ length: perCommune }, async (_, i) => {
        const desk = `Q${String(i + 1).padStart(2, '0')}`;
        return { unit, desk, key: await deskKey(t.db, unit, desk) };
      }),
    ),
  );
}

/** The ingest in this process, over a pool of its own that reaches Postgres through `proxy`. */
async function startProxiedIngest(t: TestDb, proxy: TcpProxy) {
  const db = await createDb({ url: proxy.urlFor(t.url as string) });
  const writer = new GroupCommitWriter(db, { notify: true });
  const ingest = await listenIngest(
    { db, writer, limiter: new RateLimiter(0, 1000), log: createLogger('silent'), retryAfterSeconds: 1 },
    { port: 0, host: '127.0.0.1' },
  );
  return {
    url: `http://127.0.0.1:${ingest.port}`,
    async close() {
      await ingest.close();
      await db.close();
    },
  };
}

/** (unit, desk) pairs that have events but no row in `desks` (the commune's desk list). */
async function desksMissing(url: string): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ unit: string; desk: string }[]>`
      select distinct e.unit_code as unit, e.desk_code as desk from events e
      where not exists (select 1 from desks d where d.unit_code = e.unit_code and d.desk_code = e.desk_code)`;
    return rows.map((r) => `${r.unit}/${r.desk}`);
  } finally {
    await sql.end();
  }
}

// Needs a Postgres server: PGlite runs inside the process, so there is no connection to cut.
// `blackhole` is a lost host or route (connects hang until postgres.js's connect_timeout, 5 s);
// `refuse` is the server process gone (connects fail at once).
describe.skipIf(!process.env.DATABASE_URL).each(['blackhole', 'refuse'] as const)(
  'database outage under load, %s (Postgres through a TCP proxy)',
  (mode) => {
    let t: TestDb;
    let tree: TestTree;
    let proxy: TcpProxy;
    let ingest: Awaited<ReturnType<typeof startProxiedIngest>>;

    beforeAll(async () => {
      t = await openTestDb('postgres');
      tree = await createTestTree(t.db, { districts: 1, communesPerDistrict: 4 });
      proxy = await startTcpProxy({ host: '127.0.0.1', port: pgPort() });
      ingest = await startProxiedIngest(t, proxy);
    });
    afterAll(async () => {
      await ingest?.close();
      await proxy?.close();
      await t?.drop();
    });

    it('answers 503 with Retry-After for 10 s, recovers by itself, and the retrying senders lose nothing', async () => {
      // 20 desks: more concurrent requests than the pool's 10 connections.
      const desks = await createDesks(t, tree, 5);
      const calls: Call[] = [];
      const load = startLoad({ target: ingest.url, desks, calls });
      await until(
        async () => (countWhere(calls, (c) => c.status === 200) >= 40 ? true : undefined),
        15_000,
        'load',
      );

      const cutAt = Date.now();
      proxy.cut(mode);
      try {
        const ready = await fetch(`${ingest.url}/readyz`);
        expect(ready.status).toBe(503);
        expect(ready.headers.get('retry-after')).toBe('1');
        // The outage itself is a fixed 10 s; nothing to await.
        await new Promise((r) => setTimeout(r, 10_000 - (Date.now() - cutAt)));
      } finally {
        proxy.restore();
      }
      const restoreAt = Date.now();

      const firstOk = await until(
        async () => calls.find((c) => c.status === 200 && c.at >= restoreAt),
        20_000,
        'a 200 after the database came back',
      );
      await until(
        async () =>
          countWhere(calls, (c) => c.status === 200 && c.sentAt > firstOk.at) >= 40 ? true : undefined,
        15_000,
        'steady 200s again',
      );
      const totals = await load.stop();

      const during = calls.filter((c) => c.at > cutAt && c.at < restoreAt);
      const unavailable = during.filter((c) => c.status === 503);
      expect(unavailable.length).toBeGreaterThan(0);
      // A request sent once the database was gone cannot commit: it gets 503. One sent before the
      // cut may have committed just before it and get its 200 after it (its events are then stored,
      // checked below), or 503; nothing else.
      const sentDuring = during.filter((c) => c.sentAt > cutAt);
      expect(sentDuring.filter((c) => c.status !== 503)).toEqual([]);
      expect(during.filter((c) => c.sentAt <= cutAt && c.status !== 200 && c.status !== 503)).toEqual([]);
      for (const c of unavailable) expect(c.retryAfter).toBe('1');

      const sentKeys = new Set(totals.sent.map(keyOf));
      const acceptedKeys = calls.flatMap((c) => c.accepted);
      const stored = await storedEvents(t.url as string);
      expect(totals.rejected).toBe(0);
      expect(stored.rows).toBe(sentKeys.size);
      expect(stored.distinct).toBe(stored.rows);
      expect([...sentKeys].filter((k) => !stored.keys.has(k))).toEqual([]);
      expect(acceptedKeys.filter((k) => !stored.keys.has(k))).toEqual([]);
      expect(new Set(acceptedKeys).size).toBe(acceptedKeys.length);
      // Each event is reported once: accepted, or duplicate when a flush answered 503 had in fact committed.
      expect(totals.accepted + totals.duplicates).toBe(sentKeys.size);
      expect(await desksMissing(t.url as string)).toEqual([]);

      const waits = calls
        .filter((c) => c.sentAt >= cutAt && c.sentAt < restoreAt)
        .map((c) => c.at - c.sentAt);
      report(`database outage (${mode})`, {
        desks: desks.length,
        sent: sentKeys.size,
        acceptedReported: totals.accepted,
        duplicatesReported: totals.duplicates,
        stored: stored.rows,
        lost: 0,
        requests: calls.length,
        retries: totals.retries,
        answersDuringOutage: during.length,
        status503DuringOutage: unavailable.length,
        status200DuringOutageSentBeforeCut: during.filter((c) => c.status === 200).length,
        longestAnswerToRequestSentInOutageMs: Math.max(...waits),
        clientTimeouts: countWhere(calls, (c) => c.status === 'network'),
        outageMs: restoreAt - cutAt,
        recoverMs: firstOk.at - restoreAt,
      });
    });
  },
);

// The connection drops at one chosen statement of a flush, rather than at a random moment.
describe.skipIf(!process.env.DATABASE_URL)('a flush cut halfway (Postgres through a TCP proxy)', () => {
  let t: TestDb;
  let tree: TestTree;
  let proxy: TcpProxy;
  let ingest: Awaited<ReturnType<typeof startProxiedIngest>>;

  beforeAll(async () => {
    t = await openTestDb('postgres');
    tree = await createTestTree(t.db, { districts: 1, communesPerDistrict: 2 });
    proxy = await startTcpProxy({ host: '127.0.0.1', port: pgPort() });
    ingest = await startProxiedIngest(t, proxy);
  });
  beforeEach(() => {
    // Fresh connections: a statement's text goes over the wire only the first time a connection prepares it.
    proxy.cut('refuse');
    proxy.restore();
  });
  afterEach(() => {
    proxy.restore();
    killStartedServices();
  });
  afterAll(async () => {
    // After a connection dropped mid-transaction postgres.js's end() waits out its 5 s timeout.
    await ingest?.close();
    await proxy?.close();
    await t?.drop();
  });

  it('at its commit: 503, nothing stored, and the new desk is recorded once the retry commits', async () => {
    const unit = tree.communes[0];
    const key = await deskKey(t.db, unit, 'Q77');
    const cut = proxy.cutWhen('server', 'commit');
    const first = await postBatch(ingest.url, key, [rating(unit, 'satisfied', { desk: 'Q77' })]);
    await cut;
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('1');
    expect((await storedEvents(t.url as string)).rows).toBe(0);
    proxy.restore();
    const retried = await postBatch(ingest.url, key, [rating(unit, 'satisfied', { desk: 'Q77' })]);
    expect(retried.body).toMatchObject({ accepted: 1 });
    // The failed flush had written the desk before its commit; the writer must not remember it as stored.
    expect(await desksMissing(t.url as string)).toEqual([]);
  });

  it('after the commit, before its answer: 503 though stored; the retry reports duplicates, stored once', async () => {
    const unit = tree.communes[1];
    const key = await deskKey(t.db, unit);
    const events = [rating(unit, 'satisfied'), rating(unit, 'unsatisfied'), rating(unit, 'very_satisfied')];
    const cut = proxy.cutWhen('client', 'COMMIT');
    const first = await postBatch(ingest.url, key, events);
    await cut;
    // The ingest cannot tell a lost commit from a lost answer: it says 503, the events are in.
    expect(first.status).toBe(503);
    const stored = await storedEvents(t.url as string);
    expect(events.filter((e) => !stored.keys.has(keyOf(e)))).toEqual([]);
    proxy.restore();
    const retried = await postBatch(ingest.url, key, events);
    expect(retried.body).toMatchObject({ accepted: 0, duplicates: 3, rejected: 0 });
    const after = await storedEvents(t.url as string);
    expect(after.rows).toBe(stored.rows);
  });

  // postgres.js 3.4.9 used to take the process down here (porsager/postgres#1154, #1208): see
  // withoutRollbackOnDrop in apps/ingest/src/writer.ts. A real CLI process, so a crash shows as an exit.
  it('between two statements: the ingest process answers 503 and keeps serving', async () => {
    const svc = await startIngestProcess(proxy.urlFor(t.url as string));
    const unit = tree.communes[1];
    const key = await deskKey(t.db, unit);
    const cut = proxy.cutWhen('server', 'pg_notify');
    const first = await postBatch(svc.ingestUrl as string, key, [rating(unit, 'satisfied')]).catch(
      (err: Error) => ({ status: `network: ${err.message}` }),
    );
    await cut;
    proxy.restore();
    const again = await postBatch(svc.ingestUrl as string, key, [rating(unit, 'satisfied')]).catch(
      (err: Error) => ({ status: `network: ${err.message}` }),
    );
    const crash = /TypeError.*/.exec(svc.output())?.[0] ?? null;
    report('flush cut between statements (child ingest)', {
      answer: first.status,
      retried: again.status,
      crash,
    });
    expect(first.status).toBe(503);
    expect(again.status).toBe(200);
    expect(svc.child.exitCode).toBeNull();
    expect(crash).toBeNull();
  });
});

// A real child process on a real Postgres database of its own: `start --only ingest` needs DATABASE_URL.
describe.skipIf(!process.env.DATABASE_URL)('ingest process crash and shutdown (Postgres)', () => {
  let t: TestDb;
  let tree: TestTree;

  beforeAll(async () => {
    t = await openTestDb('postgres');
    tree = await createTestTree(t.db, { districts: 1, communesPerDistrict: 4 });
  });
  afterEach(() => killStartedServices());
  afterAll(() => t?.drop());

  it('kill -9 mid-load: every event answered accepted is stored; after a restart the rest arrive once', async () => {
    const desks = await createDesks(t, tree, 2);
    const first = await startIngestProcess(t.url as string);
    const base = first.ingestUrl as string;
    const calls: Call[] = [];
    const load = startLoad({ target: base, desks, calls });
    await until(
      async () => (countWhere(calls, (c) => c.status === 200) >= 40 ? true : undefined),
      15_000,
      'load',
    );

    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    const exit = await first.exited;
    expect(exit.signal).toBe('SIGKILL');
    const ackedBeforeKill = calls.filter((c) => c.at <= killedAt).flatMap((c) => c.accepted);
    const afterKill = await storedEvents(t.url as string);
    expect(ackedBeforeKill.filter((k) => !afterKill.keys.has(k))).toEqual([]);

    // Same port, so the senders' retries find it again.
    const second = await startIngestProcess(t.url as string, { INGEST_PORT: new URL(base).port });
    const restartedAt = Date.now();
    await until(
      async () =>
        countWhere(calls, (c) => c.status === 200 && c.sentAt > restartedAt) >= 20 ? true : undefined,
      15_000,
      'load through the restarted ingest',
    );
    const totals = await load.stop();
    const sentKeys = new Set(totals.sent.map(keyOf));
    const stored = await storedEvents(t.url as string);
    expect(totals.rejected).toBe(0);
    expect(stored.rows).toBe(sentKeys.size);
    expect(stored.distinct).toBe(stored.rows);
    expect([...sentKeys].filter((k) => !stored.keys.has(k))).toEqual([]);
    expect(totals.accepted + totals.duplicates).toBe(sentKeys.size);

    // Re-sending what was acknowledged before the crash changes nothing.
    const acked = new Set(ackedBeforeKill);
    const keyFor = new Map(desks.map((d) => [`/units/${d.unit}/desks/${d.desk}`, d.key]));
    let resent = 0;
    for (const [source, key] of keyFor) {
      const events = totals.sent.filter((e) => e.source === source && acked.has(keyOf(e)));
      for (let i = 0; i < events.length; i += 500) {
        const r = await postBatch(second.ingestUrl as string, key, events.slice(i, i + 500));
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({
          accepted: 0,
          duplicates: events.slice(i, i + 500).length,
          rejected: 0,
        });
        resent += events.slice(i, i + 500).length;
      }
    }
    expect(resent).toBe(acked.size);
    expect((await storedEvents(t.url as string)).rows).toBe(sentKeys.size);
    const stop = await stopService(second, 'SIGTERM');
    expect(stop.code).toBe(0);

    report('kill -9', {
      sent: sentKeys.size,
      acceptedBeforeKill: acked.size,
      storedRightAfterKill: afterKill.rows,
      acceptedReported: totals.accepted,
      duplicatesReported: totals.duplicates,
      stored: stored.rows,
      lost: 0,
      networkErrors: countWhere(calls, (c) => c.status === 'network'),
      restartMs: restartedAt - killedAt,
      resentAsDuplicate: resent,
    });
  });

  it('SIGTERM: stops accepting, answers every request in flight (200 or 503), stores what it accepted, exits 0', async () => {
    const [desk] = await createDesks(t, tree, 1);
    const svc = await startIngestProcess(t.url as string);
    const base = svc.ingestUrl as string;
    const stream = createLoadStream({
      unit: desk.unit,
      desk: desk.desk,
      seed: 7,
      runId: randomBytes(3).toString('hex'),
    });
    const requests = Array.from({ length: 40 }, () => stream.next(250));
    const answers: { status: number | string; events: DeskEvent[]; accepted: string[] }[] = [];
    let answered = 0;
    let signalAt = 0;
    const inFlight = requests.map(async (events) => {
      try {
        const r = await postBatch(base, desk.key, events);
        answered++;
        const results = (r.body.results ?? []) as { index: number; status: string }[];
        const accepted = results.filter((x) => x.status === 'accepted').map((x) => keyOf(events[x.index]));
        if (r.status === 503) expect(r.headers.get('retry-after')).toBeTruthy();
        answers.push({ status: r.status, events, accepted });
      } catch (err) {
        answers.push({
          status: `network: ${(err as Error).cause ?? (err as Error).message} at +${Date.now() - signalAt} ms`,
          events,
          accepted: [],
        });
      }
    });
    await until(async () => (answered > 0 ? true : undefined), 15_000, 'the first answer');
    signalAt = Date.now();
    const stopping = stopService(svc, 'SIGTERM');
    const answeredAtSignal = answered;
    await svc.printed(/SIGTERM: stopping/);
    // Nothing new is taken once stopping: refused, or a 503 while it drains.
    const late = rating(desk.unit, 'satisfied', { desk: desk.desk });
    const lateAnswer = await postBatch(base, desk.key, [late]).then(
      (r) => r.status,
      () => 'refused',
    );
    await Promise.all(inFlight);
    const exit = await stopping;

    expect(answers.map((a) => a.status).filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(['refused', 503]).toContain(lateAnswer);
    expect(exit.code).toBe(0);
    expect(exit.ms).toBeLessThan(10_000);
    const stored = await storedEvents(t.url as string);
    const accepted = answers.flatMap((a) => a.accepted);
    expect(accepted.filter((k) => !stored.keys.has(k))).toEqual([]);
    // A 503 means nothing of that request was stored.
    const of503 = answers.filter((a) => a.status === 503).flatMap((a) => a.events.map(keyOf));
    expect(of503.filter((k) => stored.keys.has(k))).toEqual([]);
    expect(stored.keys.has(keyOf(late))).toBe(false);

    report('SIGTERM (Postgres)', {
      requests: requests.length,
      answeredBeforeSignal: answeredAtSignal,
      ok200: answers.filter((a) => a.status === 200).length,
      unavailable503: answers.filter((a) => a.status === 503).length,
      hangUps: answers.filter((a) => typeof a.status === 'string').length,
      requestAfterStopping: lateAnswer,
      acceptedEvents: accepted.length,
      storedOfThese: requests.flat().filter((e) => stored.keys.has(keyOf(e))).length,
      exitCode: exit.code,
      exitMs: exit.ms,
    });
  });
});

describe('npm start (embedded PGlite) on SIGTERM', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-faults-'));
  afterAll(() => {
    killStartedServices();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('start --no-demo stops and exits 0', async () => {
    const svc = await startService(['start', '--no-demo'], {
      DATABASE_URL: undefined,
      MOTCUA_DATA_DIR: dataDir,
      INGEST_PORT: '0',
      DASHBOARD_PORT: '0',
    });
    expect((await fetch(`${svc.ingestUrl}/readyz`)).status).toBe(200);
    const exit = await stopService(svc, 'SIGTERM');
    expect(exit.code).toBe(0);
    expect(svc.output()).toContain('stopped.');
    report('SIGTERM (PGlite npm start)', {
      ready: /Ready in \S+ s/.exec(svc.output())?.[0],
      exitCode: exit.code,
      exitMs: exit.ms,
    });
  });
});

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The next `event` on a client that passes `test`. */
function next<E extends keyof ServerToClientEvents>(
  c: Client,
  event: E,
  test: (arg: Parameters<ServerToClientEvents[E]>[0]) => boolean = () => true,
  ms = 10_000,
) {
  type Arg = Parameters<ServerToClientEvents[E]>[0];
  return waitFor<Arg>(
    (deliver) => {
      const listener = ((arg: Arg) => deliver(arg)) as never;
      c.on(event, listener);
      return () => c.off(event, listener);
    },
    test,
    ms,
    `a ${event} event`,
  );
}

const subscribe = (c: Client, unit: string, window = '1h'): Promise<SubscribeAck> =>
  c.timeout(10_000).emitWithAck('subscribe', { unit, window });
const total = (s: Snapshot) => s.metrics.satisfaction.total;

// The dashboard reaches Postgres through the proxy (LISTEN included); the ingest writes directly,
// so changes keep coming while the dashboard's database is away. Postgres only: PGlite has no connection to cut.
describe.skipIf(!process.env.DATABASE_URL)('live hub resilience (Postgres through a TCP proxy)', () => {
  let t: TestDb;
  let tree: TestTree;
  let proxy: TcpProxy;
  let dashDb: Database;
  let dashboard: RunningDashboard;
  let ingest: TestIngest;
  let token: string;
  let key: string;
  const clients: Client[] = [];

  const connect = (transports: ('websocket' | 'polling')[] = ['websocket']): Client => {
    const c: Client = io(`http://127.0.0.1:${dashboard.port}`, {
      path: '/socket.io',
      auth: { token },
      transports,
      upgrade: false,
      reconnection: false,
    });
    clients.push(c);
    return c;
  };
  const post = async (n: number) => {
    const r = await postBatch(
      ingest.url,
      key,
      Array.from({ length: n }, () => rating(tree.communes[0], 'satisfied')),
    );
    expect(r.body.accepted).toBe(n);
  };

  beforeAll(async () => {
    t = await openTestDb('postgres');
    tree = await createTestTree(t.db);
    proxy = await startTcpProxy({ host: '127.0.0.1', port: pgPort() });
    dashDb = await createDb({ url: proxy.urlFor(t.url as string) });
    dashboard = await startDashboard({
      db: dashDb,
      tree: await readUnitTree(t.db),
      port: 0,
      host: '127.0.0.1',
      listen: true,
    });
    ingest = await startTestIngest(t.db, { notify: true });
    token = (await createViewer(t.db, { role: 'city', unit: tree.city, label: 'faults' })).token;
    key = await deskKey(t.db, tree.communes[0]);
  });
  afterEach(() => {
    if (proxy.isCut) proxy.restore();
    for (const c of clients.splice(0)) c.disconnect();
  });
  afterAll(async () => {
    await ingest?.close();
    await dashboard?.close();
    await dashDb?.close();
    await proxy?.close();
    await t?.drop();
  });

  it('tells a subscriber its numbers are stale while the database is away, then resumes on the same connection', async () => {
    const c = connect();
    const disconnects: string[] = [];
    c.on('disconnect', (reason) => disconnects.push(reason));
    const base = total((await subscribe(c, tree.city)) as Snapshot);
    const id = c.id;
    const live = next(c, 'metrics', (s) => total(s) === base + 2);
    await post(2);
    await live;

    const stale = next(c, 'stale', () => true, 9_000);
    const cutAt = Date.now();
    proxy.cut('blackhole');
    const staleInfo = await stale;
    const staleMs = Date.now() - cutAt;
    // Written while the dashboard cannot hear about it: its NOTIFY goes to a LISTEN that is gone.
    await post(3);
    await new Promise((r) => setTimeout(r, 10_000 - (Date.now() - cutAt)));
    const resumed = next(c, 'metrics', (s) => total(s) === base + 5, 20_000);
    const restoreAt = Date.now();
    proxy.restore();
    await resumed;
    const resumeMs = Date.now() - restoreAt;
    // And the signal path is back: a new event shows up without waiting for the periodic refresh.
    const signalled = next(c, 'metrics', (s) => total(s) === base + 6, 30_000);
    const postAt = Date.now();
    await post(1);
    await signalled;
    const signalMs = Date.now() - postAt;

    expect(staleInfo.unit).toBe(tree.city);
    expect(disconnects).toEqual([]);
    expect(c.connected).toBe(true);
    expect(c.id).toBe(id);
    report('live hub outage', {
      staleMs,
      resumeMs,
      signalAfterRestoreMs: signalMs,
      disconnects: disconnects.length,
    });
  });

  it('skips a client that stopped reading, and the others get every update', async () => {
    const fast = connect();
    const slow = connect(['polling']);
    const base = total((await subscribe(fast, tree.city)) as Snapshot);
    expect(total((await subscribe(slow, tree.city)) as Snapshot)).toBe(base);
    // What each client actually received, in order (the slow one's heartbeats too: they queue with the rest).
    const fastGot: number[] = [];
    const slowGot: (number | 'ping')[] = [];
    fast.on('metrics', (s) => fastGot.push(total(s)));
    slow.on('metrics', (s) => slowGot.push(total(s)));
    slow.io.engine.on('ping', () => slowGot.push('ping'));

    // The slow client stops polling: from now on everything the server sends it waits on the server.
    const transport = slow.io.engine.transport as unknown as {
      pause(onPause: () => void): void;
      readyState: string;
      _poll(): void;
    };
    const paused = new Promise<void>((resolve) => transport.pause(resolve));
    // The poll it has open is answered by the next packet (the first update), then it stops asking.
    const first = next(fast, 'metrics', (s) => total(s) === base + 1);
    await post(1);
    await first;
    await paused;
    const readBeforePause = [...slowGot];
    expect([[], [base + 1]]).toContainEqual(readBeforePause);

    const UPDATES = 16;
    const latencies: number[] = [];
    for (let i = 2; i <= UPDATES; i++) {
      const update = next(fast, 'metrics', (s) => total(s) === base + i);
      const at = Date.now();
      await post(1);
      await update;
      latencies.push(Date.now() - at);
    }
    // The fast client got every update, once each and in order, while the slow one was stuck.
    expect(fastGot).toEqual(Array.from({ length: UPDATES }, (_, i) => base + 1 + i));
    expect(slowGot).toEqual(readBeforePause);

    // The slow client reads again, and one more update follows once it has drained.
    transport.readyState = 'open';
    transport._poll();
    const last = base + UPDATES + 1;
    const resumed = next(slow, 'metrics', (s) => total(s) === last);
    await post(1);
    await resumed;
    const afterPause = slowGot.slice(readBeforePause.length, -1);
    const queued = afterPause.filter((x): x is number => x !== 'ping');
    const pings = afterPause.filter((x) => x === 'ping').length;
    // The hub pushes to a client only while at most 8 packets wait for it, so exactly 9 were queued
    // (the 9th made it 9 > 8): the next 9 updates in order and none of the rest. A heartbeat queued
    // meanwhile (none, unless the test ran past engine.io's 25 s ping interval) takes a place.
    const from = base + 1 + readBeforePause.length;
    expect(queued).toEqual(Array.from({ length: queued.length }, (_, i) => from + i));
    expect(queued.length).toBeLessThanOrEqual(9);
    expect(queued.length).toBeGreaterThanOrEqual(9 - pings);
    expect(slowGot.at(-1)).toBe(last);
    expect(fastGot.at(-1)).toBe(last);
    latencies.sort((a, b) => a - b);
    report('slow client', {
      updates: UPDATES,
      fastP50Ms: latencies[latencies.length >> 1],
      fastMaxMs: latencies.at(-1),
      slowQueued: queued.length,
      slowPings: pings,
    });
  });
});
