import { createHash } from 'node:crypto';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeAck } from '@motcua/contract';
import { createDeskKey, createViewer, prefixOf, revokeDeskKey, revokeViewer } from '@motcua/db';
import { DB_KINDS } from '@motcua/test-helpers/db';
import { rating } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { apiGet, startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import { waitFor } from '@motcua/test-helpers/wait';
import { sql } from 'drizzle-orm';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
type Json = Record<string, unknown>;

const STRUCTURED = 'application/cloudevents+json';
/** Read endpoints that take any unit (ratings takes communes and desks only). */
const ENDPOINTS = [
  'metrics?window=1h',
  'series?window=1h&step=15m',
  'export.csv?window=1h',
  'overdue',
  'heatmap?window=7d',
  'info',
];

describe.each(DB_KINDS)('access rules on %s', (kind) => {
  let s: TestSystem;
  /** city 73 → districts 730, 731 → communes 73000–73002, 73100–73102 */
  let city: string;
  let d0: string;
  let d1: string;
  let c00: string;
  let c01: string;
  let c10: string;
  const clients: Client[] = [];

  const postOne = async (key: string, event: unknown) => {
    const res = await fetch(`${s.ingestUrl}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': STRUCTURED },
      body: JSON.stringify(event),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const stored = async (id: string) =>
    Number(
      (await s.db.query<{ n: number }>(sql`select count(*)::int as n from events where id = ${id}`))[0].n,
    );
  const connect = (auth: { token?: string; cookie?: string }): Client => {
    const c: Client = io(s.dashboardUrl, {
      auth: auth.token ? { token: auth.token } : {},
      extraHeaders: auth.cookie ? { cookie: auth.cookie } : undefined,
      transports: ['websocket'],
      reconnection: false,
    });
    clients.push(c);
    return c;
  };
  const subscribe = (c: Client, unit: string) =>
    c.timeout(10_000).emitWithAck('subscribe', { unit, window: '1h' }) as Promise<SubscribeAck>;
  const connectError = (c: Client) =>
    waitFor<Error>((deliver) => {
      c.on('connect_error', deliver);
      return () => c.off('connect_error', deliver);
    });
  /** Opens a dashboard session the way a browser does: GET /?token=… → Set-Cookie. */
  const openSession = async (token: string) => {
    const res = await fetch(`${s.dashboardUrl}/?token=${token}`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('motcua_session='));
    expect(cookie).toBeTruthy();
    return (cookie as string).split(';')[0];
  };
  const getWithCookie = (path: string, cookie: string) =>
    fetch(`${s.dashboardUrl}${path}`, { headers: { cookie }, redirect: 'manual' });
  /**
   * c00's ratings as a display sees them: exactly the 2 stored (counted in the database), each
   * with its desk and level and no `comment` key at all.
   */
  const expectRatingsWithoutComments = async (items: Json[]) => {
    const [{ n }] = await s.db.query<{ n: number }>(
      sql`select count(*)::int as n from events where unit_code = ${c00} and type = 'vn.motcua.rating.submitted'`,
    );
    expect(n).toBe(2);
    expect(items.map((i) => [i.deskCode, i.level]).sort()).toEqual([
      ['Q01', 'unsatisfied'],
      ['Q02', 'satisfied'],
    ]);
    for (const item of items)
      expect(Object.keys(item).sort()).toEqual([
        'criteria',
        'deskCode',
        'dossierCode',
        'level',
        'time',
        'unitCode',
        'unitName',
      ]);
  };

  beforeAll(async () => {
    s = await startTestSystem(kind, { city: '73' });
    city = s.tree.city;
    [d0, d1] = s.tree.districts;
    [c00, c01] = s.tree.communes;
    c10 = s.tree.communes.find((c) => s.tree.districtOf[c] === d1) as string;
    const key = await s.deskKey(c00);
    const res = await postBatch(s.ingestUrl, key, [
      rating(c00, 'unsatisfied', { desk: 'Q01' }, { comment: 'Chờ quá lâu, không ai hướng dẫn' }),
      rating(c00, 'satisfied', { desk: 'Q02' }),
    ]);
    expect(res.body.accepted).toBe(2);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
  });
  afterAll(() => s.close());

  describe('desk keys', () => {
    it('write their own unit', async () => {
      const key = await s.deskKey(c01);
      const e = rating(c01, 'satisfied');
      expect((await postOne(key, e)).status).toBe(200);
      expect(await stored(e.id)).toBe(1);
    });

    it('cannot write another unit: 403 for one event, forbidden_source per event in a batch', async () => {
      const key = await s.deskKey(c01);
      const sibling = rating(c00, 'satisfied');
      const one = await postOne(key, sibling);
      expect(one.status).toBe(403);
      expect(one.body.error).toMatchObject({
        code: 'forbidden_source',
        message: expect.stringContaining('source'),
      });
      const own = rating(c01, 'very_satisfied');
      const other = rating(c10, 'unsatisfied');
      const batch = await postBatch(s.ingestUrl, key, [own, other]);
      expect(batch.status).toBe(200);
      expect(batch.body.results).toEqual([
        { index: 0, id: own.id, status: 'accepted' },
        {
          index: 1,
          id: other.id,
          status: 'rejected',
          error: { code: 'forbidden_source', message: expect.any(String) },
        },
      ]);
      expect(await stored(sibling.id)).toBe(0);
      expect(await stored(other.id)).toBe(0);
      expect(await stored(own.id)).toBe(1);
    });

    it('limited to a desk cannot write the other desks of their unit', async () => {
      const key = (await createDeskKey(s.db, { unit: c01, label: 'Q07 only', desk: 'Q07' })).key;
      const mine = rating(c01, 'satisfied', { desk: 'Q07' });
      const neighbour = rating(c01, 'satisfied', { desk: 'Q08' });
      expect((await postOne(key, mine)).status).toBe(200);
      const refused = await postOne(key, neighbour);
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({ code: 'forbidden_source' });
      expect(await stored(neighbour.id)).toBe(0);
    });

    it('stop working at once when revoked: the next request gets 403', async () => {
      const { key, prefix } = await createDeskKey(s.db, { unit: c01, label: 'to revoke' });
      expect((await postOne(key, rating(c01, 'satisfied'))).status).toBe(200);
      expect(await revokeDeskKey(s.db, prefix)).toBe(1);
      const after = rating(c01, 'satisfied');
      const res = await postOne(key, after);
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({
        code: 'forbidden',
        message: expect.stringContaining('revoked'),
      });
      expect(await stored(after.id)).toBe(0);
      const who = await fetch(`${s.ingestUrl}/v1/whoami`, { headers: { authorization: `Bearer ${key}` } });
      expect(who.status).toBe(403);
    });

    it('are not viewer tokens, and viewer tokens are not desk keys', async () => {
      const viewer = await s.viewer('city', city);
      expect((await postOne(viewer, rating(c00, 'satisfied'))).status).toBe(401);
      const key = await s.deskKey(c00);
      expect((await apiGet(s.dashboardUrl, `/api/v1/units/${c00}/metrics`, key)).status).toBe(401);
      const c = connect({ token: key });
      expect((await connectError(c)).message).toBe('unauthorized');
    });
  });

  describe('viewers over HTTP', () => {
    it('a district viewer reads its subtree, not its parent, sibling or their children', async () => {
      const token = await s.viewer('district', d0);
      for (const ep of ENDPOINTS) {
        for (const code of [d0, c00, `${c00}/Q01`]) {
          const r = await apiGet(s.dashboardUrl, `/api/v1/units/${code}/${ep}`, token);
          expect(r.status, `${code}/${ep}`).toBe(200);
        }
        for (const code of [city, d1, c10, `${c10}/Q01`]) {
          const r = await apiGet(s.dashboardUrl, `/api/v1/units/${code}/${ep}`, token);
          expect(r.status, `${code}/${ep}`).toBe(403);
          expect((r.body.error as Json).code).toBe('forbidden');
        }
      }
    });

    it('a commune viewer reads its commune and desks, not its district, the city or a sibling commune', async () => {
      const token = await s.viewer('commune', c00);
      for (const ep of [...ENDPOINTS, 'ratings']) {
        for (const code of [c00, `${c00}/Q02`]) {
          expect(
            (await apiGet(s.dashboardUrl, `/api/v1/units/${code}/${ep}`, token)).status,
            `${code}/${ep}`,
          ).toBe(200);
        }
        for (const code of [d0, city, c01, `${c01}/Q01`, d1, c10]) {
          expect(
            (await apiGet(s.dashboardUrl, `/api/v1/units/${code}/${ep}`, token)).status,
            `${code}/${ep}`,
          ).toBe(403);
        }
      }
    });

    it('a session cookie carries exactly the scope of its token', async () => {
      const cookie = await openSession(await s.viewer('commune', c00));
      expect((await getWithCookie(`/api/v1/units/${c00}/metrics`, cookie)).status).toBe(200);
      expect((await getWithCookie(`/api/v1/units/${d0}/metrics`, cookie)).status).toBe(403);
      expect((await getWithCookie(`/api/v1/units/${c01}/metrics`, cookie)).status).toBe(403);
    });

    it('display tokens get no comments and no export', async () => {
      const display = await s.viewer('display', c00);
      const person = await s.viewer('commune', c00);
      const shown = await apiGet(s.dashboardUrl, `/api/v1/units/${c00}/ratings`, display);
      expect(shown.status).toBe(200);
      await expectRatingsWithoutComments(shown.body.items as Json[]);
      expect(shown.text).not.toContain('Chờ quá lâu');
      // The same list for a person has the comment.
      const full = await apiGet(s.dashboardUrl, `/api/v1/units/${c00}/ratings`, person);
      expect((full.body.items as Json[]).map((i) => i.comment)).toContain('Chờ quá lâu, không ai hướng dẫn');
      for (const code of [c00, `${c00}/Q01`]) {
        const csv = await apiGet(s.dashboardUrl, `/api/v1/units/${code}/export.csv?window=1h`, display);
        expect(csv.status).toBe(403);
        expect((csv.body.error as Json).code).toBe('forbidden');
      }
      expect((await apiGet(s.dashboardUrl, `/api/v1/units/${c00}/export.csv?window=1h`, person)).status).toBe(
        200,
      );
      // A display is scoped like any viewer.
      expect((await apiGet(s.dashboardUrl, `/api/v1/units/${c01}/metrics`, display)).status).toBe(403);
    });

    it('a display session cookie has no comments or export either', async () => {
      const cookie = await openSession(await s.viewer('display', c00));
      const res = await getWithCookie(`/api/v1/units/${c00}/ratings`, cookie);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: Json[] };
      await expectRatingsWithoutComments(body.items);
      expect((await getWithCookie(`/api/v1/units/${c00}/export.csv`, cookie)).status).toBe(403);
    });
  });

  describe('viewers over the socket', () => {
    it('a district viewer cannot subscribe to its parent, a sibling or a sibling’s commune', async () => {
      const c = connect({ token: await s.viewer('district', d0) });
      for (const unit of [city, d1, c10, `${c10}/Q01`]) {
        expect(await subscribe(c, unit), unit).toMatchObject({ error: { code: 'forbidden' } });
      }
      for (const unit of [d0, c00, `${c00}/Q01`]) {
        expect(await subscribe(c, unit), unit).toMatchObject({ unit: { code: unit } });
      }
    });

    it('a commune viewer cannot subscribe to its district, the city, a sibling or a sibling’s desk', async () => {
      const c = connect({ token: await s.viewer('commune', c00) });
      for (const unit of [d0, city, c01, `${c01}/Q01`, d1, c10]) {
        expect(await subscribe(c, unit), unit).toMatchObject({ error: { code: 'forbidden' } });
      }
      expect(await subscribe(c, `${c00}/Q01`)).toMatchObject({ unit: { code: `${c00}/Q01`, level: 'desk' } });
    });

    it('a session cookie on the socket is scoped like its token', async () => {
      const cookie = await openSession(await s.viewer('display', c00));
      const c = connect({ cookie });
      expect(await subscribe(c, c00)).toMatchObject({ unit: { code: c00 } });
      expect(await subscribe(c, c01)).toMatchObject({ error: { code: 'forbidden' } });
      expect(await subscribe(c, d0)).toMatchObject({ error: { code: 'forbidden' } });
    });
  });

  describe('revocation of viewers', () => {
    it('ends a revoked viewer’s token and its existing sessions, over HTTP and for new sockets', async () => {
      const { token, prefix } = await createViewer(s.db, { role: 'district', unit: d0, label: 'to revoke' });
      const cookie = await openSession(token);
      expect((await getWithCookie('/api/v1/me', cookie)).status).toBe(200);
      expect((await getWithCookie(`/api/v1/units/${d0}/metrics`, cookie)).status).toBe(200);
      const open = connect({ cookie });
      expect(await subscribe(open, d0)).toMatchObject({ unit: { code: d0 } });

      expect(await revokeViewer(s.db, prefix)).toBe(1);
      expect((await getWithCookie('/api/v1/me', cookie)).status).toBe(401);
      expect((await getWithCookie(`/api/v1/units/${d0}/metrics`, cookie)).status).toBe(401);
      expect((await apiGet(s.dashboardUrl, `/api/v1/units/${d0}/metrics`, token)).status).toBe(401);
      // Pages send it back to sign-in instead of rendering data.
      const page = await getWithCookie(`/units/${d0}`, cookie);
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toMatch(/^\/\?next=/);
      // The token no longer opens a session.
      const again = await fetch(`${s.dashboardUrl}/?token=${token}`, { redirect: 'manual' });
      expect(again.headers.getSetCookie().some((c) => c.startsWith('motcua_session='))).toBe(false);
      // New sockets with the cookie or the token are refused.
      expect((await connectError(connect({ cookie }))).message).toBe('unauthorized');
      expect((await connectError(connect({ token }))).message).toBe('unauthorized');
      // A socket opened before the revocation is closed on its next subscribe.
      const closed = waitFor<string>((deliver) => {
        open.on('disconnect', deliver);
        return () => open.off('disconnect', deliver);
      });
      open.emit('subscribe', { unit: d0, window: 'today' }, () => {});
      expect(await closed).toBe('io server disconnect');
    });
  });

  // The 15 s sweep is the same code on both databases; it runs once (on PGlite) to keep the suite short.
  it.runIf(kind === 'pglite')(
    'closes a revoked viewer’s listening socket within the 15 s recheck, without a new subscribe',
    async () => {
      const { token, prefix } = await createViewer(s.db, { role: 'commune', unit: c01, label: 'listening' });
      const c = connect({ token });
      expect(await subscribe(c, c01)).toMatchObject({ unit: { code: c01 } });
      const closed = waitFor<string>(
        (deliver) => {
          c.on('disconnect', deliver);
          return () => c.off('disconnect', deliver);
        },
        undefined,
        20_000,
        'the server to close the socket',
      );
      await revokeViewer(s.db, prefix);
      expect(await closed).toBe('io server disconnect');
    },
  );

  describe('storage of secrets', () => {
    it('keeps only hashes of desk keys, viewer tokens and session cookies', async () => {
      const desk = await createDeskKey(s.db, { unit: c00, label: 'hash check', desk: 'Q09' });
      const viewer = await createViewer(s.db, { role: 'commune', unit: c00, label: 'hash check' });
      const cookie = (await openSession(viewer.token)).split('=')[1];
      const secrets = [desk.key, viewer.token, cookie];
      const dump = async (table: string) =>
        (
          await s.db.query<{ row: string }>(sql.raw(`select row_to_json(t)::text as row from ${table} t`))
        ).map((r) => r.row);
      const rows = [...(await dump('desk_keys')), ...(await dump('viewers')), ...(await dump('sessions'))];
      expect(rows.length).toBeGreaterThanOrEqual(3);
      const all = rows.join('\n');
      for (const secret of secrets) {
        // Neither the secret nor its random part (after the lookup prefix) is stored anywhere.
        expect(all).not.toContain(secret);
        expect(all).not.toContain(secret.slice(prefixOf(secret).length));
        expect(all).toContain(createHash('sha256').update(secret).digest('hex'));
      }
      const [keyRow] = await s.db.query<{ prefix: string; hash: string }>(
        sql`select prefix, hash from desk_keys where prefix = ${desk.prefix}`,
      );
      expect(keyRow.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(desk.key.startsWith(keyRow.prefix)).toBe(true);
      expect(keyRow.prefix.length).toBeLessThan(desk.key.length / 2);
    });
  });
});
