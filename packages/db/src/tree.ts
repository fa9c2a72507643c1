import type { UnitLevel, UnitRef } from '@motcua/metrics';
import { asc, eq, sql } from 'drizzle-orm';
import { forgetAncestry } from './ancestry.ts';
import type { Database } from './client.ts';
import { desks, units } from './schema/index.ts';
import { rebuildUnitRows } from './unit-rows.ts';
import { referenceTree, type TreeName } from './units/index.ts';

/**
 * Loads one reference tree into `units` (upsert); returns how many units it holds. When a unit
 * already stored gets another parent, the rows kept for the units above a commune are rebuilt
 * in the same transaction (`rebuildUnitRows`).
 */
export async function loadReferenceUnits(db: Database, tree: TreeName): Promise<number> {
  const rows = referenceTree(tree).map((u) => ({
    code: u.code,
    name: u.name,
    level: u.level,
    parentCode: u.parentCode,
    tree,
  }));
  await db.transaction(async (tx) => {
    const stored = await tx.select({ code: units.code, parentCode: units.parentCode }).from(units);
    const parents = new Map(stored.map((u) => [u.code, u.parentCode]));
    const moved = rows.some((u) => parents.has(u.code) && parents.get(u.code) !== u.parentCode);
    for (let i = 0; i < rows.length; i += 1000) {
      await tx
        .insert(units)
        .values(rows.slice(i, i + 1000))
        .onConflictDoUpdate({
          target: units.code,
          set: {
            name: sql`excluded.name`,
            level: sql`excluded.level`,
            parentCode: sql`excluded.parent_code`,
            tree: sql`excluded.tree`,
          },
        });
    }
    // The rows kept for the units above a commune were summed along the old chains.
    if (moved) await rebuildUnitRows(tx);
  });
  forgetAncestry(db);
  return rows.length;
}

export interface TreeUnit extends UnitRef {
  parentCode: string | null;
}

/**
 * The unit tree held in memory: administrative units change a few times a decade, so
 * services read it once at start. Desks are not here (they appear with their events).
 */
export class UnitTree {
  readonly #byCode = new Map<string, TreeUnit>();
  readonly #children = new Map<string, TreeUnit[]>();
  readonly #communes = new Map<string, string[]>();

  constructor(list: TreeUnit[]) {
    for (const u of list) this.#byCode.set(u.code, u);
    for (const u of list) {
      if (u.parentCode == null) continue;
      const siblings = this.#children.get(u.parentCode) ?? [];
      siblings.push(u);
      this.#children.set(u.parentCode, siblings);
    }
  }

  get size(): number {
    return this.#byCode.size;
  }

  get(code: string): TreeUnit | undefined {
    return this.#byCode.get(code);
  }

  /** Top-level units (cities/provinces). */
  roots(): TreeUnit[] {
    return [...this.#byCode.values()].filter((u) => u.parentCode == null);
  }

  children(code: string): TreeUnit[] {
    return this.#children.get(code) ?? [];
  }

  /** Commune codes in the subtree of `code` (itself if it is a commune), cached. */
  communesUnder(code: string): string[] {
    const cached = this.#communes.get(code);
    if (cached) return cached;
    const unit = this.#byCode.get(code);
    const out: string[] = [];
    if (unit?.level === 'commune') out.push(code);
    else for (const child of this.children(code)) out.push(...this.communesUnder(child.code));
    this.#communes.set(code, out);
    return out;
  }

  /** The chain from the unit up to its root, the unit first. */
  ancestors(code: string): TreeUnit[] {
    const out: TreeUnit[] = [];
    for (let u = this.#byCode.get(code); u; u = u.parentCode ? this.#byCode.get(u.parentCode) : undefined) {
      out.push(u);
    }
    return out;
  }

  /** Whether `code` (a unit or a desk `00004/Q01`) lies in the subtree of `ancestor`. */
  isWithin(code: string, ancestor: string): boolean {
    const unitCode = code.split('/')[0];
    return this.ancestors(unitCode).some((u) => u.code === ancestor);
  }
}

export async function readUnitTree(db: Database): Promise<UnitTree> {
  const rows = await db.orm
    .select({ code: units.code, name: units.name, level: units.level, parentCode: units.parentCode })
    .from(units)
    .orderBy(asc(units.code));
  return new UnitTree(rows.map((r) => ({ ...r, level: r.level as UnitLevel })));
}

export async function listDesks(db: Database, unitCode: string): Promise<string[]> {
  const rows = await db.orm
    .select({ deskCode: desks.deskCode })
    .from(desks)
    .where(eq(desks.unitCode, unitCode))
    .orderBy(asc(desks.deskCode));
  return rows.map((r) => r.deskCode);
}
