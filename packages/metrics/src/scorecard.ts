/**
 * The Decision 766 service index (100 points in 5 groups, published by the national public
 * service portal) of one unit over one window: the ONE place where every 766 formula, points
 * rule and zero-denominator rule lives, with the names and the reasons for what is not measured.
 *
 * No official text of these formulas has been found. They are reconstructed from the portal's own
 * published data and an unofficial formula document (docs/metrics.md, "766 scorecard", gives the
 * sources and the conflicts between them). When an official text turns up, correct them here and
 * nowhere else: the read path, the API, the CSV and the pages all take their numbers from this file.
 */
import type {
  AtRisk,
  Risk,
  Score,
  ScorecardCriterion,
  ScorecardGroup,
  ScorecardReason,
} from '@motcua/contract';
import { DAY } from './time.ts';
import type { BucketCounts, BucketField, CountsOf } from './types.ts';

/**
 * The bucket fields the formulas below read (the input is typed by them, so reading another one
 * does not compile): the read path sums these and no other rollup counter for a scorecard.
 */
export const SCORECARD_FIELDS = [
  'early',
  'onTime',
  'late',
  'procMs',
  'receivedDirect',
  'receivedOnline',
  'receivedPostal',
  'feeReported',
  'feeBearing',
  'feePaidOnline',
  'eResultReported',
  'eResult',
  'digitisationReported',
  'fullyDigitised',
  'reuseReported',
  'reusedData',
  'storeReported',
  'citizenStore',
  'populationReported',
  'populationData',
  'onTimeComplained',
  'petitionsHandled',
  'petitionsHandledOnTime',
  'petitionsClosed',
  'petitionsUnsatisfied',
] as const satisfies readonly BucketField[];
export type ScorecardCounts = CountsOf<(typeof SCORECARD_FIELDS)[number]>;

/**
 * Distinct procedure codes (a national code, `''` = unknown left out) among the dossiers received in
 * the window: those with a fee-bearing dossier, and those with a fee-bearing dossier paid online
 * (a subset). Not a sum: over several communes or desks it is the size of the union of their sets.
 */
export interface FeeProcedureCounts {
  feeBearing: number;
  paidOnline: number;
}

/** What the scorecard is computed from: rollup sums over the window and the open items at its end. */
export interface ScorecardInput {
  counts: ScorecardCounts;
  /** 3.5b: distinct procedures over the window (counted by the read path over `procedure_rollups`). */
  feeProcedures: FeeProcedureCounts;
  /** Open dossiers (total, and those of them already overdue). */
  openDossiers: { total: number; overdue: number };
  /** Open petitions: received, not yet handled. */
  openPetitions: { total: number; overdue: number };
}

type Text = { vi: string; en: string };

const REASON_TEXT: Record<ScorecardReason, Text> = {
  national_procedure_db: {
    vi: 'Cần Cơ sở dữ liệu quốc gia về thủ tục hành chính',
    en: 'Needs the national procedure database',
  },
  portal_sync: {
    vi: 'Cần nhật ký đồng bộ với Cổng Dịch vụ công quốc gia và số liệu báo cáo quốc gia',
    en: "Needs the national portal's sync log and national report counts",
  },
  service_catalogue: {
    vi: 'Cần danh mục dịch vụ công trực tuyến',
    en: 'Needs the catalogue of online services',
  },
  fee_catalogue: {
    vi: 'Cần danh mục thủ tục có nghĩa vụ tài chính đã tích hợp thanh toán',
    en: 'Needs the catalogue of fee-bearing procedures integrated with payment',
  },
  procedure_catalogue: {
    vi: 'Tính theo số thủ tục: cần danh mục thủ tục quốc gia',
    en: 'Counted in procedures: needs the national procedure catalogue',
  },
  certified_copies: {
    vi: 'Do hệ thống chứng thực điện tử cấp, quầy không báo',
    en: 'Issued by the e-certification system, not reported by desks',
  },
  not_reported: {
    vi: 'Không quầy nào báo dữ liệu này trong kỳ',
    en: 'No desk reported this in the window',
  },
  no_data: {
    vi: 'Mẫu số bằng 0: điểm theo quy tắc khi không có dữ liệu',
    en: 'Denominator 0: points by the no-data rule',
  },
};

/** What a zero denominator gives: no points, full points, or "not measured". */
type WhenEmpty = 'zero' | 'full' | 'not_measured';

interface Ratio {
  n: number;
  d: number;
  /** Whether any dossier in the window reported the facts behind it (default: yes). */
  reported?: boolean;
}

type Definition = { code: string; name: Text; max: number } & (
  | { kind: 'rate'; fullAt: number; whenEmpty: WhenEmpty; ratio(i: ScorecardInput): Ratio }
  | { kind: 'average' }
  | { kind: 'external'; reason: ScorecardReason }
);

const finished = (c: Pick<BucketCounts, 'early' | 'onTime' | 'late'>) => c.early + c.onTime + c.late;

/**
 * Every sub-criterion, per group, in the portal's order. `fullAt` is the rate at which the points
 * are full: 1 = linear (max × r); 0.8 = "capped", min(max, max × r ÷ 0.8); 0.5 and 0.9 = "full at
 * 50 %" and "full at 90 %".
 */
const GROUPS: { code: ScorecardGroup['code']; name: Text; max: number; criteria: Definition[] }[] = [
  {
    code: '1',
    name: { vi: 'Công khai, minh bạch', en: 'Publicity and transparency' },
    max: 18,
    criteria: [
      {
        code: '1.1',
        name: { vi: 'TTHC được công bố đúng hạn', en: 'Procedures announced on time' },
        max: 6,
        kind: 'external',
        reason: 'national_procedure_db',
      },
      {
        code: '1.2',
        name: { vi: 'Cập nhật, công khai TTHC đúng hạn', en: 'Procedures published on time' },
        max: 4,
        kind: 'external',
        reason: 'national_procedure_db',
      },
      {
        code: '1.3',
        name: { vi: 'Công khai đầy đủ nội dung TTHC', en: 'Procedures published in full' },
        max: 2,
        kind: 'external',
        reason: 'national_procedure_db',
      },
      {
        code: '1.4',
        name: {
          vi: 'Đồng bộ hồ sơ lên Cổng Dịch vụ công quốc gia',
          en: 'Dossier status synced to the national portal',
        },
        max: 6,
        kind: 'external',
        reason: 'portal_sync',
      },
    ],
  },
  {
    code: '2',
    name: { vi: 'Tiến độ, kết quả giải quyết', en: 'Progress and results of handling' },
    max: 20,
    criteria: [
      {
        // Finished in the window early or on time, plus open ones still in time, over finished
        // plus open (the snapshot's index766). No dossier at all: 0 points, as the portal gives.
        code: '2.1',
        name: { vi: 'Hồ sơ xử lý trước hạn, đúng hạn', en: 'Dossiers handled early or on time' },
        max: 20,
        kind: 'rate',
        fullAt: 1,
        whenEmpty: 'zero',
        ratio: ({ counts: c, openDossiers: o }) => ({
          n: c.early + c.onTime + o.total - o.overdue,
          d: finished(c) + o.total,
        }),
      },
      {
        code: '2.2',
        name: { vi: 'Thời gian giải quyết trung bình (ngày)', en: 'Average processing time (days)' },
        max: 0,
        kind: 'average',
      },
    ],
  },
  {
    code: '3',
    name: { vi: 'Cung cấp dịch vụ trực tuyến', en: 'Online service provision' },
    max: 22,
    criteria: [
      {
        code: '3.1',
        name: { vi: 'TTHC cung cấp dịch vụ công trực tuyến', en: 'Procedures offered online' },
        max: 2,
        kind: 'external',
        reason: 'service_catalogue',
      },
      {
        code: '3.2',
        name: { vi: 'Dịch vụ công trực tuyến có phát sinh hồ sơ', en: 'Online services with dossiers' },
        max: 4,
        kind: 'external',
        reason: 'service_catalogue',
      },
      {
        // The raw channel share: the portal also counts an e-result for a paper-result procedure
        // and multiplies by the sync ratio, which a desk feed does not know.
        code: '3.3',
        name: { vi: 'Hồ sơ nộp trực tuyến', en: 'Dossiers submitted online' },
        max: 6,
        kind: 'rate',
        fullAt: 0.5,
        whenEmpty: 'zero',
        ratio: ({ counts: c }) => ({
          n: c.receivedOnline,
          d: c.receivedDirect + c.receivedOnline + c.receivedPostal,
        }),
      },
      {
        code: '3.5',
        name: {
          vi: 'TTHC có nghĩa vụ tài chính tích hợp thanh toán trên Cổng',
          en: 'Fee-bearing procedures with payment on the portal',
        },
        max: 2,
        kind: 'external',
        reason: 'fee_catalogue',
      },
      {
        // Distinct procedures with a fee-bearing dossier paid online over distinct procedures with
        // a fee-bearing dossier, among the dossiers received in the window, capped (full at 80 %).
        // As 3.6: not measured when no dossier of the window reported its fee fact; fees reported
        // but no fee-bearing procedure: 0 points. Open dossiers cannot change it (no points at risk).
        code: '3.5b',
        name: {
          vi: 'TTHC có giao dịch thanh toán trực tuyến',
          en: 'Procedures with at least one online payment',
        },
        max: 2,
        kind: 'rate',
        fullAt: 0.8,
        whenEmpty: 'zero',
        ratio: ({ counts: c, feeProcedures: p }) => ({
          n: p.paidOnline,
          d: p.feeBearing,
          reported: c.feeReported > 0,
        }),
      },
      {
        code: '3.6',
        name: { vi: 'Hồ sơ thanh toán trực tuyến', en: 'Dossiers paid online' },
        max: 6,
        kind: 'rate',
        fullAt: 1,
        whenEmpty: 'zero',
        ratio: ({ counts: c }) => ({ n: c.feePaidOnline, d: c.feeBearing, reported: c.feeReported > 0 }),
      },
    ],
  },
  {
    code: '4',
    name: { vi: 'Số hóa hồ sơ', en: 'Digitisation of dossiers' },
    max: 22,
    criteria: [
      {
        code: '4.1',
        name: { vi: 'Hồ sơ được cấp kết quả điện tử', en: 'Dossiers with an electronic result' },
        max: 6,
        kind: 'rate',
        fullAt: 1,
        whenEmpty: 'not_measured',
        ratio: ({ counts: c }) => ({ n: c.eResult, d: c.eResultReported }),
      },
      {
        code: '4.2',
        name: {
          vi: 'Hồ sơ số hóa thành phần và kết quả',
          en: 'Dossiers digitised (inputs and result)',
        },
        max: 4,
        kind: 'rate',
        fullAt: 1,
        whenEmpty: 'not_measured',
        ratio: ({ counts: c }) => ({ n: c.fullyDigitised, d: c.digitisationReported }),
      },
      {
        code: '4.3',
        name: { vi: 'Tái sử dụng dữ liệu đã số hóa', en: 'Reuse of digitised data' },
        max: 2,
        kind: 'rate',
        fullAt: 0.8,
        whenEmpty: 'not_measured',
        ratio: ({ counts: c }) => ({ n: c.reusedData, d: c.reuseReported }),
      },
      {
        code: '4.4',
        name: { vi: 'Khai thác kho dữ liệu cá nhân', en: "Data from the citizen's data store" },
        max: 4,
        kind: 'rate',
        fullAt: 1,
        whenEmpty: 'not_measured',
        ratio: ({ counts: c }) => ({ n: c.citizenStore, d: c.storeReported }),
      },
      {
        code: '4.5a',
        name: { vi: 'TTHC khai thác dữ liệu dân cư', en: 'Procedures using population data' },
        max: 2,
        kind: 'external',
        reason: 'procedure_catalogue',
      },
      {
        code: '4.5b',
        name: {
          vi: 'Hồ sơ khai thác dữ liệu dân cư (VNeID)',
          en: 'Dossiers using population data (VNeID)',
        },
        max: 2,
        kind: 'rate',
        fullAt: 1,
        whenEmpty: 'not_measured',
        ratio: ({ counts: c }) => ({ n: c.populationData, d: c.populationReported }),
      },
      {
        code: 'ecopy',
        name: { vi: 'Chứng thực bản sao điện tử', en: 'Electronic certified copies' },
        max: 2,
        kind: 'external',
        reason: 'certified_copies',
      },
    ],
  },
  {
    code: '5',
    name: { vi: 'Mức độ hài lòng', en: 'Satisfaction' },
    max: 18,
    criteria: [
      {
        // Handled on time (first step within its deadline) plus open ones still in time, over
        // handled plus open. No petition at all: full points, as the portal gives.
        code: '5.2',
        name: { vi: 'Phản ánh, kiến nghị xử lý đúng hạn', en: 'Petitions handled on time' },
        max: 6,
        kind: 'rate',
        fullAt: 1,
        whenEmpty: 'full',
        ratio: ({ counts: c, openPetitions: o }) => ({
          n: c.petitionsHandledOnTime + o.total - o.overdue,
          d: c.petitionsHandled + o.total,
        }),
      },
      {
        code: '5.3',
        name: {
          vi: 'Hài lòng về xử lý phản ánh, kiến nghị',
          en: 'Satisfaction with petition handling',
        },
        max: 6,
        kind: 'rate',
        fullAt: 1,
        whenEmpty: 'full',
        ratio: ({ counts: c }) => ({ n: c.petitionsClosed - c.petitionsUnsatisfied, d: c.petitionsClosed }),
      },
      {
        // "100 % − (late share + complained share)" of finished dossiers = (in time − complained) ÷ finished.
        code: '5.4',
        name: {
          vi: 'Hài lòng về tiếp nhận, giải quyết hồ sơ',
          en: 'Satisfaction with dossier reception and handling',
        },
        max: 6,
        kind: 'rate',
        fullAt: 0.9,
        whenEmpty: 'zero',
        ratio: ({ counts: c }) => ({ n: c.early + c.onTime - c.onTimeComplained, d: finished(c) }),
      },
    ],
  },
];

/** The points of a rate: max × r when linear (fullAt 1), else min(max, max × r ÷ fullAt). */
export function ratePoints(max: number, fullAt: number, rate: number): number {
  return fullAt === 1 ? max * rate : Math.min(max, (max * rate) / fullAt);
}

const reason = (code: ScorecardReason) => ({ code, text: REASON_TEXT[code] });

function criterion(def: Definition, input: ScorecardInput): ScorecardCriterion {
  const base = { code: def.code, name: def.name, max: def.max };
  if (def.kind === 'external') {
    return {
      ...base,
      fullAt: null,
      numerator: null,
      denominator: null,
      rate: null,
      points: null,
      measured: false,
      reason: reason(def.reason),
    };
  }
  if (def.kind === 'average') {
    // 2.2: Σ processing days over finished dossiers with a known outcome; shown, not scored.
    const d = finished(input.counts);
    const n = input.counts.procMs / DAY;
    return {
      ...base,
      fullAt: null,
      numerator: n,
      denominator: d,
      rate: d === 0 ? null : n / d,
      points: null,
      measured: true,
      reason: d === 0 ? reason('no_data') : null,
    };
  }
  const { n, d, reported = true } = def.ratio(input);
  const notMeasured = !reported || (d === 0 && def.whenEmpty === 'not_measured');
  if (notMeasured) {
    return {
      ...base,
      fullAt: def.fullAt,
      numerator: n,
      denominator: d,
      rate: null,
      points: null,
      measured: false,
      reason: reason('not_reported'),
    };
  }
  if (d === 0) {
    return {
      ...base,
      fullAt: def.fullAt,
      numerator: n,
      denominator: d,
      rate: null,
      points: def.whenEmpty === 'full' ? def.max : 0,
      measured: true,
      reason: reason('no_data'),
    };
  }
  const rate = n / d;
  return {
    ...base,
    fullAt: def.fullAt,
    numerator: n,
    denominator: d,
    rate,
    points: ratePoints(def.max, def.fullAt, rate),
    measured: true,
    reason: null,
  };
}

/**
 * The 766 points of one unit over one window. The total counts the measured sub-criteria only,
 * out of their max ("the points computable here"); what cannot be computed from desk events is
 * listed with `measured: false` and its reason, never scored 0.
 */
export function computeScorecard(input: ScorecardInput): Score {
  let points = 0;
  let max = 0;
  const groups = GROUPS.map((g): ScorecardGroup => {
    const criteria = g.criteria.map((def) => criterion(def, input));
    let gPoints = 0;
    let gMax = 0;
    for (const c of criteria) {
      if (!c.measured) continue;
      gPoints += c.points ?? 0;
      gMax += c.max;
    }
    points += gPoints;
    max += gMax;
    return { code: g.code, name: g.name, max: g.max, points: gPoints, measuredMax: gMax, criteria };
  });
  return { points, max, fullMax: 100, groups };
}

/** Open dossiers and petitions still in time whose deadline falls within 24 h / 48 h (48 includes 24). */
export interface DueSoonCounts {
  dossiers: { dueIn24h: number; dueIn48h: number };
  petitions: { dueIn24h: number; dueIn48h: number };
}

function groupPoints(score: Score, code: ScorecardGroup['code']): number {
  return score.groups.find((g) => g.code === code)?.points ?? 0;
}

/** What `better` scores above `worse`, for the groups open items can change (2 and 5) and in total. */
function difference(better: Score, worse: Score, dossiers: number, petitions: number): Risk {
  return {
    dossiers,
    petitions,
    group2: groupPoints(better, '2') - groupPoints(worse, '2'),
    group5: groupPoints(better, '5') - groupPoints(worse, '5'),
    total: better.points - worse.points,
  };
}

/**
 * Points at risk, as marginal effects on this window's score (computed with the same formulas,
 * not estimated): `lost` compares the score with the overdue open items back in time; `within24h`
 * and `within48h` compare it with the items due by then moved to overdue. Only the open items
 * change between the scores compared, so what they cannot move (3.5b, 3.6, group 4, …) is never at risk.
 */
export function pointsAtRisk(input: ScorecardInput, due: DueSoonCounts): AtRisk {
  const now = computeScorecard(input);
  const { openDossiers: od, openPetitions: op } = input;
  const withOverdue = (dossiers: number, petitions: number): Score =>
    computeScorecard({
      ...input,
      openDossiers: { total: od.total, overdue: dossiers },
      openPetitions: { total: op.total, overdue: petitions },
    });
  const { dossiers: d, petitions: p } = due;
  return {
    lost: difference(withOverdue(0, 0), now, od.overdue, op.overdue),
    within24h: difference(
      now,
      withOverdue(od.overdue + d.dueIn24h, op.overdue + p.dueIn24h),
      d.dueIn24h,
      p.dueIn24h,
    ),
    within48h: difference(
      now,
      withOverdue(od.overdue + d.dueIn48h, op.overdue + p.dueIn48h),
      d.dueIn48h,
      p.dueIn48h,
    ),
  };
}
