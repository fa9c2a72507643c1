import type {
  Annotation,
  EffectiveTarget,
  OverdueList,
  ProcedureList,
  RatingList,
  Scorecard,
  SnapshotWindow,
} from '@motcua/contract';
import {
  type Database,
  readAnnotations,
  readLatestRatings,
  readOverdue,
  readProcedures,
  readScorecard,
  readSnapshot,
  readTargetsInForce,
  type UnitTree,
} from '@motcua/db';
import {
  formatLocal,
  previousWindow,
  type ResolvedWindow,
  type Snapshot,
  windowToJson,
} from '@motcua/metrics';

/** Overdue dossiers listed in a report (the read API lists 50 by default; a report wants more). */
export const REPORT_OVERDUE_LIMIT = 1000;
/** Ratings listed in a report: the window's newest (as `GET …/ratings?window=…&limit=500`). */
export const REPORT_RATINGS_LIMIT = 500;

/** Everything one report shows, read through the same functions as the read API's routes. */
export interface ReportData {
  unit: Snapshot['unit'];
  window: SnapshotWindow;
  /** The window the change is counted against; null only when there is none before (never today). */
  previous: SnapshotWindow;
  asOf: string;
  snapshot: Snapshot;
  previousSnapshot: Snapshot;
  scorecard: Scorecard;
  previousScorecard: Scorecard;
  overdue: OverdueList;
  /** The window's latest ratings of the unit, without comments. */
  ratings: RatingList;
  /** The figures per procedure over the window, as `GET …/procedures` gives them. */
  procedures: ProcedureList;
  /** The targets in force for the unit (its own or inherited), as `GET …/targets` gives them. */
  targets: EffectiveTarget[];
  /** The notes of the unit's charts that meet the window, as `GET …/annotations` gives them. */
  notes: Annotation[];
}

/** Reads a report of `code` over `window` at `asOf`; null for an unknown unit. */
export async function collectReport(
  db: Database,
  tree: UnitTree,
  code: string,
  window: ResolvedWindow,
  asOf: number,
): Promise<ReportData | null> {
  // The window the read API's `compare` counts the change against, so a report's change is the page's.
  const prev = previousWindow(window);
  const [
    snapshot,
    previousSnapshot,
    scorecard,
    previousScorecard,
    overdue,
    ratings,
    procedures,
    targets,
    notes,
  ] = await Promise.all([
    readSnapshot(db, tree, code, window, asOf),
    readSnapshot(db, tree, code, prev, asOf),
    readScorecard(db, tree, code, window, asOf),
    readScorecard(db, tree, code, prev, asOf),
    readOverdue(db, tree, code, asOf, REPORT_OVERDUE_LIMIT),
    // Comments are citizens' own words and may name people: a report never carries them.
    readLatestRatings(db, tree, code, {
      limit: REPORT_RATINGS_LIMIT,
      withComments: false,
      window: { from: window.from, to: window.to },
    }),
    readProcedures(db, tree, code, window, asOf),
    readTargetsInForce(db, tree, code),
    readAnnotations(db, tree, code, null, window),
  ]);
  if (!snapshot || !previousSnapshot || !scorecard || !previousScorecard || !overdue) return null;
  if (!ratings || !procedures || !targets || !notes) return null;
  return {
    unit: snapshot.unit,
    window: windowToJson(window),
    previous: windowToJson(prev),
    asOf: formatLocal(asOf),
    snapshot,
    previousSnapshot,
    scorecard,
    previousScorecard,
    overdue,
    ratings,
    procedures,
    targets,
    notes: notes.items,
  };
}
