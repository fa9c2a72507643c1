import { randomUUID } from 'node:crypto';
import {
  createDb,
  createSubscription,
  createViewer,
  type Database,
  listDigestRuns,
  readProcedures,
  readSnapshot,
  readTargets,
  readUnitTree,
  unsubscribe,
  type Viewer,
  verifyViewerToken,
  writeTarget,
} from '@motcua/db';
import { createMailer, type Mailer } from '@motcua/mail';
import { DAY, HOUR, MINUTE } from '@motcua/metrics';
import {
  DigestScheduler,
  digestPeriodOf,
  lastSlotAtOrBefore,
  unsubscribeToken,
  verifyUnsubscribeToken,
} from '@motcua/reports';
import { createTestTree, DB_KINDS, openTestDb, type TestDb, type TestTree } from '@motcua/test-helpers/db';
import { dossierEvent, rating, received } from '@motcua/test-helpers/events';
import { deskKey, postBatch, startTestIngest, type TestIngest } from '@motcua/test-helpers/ingest';
import { startSmtpServer, type TestSmtpServer } from '@motcua/test-helpers/smtp';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const SECRET = 'test-secret-for-unsubscribe-links';

/**
 * Scheduled digests over a real database (PGlite and Postgres) and a real SMTP server, with a clock
 * the test moves: one mail per subscription and period, not two after a restart or with two
 * schedulers racing, missed periods caught up, a district's digest holding only its subtree.
 */
describe.each(DB_KINDS)('digests (%s)', (kind) => {
  let t: TestDb;
  let db: Database;
  let tree: TestTree;
  let ingest: TestIngest;
  let smtp: TestSmtpServer;
  let mailer: Mailer;
  let districtViewer: number;
  let district: Viewer;
  let d0: string;
  let slot: number;
  const schedulers: DigestScheduler[] = [];

  const scheduler = (
    clock: () => number,
    database = db,
    unitTree?: Awaited<ReturnType<typeof readUnitTree>>,
  ) =>
    readUnitTree(database).then((ut) => {
      const s = new DigestScheduler({
        db: database,
        tree: unitTree ?? ut,
        mailer,
        clock,
        instance: randomUUID(),
        publicUrl: 'https://motcua.example.vn',
        secret: SECRET,
        chromiumPath: '/nonexistent/chromium',
        selfUrl: 'http://127.0.0.1:1',
      });
      schedulers.push(s);
      return s;
    });

  /** A subscription as if made at `createdAt`. */
  async function subscribe(opts: {
    unit: string;
    period: 'weekly' | 'monthly';
    format?: 'xlsx' | 'pdf' | 'both';
    email: string;
    createdAt: number;
    viewerId?: number;
  }) {
    const sub = await createSubscription(db, {
      email: opts.email,
      unitCode: opts.unit,
      period: opts.period,
      format: opts.format ?? 'xlsx',
      viewerId: opts.viewerId ?? districtViewer,
    });
    await db.query(
      sql`update report_subscriptions set created_at = ${new Date(opts.createdAt).toISOString()}::timestamptz where id = ${sub.id}`,
    );
    return sub;
  }

  const mailsTo = (email: string) => smtp.messages.filter((m) => m.envelopeTo.includes(email));

  beforeAll(async () => {
    t = await openTestDb(kind);
    db = t.db;
    tree = await createTestTree(db, { districts: 2, communesPerDistrict: 2 });
    d0 = tree.districts[0];
    const v = await createViewer(db, { role: 'district', unit: d0, label: 'Lãnh đạo quận' });
    district = (await verifyViewerToken(db, v.token)) as Viewer;
    districtViewer = district.id;
    // A target the district inherits from the city (on-time rate 60 %); none for the others.
    const c = await createViewer(db, { role: 'city', unit: tree.city, label: 'Văn phòng thành phố' });
    const cityViewer = (await verifyViewerToken(db, c.token)) as Viewer;
    await writeTarget(db, { unitCode: tree.city, figure: 'onTime', value: 0.6, viewer: cityViewer });
    smtp = await startSmtpServer();
    mailer = createMailer({ smtpUrl: smtp.url, from: 'Một Cửa Live <bao-cao@example.vn>' });
    ingest = await startTestIngest(db);
    // The last monthly send time before now; events in the month it reports on, in both districts.
    slot = lastSlotAtOrBefore('monthly', Date.now());
    const month = digestPeriodOf('monthly', slot).window;
    for (const [i, commune] of tree.communes.entries()) {
      const events = [];
      for (let k = 0; k <= i; k++) {
        const late = k === 0;
        events.push(
          received(commune, `D-${i}-${k}`, month.from + (late ? 30 : 300) * HOUR, {
            time: month.from + (20 + k) * HOUR,
          }),
        );
        events.push(dossierEvent(commune, 'resolved', `D-${i}-${k}`, { time: month.from + (60 + k) * HOUR }));
        events.push(
          rating(commune, k % 2 ? 'satisfied' : 'unsatisfied', { time: month.from + (61 + k) * HOUR }),
        );
      }
      expect((await postBatch(ingest.url, await deskKey(db, commune), events)).body.rejected).toBe(0);
    }
  });
  afterEach(async () => {
    for (const s of schedulers.splice(0)) await s.stop();
  });
  afterAll(async () => {
    mailer?.close();
    await smtp?.close();
    await ingest?.close();
    await t?.drop();
  });

  it('sends a monthly digest once, with the numbers of the read API and an Excel file that opens', async () => {
    const email = `thang-${kind}@example.vn`;
    const sub = await subscribe({ unit: d0, period: 'monthly', email, createdAt: slot - 10 * DAY });
    let now = slot - MINUTE;
    const s = await scheduler(() => now);
    expect((await s.tick()).sent).toEqual([]);
    now = slot + 5 * MINUTE;
    const first = await s.tick();
    expect(first.sent).toEqual([`${sub.id}/${digestPeriodOf('monthly', slot).key}`]);
    expect((await s.tick()).sent).toEqual([]);
    const mails = mailsTo(email);
    expect(mails).toHaveLength(1);
    const mail = mails[0].parsed;
    const period = digestPeriodOf('monthly', slot);
    expect(mail.subject).toContain('Báo cáo tháng');
    expect(mail.subject).toContain('Quận Thử Nghiệm 0');
    // The numbers of the screen: the read API's snapshot of the same unit and month.
    const snap = await readSnapshot(db, await readUnitTree(db), d0, period.window, now);
    const pct = (r: number) =>
      `${new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(r * 100)} %`;
    expect(mail.text).toContain(`Tỷ lệ đúng hạn: ${pct(snap?.metrics.onTime.rate as number)}`);
    expect(mail.text).toContain(`Hồ sơ tiếp nhận: ${snap?.metrics.received.total}`);
    expect(mail.html).toContain('Hủy nhận báo cáo');
    const xlsx = mail.attachments.find((a) => a.filename?.endsWith('.xlsx'));
    expect(xlsx?.filename).toBe(`motcua-${d0}-${period.label}.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx?.content as unknown as ArrayBuffer);
    const summary = wb.getWorksheet('Tổng hợp') as ExcelJS.Worksheet;
    const row = (label: string) => {
      let found: ExcelJS.CellValue[] = [];
      summary.eachRow((r) => {
        if (r.getCell(1).value === label) found = (r.values as ExcelJS.CellValue[]).slice(1);
      });
      return found;
    };
    expect(row('Hồ sơ tiếp nhận')[1]).toBe(snap?.metrics.received.total);
    expect(row('Tỷ lệ đúng hạn')[1]).toBe(snap?.metrics.onTime.rate);
    // The target in force, as GET …/targets gives it (inherited from the city), with on/off track
    // and the gap in percentage points; blank where no target is set.
    const unitTree = await readUnitTree(db);
    const targets = await readTargets(db, unitTree, d0, district);
    const onTime = targets?.targets.find((x) => x.figure === 'onTime');
    expect(onTime).toMatchObject({ value: 0.6, inherited: true });
    expect(targets?.targets.map((x) => x.figure)).toEqual(['onTime']);
    const rate = snap?.metrics.onTime.rate as number;
    expect(row('Tỷ lệ đúng hạn')[4]).toBe(onTime?.value);
    expect(row('Tỷ lệ đúng hạn')[5]).toBe(rate >= 0.6 ? 'Đạt' : 'Chưa đạt');
    expect(row('Tỷ lệ đúng hạn')[6] as number).toBeCloseTo((rate - 0.6) * 100, 9);
    expect(
      row('Tỷ lệ hài lòng')
        .slice(4)
        .filter((v) => v != null),
    ).toEqual([]);
    expect(
      row('Hồ sơ tiếp nhận')
        .slice(4)
        .filter((v) => v != null),
    ).toEqual([]);
    // The procedures sheet: the rows GET …/procedures gives for the same unit and month.
    const procedures = await readProcedures(db, unitTree, d0, period.window, now);
    const procRows: ExcelJS.CellValue[][] = [];
    (wb.getWorksheet('Thủ tục') as ExcelJS.Worksheet).eachRow((r, n) => {
      if (n > 4) procRows.push((r.values as ExcelJS.CellValue[]).slice(1));
    });
    const items = procedures?.items ?? [];
    expect(items.length).toBeGreaterThan(0);
    expect(procRows).toHaveLength(items.length + 1);
    for (const [i, p] of [...items, procedures?.total].entries()) {
      if (!p) continue;
      expect(procRows[i].slice(2, 8)).toEqual(
        [p.received, p.early, p.onTime, p.late, p.unknown, p.onTimeRate].map((v) => v ?? undefined),
      );
      expect(procRows[i].slice(8)).toEqual(
        [
          p.satisfaction.total,
          p.satisfaction.rate,
          p.open.total,
          p.open.overdue,
          p.open.dueSoon,
          p.open.waitingSupplement,
        ].map((v) => v ?? undefined),
      );
    }
    expect(procRows[0][0]).toBe(items[0].code);
    expect(procedures?.total.received).toBe(snap?.metrics.received.total);
    // Only the district's own communes: the scope of the viewer who set it up.
    const children: string[] = [];
    (wb.getWorksheet('Đơn vị trực thuộc') as ExcelJS.Worksheet).eachRow((r, n) => {
      if (n > 4) children.push(String(r.getCell(1).value));
    });
    const own = tree.communes.filter((c) => tree.districtOf[c] === d0);
    expect(children).toEqual([...own, d0]);
    const runs = await listDigestRuns(db, sub.id);
    expect(runs).toMatchObject([{ periodKey: period.key, status: 'sent', attempts: 1 }]);

    // A restart: a new scheduler (a new process) finds the period sent.
    const again = await scheduler(() => now + HOUR);
    expect((await again.tick()).sent).toEqual([]);
    expect(mailsTo(email)).toHaveLength(1);
  });

  it('retries a refused mail after 1 min, 5 min, … and sends it once the server accepts', async () => {
    const email = `thu-lai-${kind}@example.vn`;
    const sub = await subscribe({ unit: d0, period: 'monthly', email, createdAt: slot - 10 * DAY });
    const key = `${sub.id}/${digestPeriodOf('monthly', slot).key}`;
    let now = slot + MINUTE;
    const s = await scheduler(() => now);
    const refusedBefore = smtp.refused;
    smtp.refuseNext(2);
    expect(await s.tick()).toEqual({ sent: [], failed: [key] });
    // Not before its backoff: 1 min after the first try, then 5 min after the second.
    now += 59_000;
    expect(await s.tick()).toEqual({ sent: [], failed: [] });
    now += 1_000;
    expect(await s.tick()).toEqual({ sent: [], failed: [key] });
    now += 5 * MINUTE - 1_000;
    expect(await s.tick()).toEqual({ sent: [], failed: [] });
    now += 1_000;
    expect(await s.tick()).toEqual({ sent: [key], failed: [] });
    expect(smtp.refused - refusedBefore).toBe(2);
    // Once: a later tick, another process or a restart does not send it again.
    now += 7 * HOUR;
    expect((await s.tick()).sent).toEqual([]);
    expect((await (await scheduler(() => now)).tick()).sent).toEqual([]);
    expect(mailsTo(email)).toHaveLength(1);
    const [run] = (await listDigestRuns(db, sub.id)).filter((r) => r.status === 'sent');
    expect(run.attempts).toBe(3);
  });

  it('gives a digest up after six tries, 1 min, 5 min, 30 min, 2 h and 6 h apart', async () => {
    const email = `bo-${kind}@example.vn`;
    const sub = await subscribe({ unit: d0, period: 'monthly', email, createdAt: slot - 10 * DAY });
    const key = `${sub.id}/${digestPeriodOf('monthly', slot).key}`;
    let now = slot + MINUTE;
    const s = await scheduler(() => now);
    smtp.refuseNext(100);
    try {
      const tries: number[] = [];
      for (let minute = 0; minute <= 12 * 60; minute++, now += MINUTE) {
        if ((await s.tick()).failed.includes(key)) tries.push(minute);
      }
      expect(tries).toEqual([0, 1, 6, 36, 156, 516]);
      const [run] = await listDigestRuns(db, sub.id);
      expect(run).toMatchObject({ status: 'failed', attempts: 6 });
      expect(run.error).toContain('Try again later');
      expect(mailsTo(email)).toHaveLength(0);
    } finally {
      smtp.refuseNext(0);
    }
  });

  it('two schedulers racing (two connections on Postgres) send one mail per period', async () => {
    const email = `dua-${kind}@example.vn`;
    await subscribe({ unit: d0, period: 'weekly', email, createdAt: slot - 2 * DAY });
    const week = lastSlotAtOrBefore('weekly', slot + 8 * DAY);
    const now = week + MINUTE;
    const second = t.url ? await createDb({ url: t.url }) : db;
    try {
      const a = await scheduler(() => now);
      const b = await scheduler(() => now, second);
      const c = await scheduler(() => now);
      const results = await Promise.all([a.tick(), b.tick(), c.tick()]);
      const sent = results.flatMap((r) => r.sent).filter((k) => k.includes('week:'));
      const expected = slotsCount(slot - 2 * DAY, now);
      expect(sent).toHaveLength(expected);
      expect(new Set(sent).size).toBe(expected);
      expect(mailsTo(email)).toHaveLength(expected);
    } finally {
      if (second !== db) await second.close();
    }
  });

  it('catches up missed weeks after downtime, one mail each, oldest first', async () => {
    const email = `bu-${kind}@example.vn`;
    const start = slot - 2 * DAY;
    const sub = await subscribe({ unit: tree.communes[0], period: 'weekly', email, createdAt: start });
    // Down for three weeks: the first tick after it sends each missed week once.
    const now = lastSlotAtOrBefore('weekly', start + 22 * DAY) + HOUR;
    const s = await scheduler(() => now);
    const sent = (await s.tick()).sent.filter((k) => k.startsWith(`${sub.id}/`));
    const weeks = slotsCount(start, now);
    expect(weeks).toBeGreaterThanOrEqual(3);
    expect(sent).toHaveLength(weeks);
    const subjects = mailsTo(email).map((m) => m.parsed.subject as string);
    expect(new Set(subjects).size).toBe(weeks);
    expect((await s.tick()).sent).toEqual([]);
    expect((await listDigestRuns(db, sub.id)).map((r) => r.status)).toEqual(Array(weeks).fill('sent'));
  });

  it('a unit outside the subscriber viewer is never sent; a PDF without Chromium comes as Excel with a note', async () => {
    const outside = await subscribe({
      unit: tree.districts[1],
      period: 'monthly',
      email: `ngoai-${kind}@example.vn`,
      createdAt: slot - DAY,
    });
    const pdf = await subscribe({
      unit: d0,
      period: 'monthly',
      format: 'pdf',
      email: `pdf-${kind}@example.vn`,
      createdAt: slot - DAY,
    });
    const s = await scheduler(() => slot + MINUTE);
    const r = await s.tick();
    expect(r.failed).toContain(`${outside.id}/${digestPeriodOf('monthly', slot).key}`);
    expect(mailsTo(`ngoai-${kind}@example.vn`)).toHaveLength(0);
    expect((await listDigestRuns(db, outside.id))[0].error).toContain('outside');
    const mail = mailsTo(`pdf-${kind}@example.vn`);
    expect(mail).toHaveLength(1);
    expect(mail[0].parsed.attachments.map((a) => a.filename)).toEqual([
      `motcua-${d0}-${digestPeriodOf('monthly', slot).label}.xlsx`,
    ]);
    expect(mail[0].parsed.text).toContain('chưa cài trình duyệt Chromium');
    expect(pdf.id).toBeGreaterThan(0);
  });

  it('an unsubscribe link ends its own subscription only', async () => {
    const sub = await subscribe({
      unit: d0,
      period: 'weekly',
      email: `huy-${kind}@example.vn`,
      createdAt: slot,
    });
    const token = unsubscribeToken(SECRET, sub.id);
    expect(verifyUnsubscribeToken(SECRET, token)).toBe(sub.id);
    expect(verifyUnsubscribeToken(SECRET, token.replace(/^\d+/, String(sub.id + 1)))).toBeNull();
    expect(verifyUnsubscribeToken('other', token)).toBeNull();
    expect(await unsubscribe(db, sub.id)).toBe(true);
    const s = await scheduler(() => slot + 30 * DAY);
    await s.tick();
    expect(mailsTo(`huy-${kind}@example.vn`)).toHaveLength(0);
  });
});

/** Weekly send times in (after, upTo]. */
function slotsCount(after: number, upTo: number): number {
  let n = 0;
  for (let s = lastSlotAtOrBefore('weekly', upTo); s > after; s = lastSlotAtOrBefore('weekly', s - 1)) n++;
  return n;
}
