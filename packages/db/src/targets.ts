import type { EffectiveTarget, TargetFigure, UnitRef, UnitTargets } from '@motcua/contract';
import { isTopRole, TARGET_FIGURES } from '@motcua/contract';
import { effectiveTarget, formatLocal, type TargetSetting } from '@motcua/metrics';
import { sql } from 'drizzle-orm';
import type { Database } from './client.ts';
import type { Viewer } from './credentials.ts';
import { deskRef, resolveUnit } from './read.ts';
import type { UnitTree } from './tree.ts';
import { listDesks } from './tree.ts';

interface TargetRow extends TargetSetting {
  setBy: string;
  updatedAt: number;
}

/** The unit codes whose targets a unit (or desk) can inherit: itself, then its ancestors up to the root. */
function chainOf(tree: UnitTree, code: string): string[] {
  const [unitCode] = code.split('/');
  // ancestors() lists the unit itself and those above it.
  return tree.ancestors(unitCode).map((u) => u.code);
}

async function readRows(db: Database, codes: string[]): Promise<TargetRow[]> {
  if (codes.length === 0) return [];
  const rows = await db.query<{
    unit_code: string;
    figure: TargetFigure;
    value: number;
    set_by: string;
    updated_at: Date | string;
  }>(
    sql`select unit_code, figure, value, set_by, updated_at from targets
      where unit_code = any(${`{${codes.join(',')}}`}::text[])`,
  );
  return rows.map((r) => ({
    unitCode: r.unit_code,
    figure: r.figure,
    value: Number(r.value),
    setBy: r.set_by,
    updatedAt: new Date(r.updated_at).getTime(),
  }));
}

function inForce(tree: UnitTree, code: string, unitCode: string, rows: TargetRow[]): EffectiveTarget[] {
  const chain = chainOf(tree, code);
  const out: EffectiveTarget[] = [];
  for (const figure of TARGET_FIGURES) {
    const hit = effectiveTarget(chain, rows, figure) as TargetRow | null;
    if (!hit) continue;
    const on = tree.get(hit.unitCode);
    out.push({
      figure,
      value: hit.value,
      setOn: on
        ? { code: on.code, name: on.name, level: on.level }
        : { code: hit.unitCode, name: hit.unitCode, level: 'city' },
      inherited: hit.unitCode !== unitCode,
      setBy: hit.setBy,
      updatedAt: formatLocal(hit.updatedAt),
    });
  }
  return out;
}

/**
 * Whether a viewer may set a unit's targets: a city viewer for any unit of its subtree, a district
 * viewer for the communes below it (not for itself, the city or a sibling); nobody for a desk.
 */
export function mayEditTargets(tree: UnitTree, viewer: Viewer, code: string): boolean {
  if (code.includes('/')) return false;
  const unit = tree.get(code);
  if (!unit || !tree.isWithin(code, viewer.unitCode)) return false;
  if (isTopRole(viewer.role)) return true;
  return viewer.role === 'district' && unit.level === 'commune';
}

/** The targets in force for a unit (or desk) and for each of its children, with where each comes from. */
export async function readTargets(
  db: Database,
  tree: UnitTree,
  code: string,
  viewer: Viewer,
): Promise<UnitTargets | null> {
  const unit = resolveUnit(tree, code);
  if (!unit) return null;
  const [unitCode] = code.split('/');
  let children: UnitRef[] = [];
  if (unit.level === 'commune') children = (await listDesks(db, unitCode)).map((d) => deskRef(unitCode, d));
  else if (unit.level !== 'desk')
    children = tree.children(unitCode).map((c) => ({ code: c.code, name: c.name, level: c.level }));
  // A child inherits through this unit: its own row, this unit's chain.
  const codes = new Set([
    ...chainOf(tree, code),
    ...children.filter((c) => c.level !== 'desk').map((c) => c.code),
  ]);
  const rows = await readRows(db, [...codes]);
  return {
    unit,
    targets: inForce(tree, code, unit.code, rows),
    mayEdit: mayEditTargets(tree, viewer, code),
    children: children.map((c) => ({ unit: c, targets: inForce(tree, c.code, c.code, rows) })),
  };
}

/**
 * The targets in force for a unit (or desk) alone, as `readTargets` gives them for it (the same
 * rows, the same inheritance), for readers without a viewer (the reports). Null for an unknown unit.
 */
export async function readTargetsInForce(
  db: Database,
  tree: UnitTree,
  code: string,
): Promise<EffectiveTarget[] | null> {
  const unit = resolveUnit(tree, code);
  if (!unit) return null;
  const rows = await readRows(db, chainOf(tree, code));
  return inForce(tree, code, unit.code, rows);
}

/** Sets (a value) or removes (null: inherit again) a unit's own target for one figure. */
export async function writeTarget(
  db: Database,
  input: { unitCode: string; figure: TargetFigure; value: number | null; viewer: Viewer },
): Promise<void> {
  if (input.value === null) {
    await db.query(sql`delete from targets where unit_code = ${input.unitCode} and figure = ${input.figure}`);
    return;
  }
  await db.query(
    sql`insert into targets (unit_code, figure, value, set_by, set_by_viewer, updated_at)
      values (${input.unitCode}, ${input.figure}, ${input.value}, ${input.viewer.label}, ${input.viewer.id}, now())
      on conflict (unit_code, figure) do update set value = excluded.value, set_by = excluded.set_by,
        set_by_viewer = excluded.set_by_viewer, updated_at = excluded.updated_at`,
  );
}
