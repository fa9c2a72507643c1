import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from './client.ts';
import { ROLLUP_TABLES } from './columns.ts';

/**
 * Every commune with each unit above it, as `units` holds the tree now: `(commune, code)`.
 * The same walk as the backfills of migrations 0017 and 0018.
 */
const ABOVE = sql`with recursive above (commune, code, depth) as (
    select code, parent_code, 1 from units where level = 'commune' and parent_code is not null
    union all
    select above.commune, p.parent_code, above.depth + 1
    from above join units p on p.code = above.code
    where p.parent_code is not null and above.depth < 10
  )`;

const NOT_A_COMMUNE = sql`unit_code not in (select code from units where level = 'commune')`;

/** The statements that rebuild the rows of the units above a commune from the communes' own. */
function rebuildStatements(): SQL[] {
  const rollups = ROLLUP_TABLES.map((table, i) => {
    const names = table.counters.map(([c]) => c);
    const sums = table.counters.map(([c, type]) => `sum(r.${c})::${type}`).join(', ');
    // The second table's counters land in the rows the first one made.
    const merge =
      i === 0
        ? ''
        : `on conflict (grain, unit_code, bucket_start) do update set ${names
            .map((c) => `${c} = excluded.${c}`)
            .join(', ')}`;
    return sql`${ABOVE}
      insert into unit_rollups (grain, unit_code, bucket_start, ${sql.raw(names.join(', '))})
      select r.grain, above.code, r.bucket_start, ${sql.raw(sums)}
      from ${sql.raw(table.name)} r join above on above.commune = r.unit_code
      group by 1, 2, 3 ${sql.raw(merge)}`;
  });
  return [
    sql`delete from unit_rollups`,
    ...rollups,
    sql`delete from open_dossier_counts where ${NOT_A_COMMUNE}`,
    sql`${ABOVE}
      insert into open_dossier_counts (unit_code, desk_code, total, overdue, due_soon, due_in_48h, waiting_supplement)
      select above.code, '', sum(c.total)::int, sum(c.overdue)::int, sum(c.due_soon)::int,
        sum(c.due_in_48h)::int, sum(c.waiting_supplement)::int
      from open_dossier_counts c join above on above.commune = c.unit_code
      group by 1`,
    sql`delete from open_dossier_deadlines where ${NOT_A_COMMUNE}`,
    sql`${ABOVE}
      insert into open_dossier_deadlines (unit_code, deadline_hour, total)
      select above.code, d.deadline_hour, sum(d.total)::int
      from open_dossier_deadlines d join above on above.commune = d.unit_code
      group by 1, 2`,
    sql`delete from fee_procedures where ${NOT_A_COMMUNE}`,
    sql`${ABOVE}
      insert into fee_procedures (grain, unit_code, bucket_start, procedure_code, fee_bearing, paid_online)
      select f.grain, above.code, f.bucket_start, f.procedure_code, sum(f.fee_bearing)::int, sum(f.paid_online)::int
      from fee_procedures f join above on above.commune = f.unit_code
      group by 1, 2, 3, 4`,
  ];
}

/**
 * Rebuilds every row the write path keeps for the units above a commune (`unit_rollups`, the
 * open-dossier counters of desk `''` and their deadline hours, `fee_procedures`) as the sums of
 * the communes' own rows under the tree `units` holds now. Those rows follow each commune's
 * chain as it was when the flush ran, so a tree that moves a commune (or a district, or hangs a
 * city under the nation) leaves them summed for the old parents: `loadReferenceUnits` calls this
 * when a unit's parent changed. The tables are locked for the rebuild, so no flush adds to a
 * row between its delete and its sum.
 */
export async function rebuildUnitRows(tx: Executor): Promise<void> {
  await tx.execute(
    sql`lock table unit_rollups, open_dossier_counts, open_dossier_deadlines, fee_procedures in exclusive mode`,
  );
  for (const statement of rebuildStatements()) await tx.execute(statement);
}
