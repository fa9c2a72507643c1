import { CRITERIA, type Criterion } from '@motcua/contract';
import ExcelJS from 'exceljs';
import type { ReportData } from './collect.ts';
import { type FigureKind, headlines, localDateTimeText, windowText } from './headline.ts';

/** Sheet names (Excel allows 31 characters, no `/`). */
export const SHEETS = {
  summary: 'Tổng hợp',
  children: 'Đơn vị trực thuộc',
  procedures: 'Thủ tục',
  overdue: 'Hồ sơ quá hạn',
  ratings: 'Đánh giá gần nhất',
  scorecard: 'Bộ chỉ số 766',
  notes: 'Ghi chú',
} as const;

/** Rows above a sheet's table: the title, the period and as-of line, a blank row, the header. */
export const HEADER_ROW = 4;

const FORMATS: Record<FigureKind, string> = {
  count: '#,##0',
  rate: '0.0%',
  hours: '#,##0.0',
  points: '#,##0.00',
};
/** A change in a share is in percentage points, shown as a signed percentage. */
const CHANGE_FORMATS: Record<FigureKind, string> = {
  count: '+#,##0;-#,##0;0',
  rate: '+0.0%;-0.0%;0.0%',
  hours: '+#,##0.0;-#,##0.0;0.0',
  points: '+#,##0.00;-#,##0.00;0.00',
};
const DATE_FORMAT = 'dd/mm/yyyy hh:mm';
const NOT_MEASURED = 'chưa đo được';
const ON_TRACK = 'Đạt';
const OFF_TRACK = 'Chưa đạt';
/** A gap to a target: percentage points for a share, points for the 766 score. */
const GAP_FORMAT = '+#,##0.0;-#,##0.0;0.0';
/** A procedure row without a procedure code. */
const NO_PROCEDURE = '(không có mã thủ tục)';

/**
 * A local time (`…+07:00`) as an Excel date. Excel dates carry no time zone: the cell holds the
 * local wall-clock time, so a `Date` whose UTC fields are the local ones.
 */
export function excelLocalDate(rfc3339: string): Date {
  return new Date(`${rfc3339.slice(0, 19)}Z`);
}

interface Column {
  header: string;
  format?: string;
}

type Cell = string | number | Date | null;

/** A sheet with the report's title rows, a frozen bold header and columns sized to their text. */
function table(wb: ExcelJS.Workbook, name: string, r: ReportData, columns: Column[], rows: Cell[][]) {
  const ws = wb.addWorksheet(name, {
    views: [{ state: 'frozen', ySplit: HEADER_ROW, xSplit: 0 }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  ws.getCell(1, 1).value = `${name} — ${r.unit.name} (${r.unit.code})`;
  ws.getCell(1, 1).font = { bold: true, size: 14 };
  ws.getCell(2, 1).value = `Kỳ báo cáo: ${windowText(r.window)} · Số liệu đến: ${localDateTimeText(r.asOf)}`;
  const header = ws.getRow(HEADER_ROW);
  columns.forEach((c, i) => {
    header.getCell(i + 1).value = c.header;
  });
  header.font = { bold: true };
  header.alignment = { wrapText: true, vertical: 'middle' };
  header.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
    cell.border = { bottom: { style: 'thin' } };
  });
  rows.forEach((values, i) => {
    const row = ws.getRow(HEADER_ROW + 1 + i);
    values.forEach((v, j) => {
      const cell = row.getCell(j + 1);
      cell.value = v;
      const format = columns[j].format;
      if (v instanceof Date) cell.numFmt = DATE_FORMAT;
      else if (typeof v === 'number' && format) cell.numFmt = format;
    });
  });
  // Widths from the longest text a column shows (header words wrap, so its longest word counts).
  columns.forEach((c, j) => {
    let width = Math.max(...c.header.split(' ').map((w) => w.length), 8);
    for (const values of rows) {
      const v = values[j];
      const len =
        v instanceof Date
          ? 16
          : typeof v === 'number'
            ? v.toLocaleString('vi-VN').length + 2
            : (v ?? '').length;
      width = Math.max(width, len);
    }
    ws.getColumn(j + 1).width = Math.min(width + 2, 70);
  });
  return ws;
}

const pct = { format: FORMATS.rate };
const int = { format: FORMATS.count };

/** The report as an .xlsx workbook: real numbers and dates, Vietnamese headers. */
export async function reportXlsx(r: ReportData): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Một Cửa Live';
  wb.created = excelLocalDate(r.asOf);

  const figures = headlines(r);
  const summary = table(
    wb,
    SHEETS.summary,
    r,
    [
      { header: 'Chỉ tiêu' },
      { header: 'Kỳ này' },
      { header: `Kỳ trước (${windowText(r.previous)})` },
      { header: 'Thay đổi' },
      { header: 'Mục tiêu' },
      { header: 'Đánh giá' },
      { header: 'Chênh lệch so với mục tiêu (điểm)', format: GAP_FORMAT },
    ],
    figures.map((f) => [
      f.vi,
      f.value ?? NOT_MEASURED,
      f.previous,
      f.change,
      f.target,
      f.onTrack === null ? null : f.onTrack ? ON_TRACK : OFF_TRACK,
      f.gap,
    ]),
  );
  figures.forEach((f, i) => {
    const row = summary.getRow(HEADER_ROW + 1 + i);
    for (const col of [2, 3, 5])
      if (typeof row.getCell(col).value === 'number') row.getCell(col).numFmt = FORMATS[f.kind];
    if (typeof row.getCell(4).value === 'number') row.getCell(4).numFmt = CHANGE_FORMATS[f.kind];
    if (f.onTrack !== null) row.getCell(6).font = { color: { argb: f.onTrack ? 'FF1B7A34' : 'FFB42318' } };
  });
  const note = summary.getRow(HEADER_ROW + figures.length + 2);
  note.getCell(1).value =
    'Tỷ lệ: thay đổi và chênh lệch so với mục tiêu tính bằng điểm phần trăm; điểm 766: bằng điểm. Mục tiêu là mục tiêu đang áp dụng của đơn vị (của đơn vị hoặc kế thừa từ cấp trên); để trống nếu chưa đặt. Hồ sơ đang giải quyết và quá hạn tính tại thời điểm số liệu, không so với kỳ trước.';
  note.getCell(1).font = { italic: true };

  const childColumns: Column[] = [
    { header: 'Mã' },
    { header: 'Tên đơn vị' },
    { header: 'Hồ sơ tiếp nhận', ...int },
    { header: 'Trực tiếp', ...int },
    { header: 'Trực tuyến', ...int },
    { header: 'Bưu chính', ...int },
    { header: 'Giải quyết sớm hạn', ...int },
    { header: 'Đúng hạn', ...int },
    { header: 'Trễ hạn', ...int },
    { header: 'Tỷ lệ đúng hạn', ...pct },
    { header: 'Thời gian TB (giờ)', format: FORMATS.hours },
    { header: 'Lượt đánh giá', ...int },
    { header: 'Tỷ lệ hài lòng', ...pct },
    { header: 'Đang giải quyết', ...int },
    { header: 'Đang quá hạn', ...int },
    { header: 'Chỉ số 766 (đúng hạn)', ...pct },
  ];
  const childRow = (code: string, name: string, m: ReportData['snapshot']['metrics']): Cell[] => [
    code,
    name,
    m.received.total,
    m.received.direct,
    m.received.online,
    m.received.postal,
    m.onTime.early,
    m.onTime.onTime,
    m.onTime.late,
    m.onTime.rate,
    m.onTime.avgHours,
    m.satisfaction.total,
    m.satisfaction.rate,
    m.open.total,
    m.open.overdue,
    m.onTime.index766,
  ];
  const children = r.snapshot.children.map((c) => childRow(c.unit.code, c.unit.name, c.metrics));
  children.push(childRow(r.unit.code, `Tổng: ${r.unit.name}`, r.snapshot.metrics));
  const childSheet = table(wb, SHEETS.children, r, childColumns, children);
  childSheet.getRow(HEADER_ROW + children.length).font = { bold: true };

  // The same figures as GET …/procedures for the unit and window, then its total.
  type Procedure = ReportData['procedures']['total'];
  const procedureRow = (code: string, name: string | null, p: Procedure): Cell[] => [
    code,
    name,
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
  ];
  const procedures = r.procedures.items.map((p) => procedureRow(p.code || NO_PROCEDURE, p.name, p));
  procedures.push(procedureRow('Tổng', `Tổng: ${r.unit.name}`, r.procedures.total));
  const procedureSheet = table(
    wb,
    SHEETS.procedures,
    r,
    [
      { header: 'Mã thủ tục' },
      { header: 'Tên thủ tục' },
      { header: 'Hồ sơ tiếp nhận', ...int },
      { header: 'Giải quyết sớm hạn', ...int },
      { header: 'Đúng hạn', ...int },
      { header: 'Trễ hạn', ...int },
      { header: 'Chưa rõ kết quả', ...int },
      { header: 'Tỷ lệ đúng hạn', ...pct },
      { header: 'Lượt đánh giá', ...int },
      { header: 'Tỷ lệ hài lòng', ...pct },
      { header: 'Đang giải quyết', ...int },
      { header: 'Đang quá hạn', ...int },
      { header: 'Sắp đến hạn (24 giờ)', ...int },
      { header: 'Chờ bổ sung', ...int },
    ],
    procedures,
  );
  procedureSheet.getRow(HEADER_ROW + procedures.length).font = { bold: true };

  const REASONS = {
    late: 'Quá hạn',
    supplements: 'Yêu cầu bổ sung từ 2 lần',
    rescheduled: 'Đã hẹn lại',
  } as const;
  table(
    wb,
    SHEETS.overdue,
    r,
    [
      { header: 'Mã hồ sơ' },
      { header: 'Đơn vị' },
      { header: 'Quầy' },
      { header: 'Ngày tiếp nhận' },
      { header: 'Hạn giải quyết' },
      { header: 'Lý do' },
    ],
    r.overdue.items.map((d) => [
      d.dossierCode,
      d.unitName,
      d.deskCode,
      d.receivedAt === null ? null : excelLocalDate(d.receivedAt),
      excelLocalDate(d.deadline),
      REASONS[d.reason],
    ]),
  );

  const LEVELS = {
    very_satisfied: 'Rất hài lòng',
    satisfied: 'Hài lòng',
    unsatisfied: 'Không hài lòng',
  } as const;
  // No comment and no dossier code: a citizen's words may name people, and the file gets mailed around.
  const CRITERIA_VI: Record<Criterion, string> = {
    time: 'Thời gian',
    attitude: 'Thái độ',
    guidance: 'Hướng dẫn',
    visits: 'Số lần đi lại',
    transparency: 'Công khai, minh bạch',
  };
  table(
    wb,
    SHEETS.ratings,
    r,
    [
      { header: 'Thời gian' },
      { header: 'Đơn vị' },
      { header: 'Quầy' },
      { header: 'Mức đánh giá' },
      ...CRITERIA.map((c) => ({ header: `Tiêu chí: ${CRITERIA_VI[c]}` })),
    ],
    r.ratings.items.map((x) => [
      excelLocalDate(x.time),
      x.unitName,
      x.deskCode,
      LEVELS[x.level],
      ...CRITERIA.map((c) => {
        const level = x.criteria?.[c];
        return level ? LEVELS[level] : null;
      }),
    ]),
  );

  const score = r.scorecard.score;
  const scoreRows: Cell[][] = [];
  for (const g of score.groups) {
    for (const c of g.criteria) {
      scoreRows.push([
        g.code,
        c.code,
        c.name.vi,
        c.max,
        c.numerator,
        c.denominator,
        c.measured ? c.rate : null,
        c.measured ? c.points : NOT_MEASURED,
        c.reason?.text.vi ?? null,
      ]);
    }
  }
  for (const g of score.groups)
    scoreRows.push([g.code, `Nhóm ${g.code}`, g.name.vi, g.measuredMax, null, null, null, g.points, null]);
  scoreRows.push([
    null,
    'Tổng',
    'Tổng điểm (tiêu chí đo được)',
    score.max,
    null,
    null,
    null,
    score.points,
    null,
  ]);
  const scoreSheet = table(
    wb,
    SHEETS.scorecard,
    r,
    [
      { header: 'Nhóm' },
      { header: 'Tiêu chí' },
      { header: 'Nội dung' },
      { header: 'Điểm tối đa', format: FORMATS.points },
      { header: 'Tử số', format: '#,##0.##' },
      { header: 'Mẫu số', format: '#,##0.##' },
      { header: 'Tỷ lệ', ...pct },
      { header: 'Điểm', format: FORMATS.points },
      { header: 'Ghi chú' },
    ],
    scoreRows,
  );
  // 2.2 is an average in days, not a share.
  scoreRows.forEach((row, i) => {
    if (row[1] === '2.2' && typeof row[6] === 'number')
      scoreSheet.getRow(HEADER_ROW + 1 + i).getCell(7).numFmt = '#,##0.0 "ngày"';
  });
  scoreSheet.getRow(HEADER_ROW + scoreRows.length).font = { bold: true };

  // The notes the unit's charts show over the window ("what happened that day?"), with their author.
  table(
    wb,
    SHEETS.notes,
    r,
    [
      { header: 'Từ', format: DATE_FORMAT },
      { header: 'Đến', format: DATE_FORMAT },
      { header: 'Đơn vị' },
      { header: 'Nội dung' },
      { header: 'Người ghi' },
    ],
    r.notes.map((n) => [
      excelLocalDate(n.from),
      n.to === null ? null : excelLocalDate(n.to),
      n.unit.name,
      n.text,
      n.author,
    ]),
  );

  return Buffer.from(await wb.xlsx.writeBuffer());
}
