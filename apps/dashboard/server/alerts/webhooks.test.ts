import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateEvent, webhookPayloadSchema } from '@motcua/contract';
import {
  createEmailRecipient,
  createWebhookSubscription,
  deactivateWebhookSubscription,
  deleteEmailRecipient,
  evaluateAlerts,
  listEmailRecipients,
  listWebhookSubscriptions,
  readUnitTree,
  readWebhookDeliveries,
  type UnitTree,
  writeBatch,
} from '@motcua/db';
import { makeWorkCalendar, VN_CALENDAR } from '@motcua/metrics';
import { createTestTree, DB_KINDS, openTestDb, type TestDb, type TestTree } from '@motcua/test-helpers/db';
import { received } from '@motcua/test-helpers/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryDelay, sendDueWebhooks, signWebhook } from './webhooks.ts';

const cal = makeWorkCalendar(VN_CALENDAR);
const SECRET = 'bí-mật-dùng-chung-0123456789';
/** The receivers listen on 127.0.0.1, a loopback address: allowed here by name, as an operator would. */
const LOCAL_RECEIVER = { policy: { allowPrivate: false, allowHosts: ['127.0.0.1'] } };

interface Hit {
  delivery: string;
  timestamp: number;
  signatureOk: boolean;
  body: unknown;
}

/** A real HTTP receiver that answers each request with the next scripted reply ('hang': none). */
async function startReceiver(script: (number | 'hang')[], fallback: number | 'hang') {
  const hits: Hit[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const timestamp = Number(req.headers['x-motcua-timestamp']);
      hits.push({
        delivery: String(req.headers['x-motcua-delivery']),
        timestamp,
        signatureOk: req.headers['x-motcua-signature'] === signWebhook(SECRET, timestamp, raw),
        body: JSON.parse(raw),
      });
      const reply = script.shift() ?? fallback;
      if (reply === 'hang') return;
      res.writeHead(reply).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    hits,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('retryDelay', () => {
  it('doubles from the base up to the cap, jittered over its upper half', () => {
    expect(retryDelay(1, 1000, 60_000, () => 0)).toBe(500);
    expect(retryDelay(1, 1000, 60_000, () => 0.999999)).toBe(1000);
    expect(retryDelay(3, 1000, 60_000, () => 0.5)).toBe(3000);
    expect(retryDelay(20, 1000, 60_000, () => 0)).toBe(30_000);
  });
});

describe.each(DB_KINDS)('webhooks against a real HTTP receiver on %s', (kind) => {
  let t: TestDb;
  let test: TestTree;
  let tree: UnitTree;
  const t0 = Date.parse('2026-11-17T09:00:00+07:00');

  beforeAll(async () => {
    t = await openTestDb(kind);
    test = await createTestTree(t.db);
    tree = await readUnitTree(t.db);
  }, 60_000);
  afterAll(() => t.drop());

  async function openAlert(unit: string, code: string, now: number) {
    const v = validateEvent(received(unit, code, now - 3_600_000, { time: now - 7_200_000 }), now);
    if (!v.ok) throw new Error(v.message);
    await writeBatch(t.db, [v.event], { receivedAt: now });
    return evaluateAlerts(t.db, tree, { now, calendar: cal });
  }

  it('signs, retries after a 500 and a timeout under the same delivery id, then stops', async () => {
    const receiver = await startReceiver([500, 'hang', 204], 204);
    const unit = test.communes[0];
    await createWebhookSubscription(t.db, {
      unitCode: test.districtOf[unit],
      url: receiver.url,
      secret: SECRET,
      minLevel: 'commune',
      giveUpAfterMs: 3_600_000,
      by: 'test',
      now: t0,
    });
    const changes = await openAlert(unit, 'HS-W1', t0);
    expect(changes.map((c) => c.kind)).toEqual(['opened']);

    let clock = t0;
    const send = () =>
      sendDueWebhooks(t.db, () => clock, {
        ...LOCAL_RECEIVER,
        timeoutMs: 300,
        baseDelayMs: 1000,
        random: () => 0.5,
      });
    expect(await send()).toBe(1); // 500
    expect(await send()).toBe(0); // not yet due: retry in 750 ms
    clock += 750;
    expect(await send()).toBe(1); // no answer within 300 ms
    clock += 1499;
    expect(await send()).toBe(0);
    clock += 1;
    expect(await send()).toBe(1); // 204
    clock += 3_600_000;
    expect(await send()).toBe(0);

    expect(receiver.hits).toHaveLength(3);
    expect(new Set(receiver.hits.map((h) => h.delivery)).size).toBe(1);
    expect(receiver.hits.every((h) => h.signatureOk)).toBe(true);
    expect(receiver.hits.map((h) => h.timestamp)).toEqual(
      [t0, t0 + 750, t0 + 2250].map((x) => Math.floor(x / 1000)),
    );
    const payload = webhookPayloadSchema.parse(receiver.hits[0].body);
    expect(payload).toMatchObject({
      deliveryId: receiver.hits[0].delivery,
      event: 'opened',
      alert: { rule: 'dossier_deadline', subject: 'HS-W1', unitCode: unit, level: 'district', state: 'open' },
    });
    const [sub] = await listWebhookSubscriptions(t.db, tree, test.districtOf[unit]);
    const deliveries = await readWebhookDeliveries(t.db, sub.id);
    expect(deliveries).toEqual([
      expect.objectContaining({ id: payload.deliveryId, state: 'delivered', attempts: 3, lastStatus: 204 }),
    ]);
    // Outside the caller's subtree it is not found; inside, the answer names what was stopped.
    expect(await deactivateWebhookSubscription(t.db, tree, sub.id, test.communes[0])).toBeNull();
    expect(await deactivateWebhookSubscription(t.db, tree, sub.id, test.city)).toEqual({
      unitCode: sub.unitCode,
      url: sub.url,
    });
    expect((await listWebhookSubscriptions(t.db, tree, test.city))[0].active).toBe(false);
    await receiver.close();
  });

  it('gives up after the subscription’s time and records the failure', async () => {
    const receiver = await startReceiver([], 500);
    const unit = test.communes[2];
    const id = await createWebhookSubscription(t.db, {
      unitCode: unit,
      url: receiver.url,
      secret: SECRET,
      minLevel: 'commune',
      giveUpAfterMs: 5_000,
      by: 'test',
      now: t0,
    });
    await openAlert(unit, 'HS-W2', t0);
    let clock = t0;
    const send = () =>
      sendDueWebhooks(t.db, () => clock, {
        ...LOCAL_RECEIVER,
        timeoutMs: 300,
        baseDelayMs: 1000,
        random: () => 0,
      });
    // Retries at +500, +1,500, +3,500; the next (+7,500) would be past the 5 s: failed.
    for (const step of [0, 500, 1000, 2000]) {
      clock += step;
      expect(await send()).toBe(1);
    }
    clock += 60_000;
    expect(await send()).toBe(0);
    expect(receiver.hits).toHaveLength(4);
    const deliveries = await readWebhookDeliveries(t.db, id);
    expect(deliveries).toEqual([
      expect.objectContaining({ state: 'failed', attempts: 4, lastStatus: 500, lastError: 'HTTP 500' }),
    ]);
    const subs = await listWebhookSubscriptions(t.db, tree, unit);
    expect(subs.find((s) => s.id === id)).toMatchObject({
      deliveries: { pending: 0, delivered: 0, failed: 1 },
      lastFailure: { error: 'HTTP 500' },
    });
    await receiver.close();
  });

  it('refuses at delivery a host that is not allowed, without connecting, and records why', async () => {
    const receiver = await startReceiver([], 204);
    const unit = test.communes[3];
    // Stored directly, as a subscription made before the rule or under a laxer setting would be.
    const byName = receiver.url.replace('127.0.0.1', 'receiver.test');
    const ids = [
      await createWebhookSubscription(t.db, {
        unitCode: unit,
        url: byName,
        secret: SECRET,
        minLevel: 'commune',
        giveUpAfterMs: 3_600_000,
        by: 'test',
        now: t0,
      }),
      await createWebhookSubscription(t.db, {
        unitCode: unit,
        url: receiver.url,
        secret: SECRET,
        minLevel: 'commune',
        giveUpAfterMs: 3_600_000,
        by: 'test',
        now: t0,
      }),
    ];
    await openAlert(unit, 'HS-W3', t0);
    let clock = t0;
    // receiver.test resolves to the receiver's own loopback address.
    const resolve = async (host: string) => {
      if (host !== 'receiver.test') throw new Error(`unexpected lookup of ${host}`);
      return [{ address: '127.0.0.1', family: 4 }];
    };
    // No allowance: neither is sent.
    expect(await sendDueWebhooks(t.db, () => clock, { timeoutMs: 300, baseDelayMs: 1000, resolve })).toBe(2);
    expect(receiver.hits).toHaveLength(0);
    const [literal] = await readWebhookDeliveries(t.db, ids[1]);
    expect(literal).toMatchObject({ state: 'pending', attempts: 1, lastStatus: null });
    expect(literal.lastError).toMatch(/^url: a loopback address is not allowed/);
    // 127.0.0.1 allowed by name: that one goes; the name that resolves to it is still refused.
    clock += 2_000;
    expect(
      await sendDueWebhooks(t.db, () => clock, {
        ...LOCAL_RECEIVER,
        timeoutMs: 300,
        baseDelayMs: 1000,
        resolve,
      }),
    ).toBe(2);
    expect(receiver.hits).toHaveLength(1);
    expect((await readWebhookDeliveries(t.db, ids[1]))[0]).toMatchObject({
      state: 'delivered',
      lastStatus: 204,
    });
    const [byNameDelivery] = await readWebhookDeliveries(t.db, ids[0]);
    expect(byNameDelivery).toMatchObject({ state: 'pending', attempts: 2, lastStatus: null });
    expect(byNameDelivery.lastError).toMatch(
      /^url: a loopback address \(receiver\.test resolves to 127\.0\.0\.1\) is not allowed/,
    );
    await receiver.close();
  });

  it('removes a mail recipient only inside the caller’s subtree, and says whom it removed', async () => {
    const district = test.districts[0];
    const other = test.districts[1];
    const id = await createEmailRecipient(t.db, {
      unitCode: district,
      address: 'xoa@motcua.example',
      minLevel: 'commune',
      by: 'test',
      now: t0,
    });
    expect(await deleteEmailRecipient(t.db, tree, id, other)).toBeNull();
    expect((await listEmailRecipients(t.db, tree, district)).map((r) => r.id)).toContain(id);
    expect(await deleteEmailRecipient(t.db, tree, id, test.city)).toEqual({
      unitCode: district,
      address: 'xoa@motcua.example',
    });
    expect((await listEmailRecipients(t.db, tree, district)).map((r) => r.id)).not.toContain(id);
    expect(await deleteEmailRecipient(t.db, tree, id, test.city)).toBeNull();
  });
});
