import { sql } from 'drizzle-orm';
import type { Database, Executor } from './client.ts';

/**
 * Each unit's chain up to the root, itself first, as `units` holds it: read once per database and
 * unit, then kept. The services read the unit tree once at start (docs/operations.md: restart
 * after `units load`), so a chain does not change under a running writer; `loadReferenceUnits`
 * forgets the chains of the database it loads into, for a process that loads and writes.
 */
const chains = new WeakMap<Database, Map<string, readonly string[]>>();

/** The chains of `codes` (a code `units` lacks has none), reading the ones not yet known on `tx`. */
export async function ancestryOf(
  db: Database,
  tx: Executor,
  codes: Iterable<string>,
): Promise<ReadonlyMap<string, readonly string[]>> {
  let known = chains.get(db);
  if (!known) {
    known = new Map();
    chains.set(db, known);
  }
  const missing = [...codes].filter((c) => !known.has(c)).sort();
  if (missing.length > 0) {
    const rows = await db.query<{ code: string; chain: string[] }>(
      sql`with recursive up (start, code, parent_code, depth) as (
          select u.code, u.code, u.parent_code, 0 from units u where u.code = any(${sql.param(missing)}::text[])
          union all
          select up.start, p.code, p.parent_code, up.depth + 1
          from up join units p on p.code = up.parent_code
          where up.depth < 10
        )
        select start as code, array_agg(code order by depth) as chain from up group by start`,
      tx,
      { prepare: true },
    );
    for (const r of rows) known.set(r.code, r.chain);
  }
  const out = new Map<string, readonly string[]>();
  for (const c of codes) {
    const chain = known.get(c);
    if (chain) out.set(c, chain);
  }
  return out;
}

/** Forgets the chains read from `db` (its tree was just loaded again). */
export function forgetAncestry(db: Database): void {
  chains.delete(db);
}
