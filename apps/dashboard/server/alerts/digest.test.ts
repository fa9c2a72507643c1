import { validateEvent } from '@motcua/contract';
import { createEmailRecipient, evaluateAlerts, readUnitTree, type UnitTree, writeBatch } from '@motcua/db';
import { createMailer, type Mailer } from '@motcua/mail';
import { makeWorkCalendar, VN_CALENDAR } from '@motcua/metrics';
import { createTestTree, openTestDb, type TestDb, type TestTree } from '@motcua/test-helpers/db';
import { received } from '@motcua/test-helpers/events';
import { startSmtpServer, type TestSmtpServer } from '@motcua/test-helpers/smtp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDigests } from './digest.ts';

const cal = makeWorkCalendar(VN_CALENDAR);
const H = 3_600_000;

describe('alert mail digest through a real SMTP server', () => {
  let t: TestDb;
  let test: TestTree;
  let tree: UnitTree;
  let smtp: TestSmtpServer;
  let mailer: Mailer;
  const t0 = Date.parse('2026-11-17T09:00:00+07:00');

  beforeAll(async () => {
    t = await openTestDb('pglite');
    test = await createTestTree(t.db, { names: {} });
    tree = await readUnitTree(t.db);
    smtp = await startSmtpServer();
    mailer = createMailer({ smtpUrl: smtp.url, from: 'Một Cửa Live <canh-bao@motcua.example>' });
  }, 60_000);
  afterAll(async () => {
    mailer.close();
    await smtp.close();
    await t.drop();
  });

  async function receive(unit: string, code: string, due: number) {
    const v = validateEvent(received(unit, code, due, { time: t0 - H }), t0);
    if (!v.ok) throw new Error(v.message);
    await writeBatch(t.db, [v.event], { receivedAt: t0 });
  }

  it('groups the new alerts of a district into one Vietnamese mail, then only what is new', async () => {
    const [inside, alsoInside] = test.communes.filter((c) => test.districtOf[c] === test.districts[0]);
    const outside = test.communes.find((c) => test.districtOf[c] !== test.districts[0]) as string;
    const address = 'lanh-dao-quan@motcua.example';
    await createEmailRecipient(t.db, {
      unitCode: test.districts[0],
      address,
      minLevel: 'commune',
      by: 'test',
      now: t0,
    });
    await receive(inside, 'HS-M1', t0 + 10 * H);
    await receive(alsoInside, 'HS-M2', t0 - 2 * H);
    await receive(outside, 'HS-M3', t0 - 2 * H);
    await evaluateAlerts(t.db, tree, { now: t0, calendar: cal });

    const first = smtp.nextMessage();
    expect(await sendDigests(t.db, tree, mailer, { publicUrl: 'https://motcua.example' })).toBe(1);
    const { parsed, envelopeTo } = await first;
    expect(envelopeTo).toEqual([address]);
    const district = tree.get(test.districts[0])?.name as string;
    expect(parsed.subject).toBe(`[Một Cửa Live] 2 cảnh báo mới · ${district}`);
    const text = parsed.text as string;
    expect(text).toContain(`Cảnh báo mới hoặc đã nâng cấp tại ${district} kể từ thư trước (2):`);
    expect(text).toMatch(/\[Cấp huyện\] .* — Hồ sơ HS-M2 quá hạn 2,0 giờ/);
    expect(text).toMatch(/\[Cấp xã\] .* — Hồ sơ HS-M1 sắp đến hạn/);
    expect(text.indexOf('HS-M2')).toBeLessThan(text.indexOf('HS-M1'));
    expect(text).not.toContain('HS-M3');
    expect(text).toContain(`https://motcua.example/alerts/${test.districts[0]}`);
    expect(parsed.html).toContain('HS-M2');

    // Nothing new: no mail. HS-M1 passes its deadline: a mail with only that escalation.
    expect(await sendDigests(t.db, tree, mailer)).toBe(0);
    await evaluateAlerts(t.db, tree, { now: t0 + 11 * H, calendar: cal });
    const second = smtp.nextMessage();
    expect(await sendDigests(t.db, tree, mailer)).toBe(1);
    const next = (await second).parsed;
    expect(next.subject).toBe(`[Một Cửa Live] 1 cảnh báo mới · ${district}`);
    expect(next.text).toMatch(/\[Cấp huyện\] .* — Hồ sơ HS-M1 quá hạn 1,0 giờ .*\(nâng lên cấp huyện\)/);
    expect(next.text).not.toContain('HS-M2');
    expect(smtp.messages).toHaveLength(2);
  });
});
