import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  AnnotationList,
  OverdueList,
  ProcedureList,
  RatingList,
  Scorecard,
  Snapshot,
  UnitTargets,
} from '@motcua/contract';
import { formatLocal, parsePeriod, periodContaining, previousPeriod } from '@motcua/metrics';
import { launchChromium, SCREENSHOT_DIR, screenshot } from '@motcua/test-helpers/browser';
import { dossierEvent, rating, received } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { apiGet, startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const HOUR = 3_600_000;
const HEADER_ROW = 4;

/** A local wall-clock time as the workbook holds it (a Date whose UTC fields are the local ones). */
const wallClock = (rfc3339: string) => new Date(`${rfc3339.slice(0, 19)}Z`).getTime();

async function fetchXlsx(base: string, path: string, token: string) {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const body = Buffer.from(await res.arrayBuffer());
  const wb = new ExcelJS.Workbook();
  if (res.status === 200) await wb.xlsx.load(body as unknown as ArrayBuffer);
  return { status: res.status, headers: res.headers, wb, body };
}

/** The table of a sheet under its header row, as plain cell values. */
function rows(ws: ExcelJS.Worksheet): ExcelJS.CellValue[][] {
  const out: ExcelJS.CellValue[][] = [];
  ws.eachRow((row, n) => {
    if (n > HEADER_ROW) out.push((row.values as ExcelJS.CellValue[]).slice(1));
  });
  return out;
}

/**
 * The Excel report over the real system: numbers, dates and words read back with exceljs and
 * compared with the read API's answers for the same unit and period. Events fall in the last
 * closed month (and the month before it, for the change), so both calls see the same numbers.
 */
describe('Excel report', () => {
  let s: TestSystem;
  let city: string;
  let district: string;
  let otherDistrict: string;
  let display: string;
  let d0: string;
  let c0: string;
  let c1: string;
  let month: string;
  let monthBefore: string;

  beforeAll(async () => {
    s = await startTestSystem('pglite', { districts: 2, communesPerDistrict: 2 });
    d0 = s.tree.districts[0];
    [c0, c1] = s.tree.communes.filter((c) => s.tree.districtOf[c] === d0);
    city = await s.viewer('city', s.tree.city);
    district = await s.viewer('district', d0);
    otherDistrict = await s.viewer('district', s.tree.districts[1]);
    display = await s.viewer('display', d0);
    const last = previousPeriod(periodContaining('month', Date.now()));
    const before = previousPeriod(last);
    month = last.label;
    monthBefore = before.label;
    const at = (p: typeof last, hours: number) => ({ time: p.from + hours * HOUR });
    const events: unknown[] = [];
    // Last month: 5 on time, 2 late, ratings 3 satisfied, 1 unsatisfied (with a comment that must not leak).
    for (let i = 0; i < 7; i++) {
      const late = i >= 5;
      events.push(
        received(
          c0,
          `M-${i}`,
          last.from + (late ? 30 : 200) * HOUR,
          at(last, 24 + i),
          i % 2 ? 'online' : 'direct',
        ),
      );
      events.push(dossierEvent(c0, 'resolved', `M-${i}`, at(last, 100 + i)));
    }
    for (let i = 0; i < 3; i++) events.push(rating(c0, 'satisfied', at(last, 110 + i)));
    events.push(
      rating(c0, 'unsatisfied', at(last, 120), {
        comment: 'Nguyễn Văn A chờ quá lâu',
        criteria: { time: 'unsatisfied', attitude: 'very_satisfied' },
      }),
    );
    // Two dossiers still open and overdue now.
    events.push(received(c0, 'OPEN-1', last.from + 48 * HOUR, at(last, 30)));
    events.push(received(c0, 'OPEN-2', last.from + 72 * HOUR, at(last, 31), 'postal'));
    // The month before: 2 on time, 2 late, 1 satisfied.
    for (let i = 0; i < 4; i++) {
      events.push(received(c0, `B-${i}`, before.from + (i < 2 ? 300 : 20) * HOUR, at(before, 10 + i)));
      events.push(dossierEvent(c0, 'resolved', `B-${i}`, at(before, 50 + i)));
    }
    events.push(rating(c0, 'very_satisfied', at(before, 60)));
    expect((await postBatch(s.ingestUrl, await s.deskKey(c0), events)).body.rejected).toBe(0);
    // Another procedure, with its name, for the procedures sheet.
    const c1Received = received(c1, 'C-0', last.from + 300 * HOUR, at(last, 40));
    Object.assign(c1Received.data, { procedureCode: '2.000794', procedureName: 'Chứng thực bản sao' });
    const other = [
      c1Received,
      dossierEvent(c1, 'resolved', 'C-0', at(last, 90)),
      rating(c1, 'very_satisfied', at(last, 91)),
    ];
    expect((await postBatch(s.ingestUrl, await s.deskKey(c1), other)).body.rejected).toBe(0);
    // Notes: one on a commune in last month (the report lists it with its author), one the month before (not).
    for (const [from, text] of [
      [last.from + 26 * HOUR, 'Mất mạng cả buổi sáng'],
      [before.from + 26 * HOUR, 'Ghi chú của tháng trước'],
    ] as const) {
      const res = await fetch(`${s.dashboardUrl}/api/v1/units/${c0}/annotations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${district}`, 'content-type': 'application/json' },
        body: JSON.stringify({ from: formatLocal(from), to: formatLocal(from + 3 * HOUR), text }),
      });
      expect(res.status).toBe(201);
    }
    // Targets: the on-time rate inherited from the city, the satisfaction rate set on the district,
    // none for the 766 points.
    for (const [unit, figure, value] of [
      [s.tree.city, 'onTime', 0.7],
      [d0, 'satisfaction', 0.95],
    ] as const) {
      const put = await fetch(`${s.dashboardUrl}/api/v1/units/${unit}/targets`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${city}`, 'content-type': 'application/json' },
        body: JSON.stringify({ figure, value }),
      });
      expect(put.status).toBe(200);
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a district report equals the read API for the same period, numbers as numbers', async () => {
    const { status, headers, wb } = await fetchXlsx(
      s.dashboardUrl,
      `/api/v1/units/${d0}/report.xlsx?window=${month}`,
      district,
    );
    expect(status).toBe(200);
    expect(headers.get('content-type')).toContain('spreadsheetml');
    expect(headers.get('content-disposition')).toContain(`motcua-${d0}-${month}.xlsx`);
    const snap = (await apiGet(s.dashboardUrl, `/api/v1/units/${d0}/metrics?window=${month}`, district))
      .body as unknown as Snapshot;
    const prev = (await apiGet(s.dashboardUrl, `/api/v1/units/${d0}/metrics?window=${monthBefore}`, district))
      .body as unknown as Snapshot;
    const score = (await apiGet(s.dashboardUrl, `/api/v1/units/${d0}/scorecard?window=${month}`, district))
      .body as unknown as Scorecard;
    const prevScore = (
      await apiGet(s.dashboardUrl, `/api/v1/units/${d0}/scorecard?window=${monthBefore}`, district)
    ).body as unknown as Scorecard;
    const overdue = (await apiGet(s.dashboardUrl, `/api/v1/units/${d0}/overdue`, district))
      .body as unknown as OverdueList;

    const procedures = (
      await apiGet(s.dashboardUrl, `/api/v1/units/${d0}/procedures?window=${month}`, district)
    ).body as unknown as ProcedureList;
    const targets = (await apiGet(s.dashboardUrl, `/api/v1/units/${d0}/targets`, district))
      .body as unknown as UnitTargets;

    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'Tổng hợp',
      'Đơn vị trực thuộc',
      'Thủ tục',
      'Hồ sơ quá hạn',
      'Đánh giá gần nhất',
      'Bộ chỉ số 766',
      'Ghi chú',
    ]);
    const summary = wb.getWorksheet('Tổng hợp') as ExcelJS.Worksheet;
    expect(String(summary.getCell(1, 1).value)).toContain('Quận Thử Nghiệm 0');
    expect(String(summary.getCell(2, 1).value)).toContain(
      `Tháng ${Number(month.slice(5))}/${month.slice(0, 4)}`,
    );
    expect(summary.views[0]).toMatchObject({ state: 'frozen', ySplit: HEADER_ROW });
    const byLabel = new Map(rows(summary).map((r) => [String(r[0]), r.slice(1)]));
    const m = snap.metrics;
    const p = prev.metrics;
    const expectFigure = (label: string, now: number | null, before: number | null) => {
      const [v, b, change] = byLabel.get(label) ?? [];
      expect(v, label).toBe(now ?? 'chưa đo được');
      expect(b ?? null, label).toBe(before); // an empty cell reads back as undefined
      if (now !== null && before !== null) expect(change as number, label).toBeCloseTo(now - before, 12);
    };
    expectFigure('Hồ sơ tiếp nhận', m.received.total, p.received.total);
    expectFigure('Giải quyết trễ hạn', m.onTime.late, p.onTime.late);
    expectFigure('Tỷ lệ đúng hạn', m.onTime.rate, p.onTime.rate);
    expectFigure('Thời gian giải quyết trung bình (giờ)', m.onTime.avgHours, p.onTime.avgHours);
    expectFigure('Lượt đánh giá', m.satisfaction.total, p.satisfaction.total);
    expectFigure('Tỷ lệ hài lòng', m.satisfaction.rate, p.satisfaction.rate);
    expectFigure('Hồ sơ đang quá hạn', m.open.overdue, null);
    const points = [...byLabel].find(([k]) => k.startsWith('Điểm Bộ chỉ số 766'))?.[1];
    expect(points?.[0]).toBe(score.score.points);
    expect(points?.[1]).toBe(prevScore.score.points);
    // Hand-checked against the events: 8 received last month, 5 of 7 finished on time.
    expect(m.received.total).toBe(10);
    expect(m.onTime.rate).toBeCloseTo(6 / 8, 12);
    expect(p.onTime.rate).toBeCloseTo(2 / 4, 12);
    expect(m.open.overdue).toBe(2);
    // Formats: a share shows as a percentage, a change in it as signed percentage points.
    const rateRow = rows(summary).findIndex((r) => r[0] === 'Tỷ lệ đúng hạn') + HEADER_ROW + 1;
    expect(summary.getCell(rateRow, 2).numFmt).toBe('0.0%');
    expect(summary.getCell(rateRow, 4).numFmt).toBe('+0.0%;-0.0%;0.0%');

    // Targets: the ones GET …/targets gives for the unit (own or inherited), on/off track and the
    // gap in percentage points; blank where none is set.
    expect(summary.getCell(HEADER_ROW, 5).value).toBe('Mục tiêu');
    const target = (figure: string) => targets.targets.find((t) => t.figure === figure);
    expect(target('onTime')).toMatchObject({ value: 0.7, inherited: true });
    expect(target('satisfaction')).toMatchObject({ value: 0.95, inherited: false });
    expect(target('score766')).toBeUndefined();
    const expectTarget = (label: string, figure: string, value: number | null) => {
      const [, , , t, status, gap] = byLabel.get(label) ?? [];
      const want = target(figure)?.value;
      expect(t, label).toBe(want);
      if (want === undefined || value === null) {
        expect(status ?? null, label).toBeNull();
        expect(gap ?? null, label).toBeNull();
        return;
      }
      const g = figure === 'score766' ? value - want : (value - want) * 100;
      expect(gap as number, label).toBeCloseTo(g, 9);
      expect(status, label).toBe(g >= 0 ? 'Đạt' : 'Chưa đạt');
    };
    expectTarget('Tỷ lệ đúng hạn', 'onTime', m.onTime.rate);
    expectTarget('Tỷ lệ hài lòng', 'satisfaction', m.satisfaction.rate);
    const pointsLabel = [...byLabel.keys()].find((k) => k.startsWith('Điểm Bộ chỉ số 766')) as string;
    expectTarget(pointsLabel, 'score766', score.score.points);
    for (const label of ['Hồ sơ tiếp nhận', 'Lượt đánh giá', 'Hồ sơ đang quá hạn'])
      expect(byLabel.get(label)?.slice(3), label).toEqual([]);
    // 0.75 against 0.7: on track by 5 points; 0.8 against 0.95 off track.
    expect(byLabel.get('Tỷ lệ đúng hạn')?.[4]).toBe('Đạt');
    expect(byLabel.get('Tỷ lệ hài lòng')?.[4]).toBe('Chưa đạt');
    expect(summary.getCell(rateRow, 5).numFmt).toBe('0.0%');

    // Procedures: the rows of GET …/procedures for the same unit and window, then the total.
    const proc = wb.getWorksheet('Thủ tục') as ExcelJS.Worksheet;
    expect(proc.views[0]).toMatchObject({ state: 'frozen', ySplit: HEADER_ROW });
    const procRows = rows(proc);
    const figuresOf = (p: ProcedureList['total']) =>
      [
        p.received,
        p.early,
        p.onTime,
        p.late,
        p.unknown,
        p.onTimeRate,
        p.satisfaction.total,
        p.satisfaction.rate,
        p.open.total,
        p.open.overdue,
        p.open.dueSoon,
        p.open.waitingSupplement,
      ].map((v) => v ?? undefined);
    // The ratings carry no procedure: they are the row without a code.
    expect(procedures.items.map((p) => p.code)).toEqual(['1.001612', '2.000794', '']);
    expect(procRows).toHaveLength(procedures.items.length + 1);
    for (const [i, p] of procedures.items.entries()) {
      expect(procRows[i][0]).toBe(p.code || '(không có mã thủ tục)');
      expect(procRows[i][1]).toBe(p.name ?? undefined);
      expect(procRows[i].slice(2)).toEqual(figuresOf(p));
    }
    expect(procRows[1][1]).toBe('Chứng thực bản sao');
    expect(procRows.at(-1)?.slice(2)).toEqual(figuresOf(procedures.total));
    expect(procedures.total.received).toBe(m.received.total);
    expect(proc.getCell(HEADER_ROW + 1, 8).numFmt).toBe('0.0%');
    // The ratings are on the row without a code; the total has them too.
    expect(proc.getCell(HEADER_ROW + procRows.length, 10).numFmt).toBe('0.0%');
    expect(proc.getRow(HEADER_ROW + procRows.length).font?.bold).toBe(true);
    expect(proc.getCell(HEADER_ROW + 1, 3).numFmt).toBe('#,##0');
    expect(proc.getColumn(2).width).toBeGreaterThanOrEqual('Chứng thực bản sao'.length);

    const children = wb.getWorksheet('Đơn vị trực thuộc') as ExcelJS.Worksheet;
    const childRows = rows(children);
    expect(childRows).toHaveLength(snap.children.length + 1);
    for (const [i, c] of snap.children.entries()) {
      const r = childRows[i];
      expect(r[0]).toBe(c.unit.code);
      expect(r[1]).toBe(c.unit.name);
      expect(r.slice(2)).toEqual(
        [
          c.metrics.received.total,
          c.metrics.received.direct,
          c.metrics.received.online,
          c.metrics.received.postal,
          c.metrics.onTime.early,
          c.metrics.onTime.onTime,
          c.metrics.onTime.late,
          c.metrics.onTime.rate,
          c.metrics.onTime.avgHours,
          c.metrics.satisfaction.total,
          c.metrics.satisfaction.rate,
          c.metrics.open.total,
          c.metrics.open.overdue,
          c.metrics.onTime.index766,
        ].map((v) => v ?? undefined),
      );
    }
    expect(childRows.at(-1)?.[2]).toBe(m.received.total);
    expect(children.getCell(HEADER_ROW + 1, 10).numFmt).toBe('0.0%');
    expect(typeof children.getCell(HEADER_ROW + 1, 3).value).toBe('number');

    const od = rows(wb.getWorksheet('Hồ sơ quá hạn') as ExcelJS.Worksheet);
    expect(od.map((r) => r[0])).toEqual(overdue.items.map((d) => d.dossierCode));
    for (const [i, d] of overdue.items.entries()) {
      expect(od[i][3]).toBeInstanceOf(Date);
      expect((od[i][3] as Date).getTime()).toBe(wallClock(d.receivedAt as string));
      expect((od[i][4] as Date).getTime()).toBe(wallClock(d.deadline));
      expect(od[i][1]).toBe(d.unitName);
    }
    expect(od).toHaveLength(2);

    const sc = rows(wb.getWorksheet('Bộ chỉ số 766') as ExcelJS.Worksheet);
    expect(sc.at(-1)?.[7]).toBe(score.score.points);
    expect(sc.at(-1)?.[3]).toBe(score.score.max);
    for (const g of score.score.groups) {
      for (const c of g.criteria) {
        const r = sc.find((x) => x[1] === c.code);
        expect(r?.[7], c.code).toBe(c.measured ? (c.points ?? undefined) : 'chưa đo được');
        expect(r?.[2]).toBe(c.name.vi);
      }
    }

    // The notes meeting the month, as the annotations API gives them, dates as dates.
    const api = (await apiGet(s.dashboardUrl, `/api/v1/units/${d0}/annotations?window=${month}`, district))
      .body as unknown as AnnotationList;
    expect(api.items.map((n) => n.text)).toEqual(['Mất mạng cả buổi sáng']);
    const notes = rows(wb.getWorksheet('Ghi chú') as ExcelJS.Worksheet);
    expect(notes.map((n) => [n[2], n[3], n[4]])).toEqual(
      api.items.map((n) => [n.unit.name, n.text, n.author]),
    );
    expect(notes[0][4]).toBe('test district');
    expect((notes[0][0] as Date).getTime()).toBe(wallClock(api.items[0].from));
    expect((notes[0][1] as Date).getTime() - (notes[0][0] as Date).getTime()).toBe(3 * HOUR);
  });

  it('lists the window’s latest ratings as GET …/ratings?window= does, without comments', async () => {
    for (const unit of [c0, d0]) {
      const { status, wb, body } = await fetchXlsx(
        s.dashboardUrl,
        `/api/v1/units/${unit}/report.xlsx?window=${month}`,
        city,
      );
      expect(status).toBe(200);
      const api = (
        await apiGet(s.dashboardUrl, `/api/v1/units/${unit}/ratings?window=${month}&limit=500`, city)
      ).body as unknown as RatingList;
      const ws = wb.getWorksheet('Đánh giá gần nhất') as ExcelJS.Worksheet;
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: HEADER_ROW });
      expect((ws.getRow(HEADER_ROW).values as string[]).slice(1, 5)).toEqual([
        'Thời gian',
        'Đơn vị',
        'Quầy',
        'Mức đánh giá',
      ]);
      const LEVEL = { very_satisfied: 'Rất hài lòng', satisfied: 'Hài lòng', unsatisfied: 'Không hài lòng' };
      const ratings = rows(ws);
      // Last month's only (not the month before's), newest first, times as Excel dates.
      expect(ratings.map((r) => [(r[0] as Date).getTime(), r[1], r[2], r[3]])).toEqual(
        api.items.map((x) => [wallClock(x.time), x.unitName, x.deskCode, LEVEL[x.level]]),
      );
      expect(ratings.map((r) => r[3])).toEqual(
        unit === c0
          ? ['Không hài lòng', 'Hài lòng', 'Hài lòng', 'Hài lòng']
          : ['Không hài lòng', 'Hài lòng', 'Hài lòng', 'Hài lòng', 'Rất hài lòng'],
      );
      // The criteria the citizen gave, by name.
      const withCriteria = ratings[0];
      expect(withCriteria.slice(4, 6)).toEqual(['Không hài lòng', 'Rất hài lòng']);
      expect((ws.getRow(HEADER_ROW).values as string[]).slice(5, 7)).toEqual([
        'Tiêu chí: Thời gian',
        'Tiêu chí: Thái độ',
      ]);
      // The comment is on the read API for people, never in a file that gets mailed around.
      expect(api.items.some((x) => x.comment === 'Nguyễn Văn A chờ quá lâu')).toBe(true);
      const all = wb.worksheets.flatMap((w) => rows(w).flat().map(String)).join('\n');
      expect(all).not.toContain('Nguyễn Văn A');
      expect(body.includes(Buffer.from('Nguyễn Văn A'))).toBe(false);
    }
  });

  it('checks scope, display tokens and the window on the server', async () => {
    const path = `/api/v1/units/${d0}/report.xlsx?window=${month}`;
    expect((await apiGet(s.dashboardUrl, path, display)).status).toBe(403);
    expect((await apiGet(s.dashboardUrl, path, otherDistrict)).status).toBe(403);
    expect((await apiGet(s.dashboardUrl, path)).status).toBe(401);
    const bad = await apiGet(s.dashboardUrl, `/api/v1/units/${d0}/report.xlsx?window=2026-13`, district);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('window');
    expect(parsePeriod(month)).not.toBeNull();
  });

  it('prints the unit page to an A4 PDF whose text has the unit, the period and the headline numbers', async () => {
    const res = await fetch(`${s.dashboardUrl}/api/v1/units/${d0}/report.pdf?window=${month}`, {
      headers: { authorization: `Bearer ${district}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toContain(`motcua-${d0}-${month}.pdf`);
    const pdf = Buffer.from(await res.arrayBuffer());
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = join(SCREENSHOT_DIR, 'report-district-portrait.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    const snap = (await apiGet(s.dashboardUrl, `/api/v1/units/${d0}/metrics?window=${month}`, district))
      .body as unknown as Snapshot;
    expect(text).toContain('Quận Thử Nghiệm 0');
    expect(text).toContain(`Tháng ${Number(month.slice(5))}/${month.slice(0, 4)}`);
    expect(text).toContain('Số liệu đến');
    // The KPI tiles write the number and the `%` in their own elements: the text may or may not have a space between.
    const pct = (r: number) =>
      new RegExp(
        `${new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(r * 100)}\\s*%`,
      );
    expect(text).toMatch(pct(snap.metrics.onTime.rate as number));
    expect(text).toMatch(pct(snap.metrics.satisfaction.rate as number));
    // Page numbers at the foot, no navigation chrome.
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1]);
    expect(pages).toBeGreaterThan(1);
    for (let n = 1; n <= pages; n++) expect(text).toMatch(new RegExp(`\\b${n} ?/ ?${pages}\\b`));
    expect(text).not.toContain('Tải CSV');
    // The first page as an image, to look at.
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '60',
      '-f',
      '1',
      '-l',
      '2',
      file,
      join(SCREENSHOT_DIR, 'report-district-portrait'),
    ]);
    const landscape = await fetch(
      `${s.dashboardUrl}/api/v1/units/${c0}/report.pdf?window=${month}&orientation=landscape`,
      { headers: { authorization: `Bearer ${district}` } },
    );
    expect(landscape.status).toBe(200);
    const lfile = join(SCREENSHOT_DIR, 'report-commune-landscape.pdf');
    writeFileSync(lfile, Buffer.from(await landscape.arrayBuffer()));
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '60',
      '-f',
      '1',
      '-l',
      '1',
      lfile,
      join(SCREENSHOT_DIR, 'report-commune-landscape'),
    ]);
    const info = execFileSync('pdfinfo', [lfile], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:\s+841\.\d+ x 59[45]\.\d+/); // A4 landscape: 841.92 x 594.96 pt
  });

  it('explains a missing Chromium, and the Excel report still goes out', async () => {
    const logged = vi.spyOn(console, 'error');
    const bare = await startTestSystem(
      'pglite',
      { districts: 1, communesPerDistrict: 1 },
      { chromiumPath: '/nonexistent/chromium' },
    );
    let browser: Browser | undefined;
    try {
      // One log line at start says why there is no PDF and what to do.
      const lines = logged.mock.calls.map((c) => String(c[0]));
      logged.mockRestore();
      expect(lines.filter((l) => l.includes('no Chromium at /nonexistent/chromium'))).toHaveLength(1);
      expect(lines.find((l) => l.includes('no Chromium'))).toContain('MOTCUA_CHROMIUM_PATH');
      const token = await bare.viewer('city', bare.tree.city);
      const pdf = await apiGet(
        bare.dashboardUrl,
        `/api/v1/units/${bare.tree.city}/report.pdf?window=month`,
        token,
      );
      expect(pdf.status).toBe(503);
      const message = (pdf.body as { error: { message: string } }).error.message;
      expect(message).toContain('no Chromium at /nonexistent/chromium');
      expect(message).toContain('MOTCUA_CHROMIUM_PATH');
      expect(message).toContain('report.xlsx');
      const xlsx = await fetchXlsx(
        bare.dashboardUrl,
        `/api/v1/units/${bare.tree.city}/report.xlsx?window=month`,
        token,
      );
      expect(xlsx.status).toBe(200);
      // In the browser: the unit page's PDF button is disabled and says why; Excel is still a link.
      const district = await bare.viewer('district', bare.tree.districts[0]);
      browser = await launchChromium();
      const page = await browser.newPage({ locale: 'vi-VN' });
      await page.goto(`${bare.dashboardUrl}/?token=${district}`);
      await page.waitForURL((u) => !u.search.includes('token='));
      await page.goto(`${bare.dashboardUrl}/units/${bare.tree.districts[0]}`);
      const pdfButton = page.getByRole('button', { name: 'PDF' });
      await pdfButton.waitFor();
      expect(await pdfButton.isDisabled()).toBe(true);
      expect(await pdfButton.getAttribute('title')).toContain('máy chủ chưa cài trình duyệt Chromium');
      expect(await page.locator('#pdf-missing').textContent()).toContain('Báo cáo Excel vẫn tải được');
      expect(await page.getByRole('link', { name: 'Excel' }).getAttribute('href')).toContain('report.xlsx');
      await screenshot(page, 'reports-no-chromium-unit');
      // The digests page warns that PDF digests carry the Excel report only.
      await page.goto(`${bare.dashboardUrl}/reports`);
      await page.getByText('chưa in được PDF').waitFor();
      expect(await page.getByRole('status').filter({ hasText: 'Chromium' }).textContent()).toContain(
        'sẽ chỉ kèm báo cáo Excel',
      );
      await screenshot(page, 'reports-no-chromium-digests');
    } finally {
      logged.mockRestore();
      await browser?.close();
      await bare.close();
    }
  });
});

/**
 * The print view in Chromium itself (`page.pdf()`, what "Save as PDF" gives): a city with 30
 * districts, so its league table is longer than a page and must run on instead of being cut; a
 * commune whose rating has a comment the screen shows a person but paper never carries.
 */
describe('print view', () => {
  let s: TestSystem;
  let browser: Browser;
  let token: string;
  let c0: string;
  const COMMENT = 'Chị Trần Thị B được hướng dẫn rất tận tình';

  beforeAll(async () => {
    s = await startTestSystem('pglite', { districts: 30, communesPerDistrict: 1 });
    token = await s.viewer('city', s.tree.city);
    c0 = s.tree.communes[0];
    const now = Date.now();
    const events = [
      received(c0, 'P-1', now + 5 * 24 * HOUR, { time: now - 2 * HOUR }),
      dossierEvent(c0, 'resolved', 'P-1', { time: now - HOUR }),
      rating(c0, 'very_satisfied', { time: now - 30 * 60_000 }, { comment: COMMENT }),
    ];
    expect((await postBatch(s.ingestUrl, await s.deskKey(c0), events)).body.rejected).toBe(0);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  /** The unit page printed by Chromium as the browser's print dialog would, and its text. */
  async function print(code: string, orientation: 'portrait' | 'landscape') {
    const ctx = await browser.newContext({
      viewport: orientation === 'portrait' ? { width: 760, height: 1060 } : { width: 1080, height: 740 },
      locale: 'vi-VN',
    });
    const page = await ctx.newPage();
    await page.goto(`${s.dashboardUrl}/?token=${token}`);
    await page.waitForURL((u) => !u.search.includes('token='));
    await page.goto(`${s.dashboardUrl}/units/${code}?window=today`);
    // Every chart drawn (EChart.svelte marks ECharts' `finished`), as the server's PDF waits.
    await page.waitForFunction(() => {
      type Doc = { querySelectorAll(s: string): ArrayLike<{ hasAttribute(name: string): boolean }> };
      const charts = Array.from(
        (globalThis as unknown as { document: Doc }).document.querySelectorAll('.chart'),
      );
      return charts.length > 0 && charts.every((c) => c.hasAttribute('data-rendered'));
    });
    const screenText = await page.locator('main').textContent();
    await page.emulateMedia({ media: 'print' });
    await page.addStyleTag({ content: `@page { size: A4 ${orientation}; }` });
    // What stays on paper: no form, no control except the table heads' (their text is the head).
    const controls = await page.evaluate(() => {
      type El = { tagName: string; closest(s: string): unknown; getClientRects(): ArrayLike<unknown> };
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<El> } })
        .document;
      return Array.from(
        doc.querySelectorAll('main form, main button, main input, main select, main textarea'),
      )
        .filter((e) => e.getClientRects().length > 0 && !e.closest('th'))
        .map((e) => e.tagName);
    });
    const name = `print-${code}-${orientation}`;
    const file = join(SCREENSHOT_DIR, `${name}.pdf`);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    writeFileSync(
      file,
      await page.pdf({
        format: 'A4',
        landscape: orientation === 'landscape',
        printBackground: true,
        preferCSSPageSize: true,
      }),
    );
    // After printing (a resize redraws the charts). At the paper's width between the margins (A4 less 2 × 11 mm, 96 px per inch) no table runs
    // past the page's right edge, where paper would cut its last columns.
    await page.setViewportSize({ width: orientation === 'portrait' ? 710 : 1039, height: 1000 });
    const cut = await page.evaluate(() => {
      type Box = {
        getBoundingClientRect(): { right: number };
        closest(s: string): Box | null;
        getAttribute(name: string): string | null;
      };
      const doc = (
        globalThis as unknown as {
          document: { querySelectorAll(s: string): ArrayLike<Box>; documentElement: { clientWidth: number } };
        }
      ).document;
      const width = doc.documentElement.clientWidth;
      return Array.from(doc.querySelectorAll('main table'))
        .filter((t) => t.getBoundingClientRect().right > width + 1)
        .map((t) => t.closest('section')?.getAttribute('aria-labelledby') ?? 'table');
    });
    await ctx.close();
    execFileSync('pdftoppm', ['-png', '-r', '50', file, join(SCREENSHOT_DIR, name)]);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1]);
    return { screenText, text, pages, controls, cut };
  }

  for (const orientation of ['portrait', 'landscape'] as const) {
    it(`runs the city's league table on across pages, with the heatmap, no controls (${orientation})`, async () => {
      const { text, pages, controls, cut } = await print(s.tree.city, orientation);
      expect(controls).toEqual([]);
      expect(cut).toEqual([]);
      expect(text).toContain('Xếp hạng');
      // Every district's row is on paper: the table runs on to the next pages instead of being cut.
      const names = s.tree.districts.map((_, d) => `Quận Thử Nghiệm ${d}`);
      for (const n of names) expect(text).toMatch(new RegExp(`${n}(?!\\d)`));
      expect(pages).toBeGreaterThan(2);
      expect(text).toContain('Hài lòng theo giờ trong tuần');
      expect(text).toMatch(new RegExp(`\\b${pages} ?/ ?${pages}\\b`));
    });
  }

  it('prints a commune’s ratings without the citizens’ comments', async () => {
    const { screenText, text, controls } = await print(c0, 'portrait');
    expect(screenText).toContain(COMMENT);
    expect(text).toContain('Đánh giá mới nhất');
    expect(text).toContain('Rất hài lòng');
    expect(text).not.toContain('Trần Thị B');
    expect(text).toContain('Hài lòng theo giờ trong tuần');
    expect(controls).toEqual([]);
  });
});
