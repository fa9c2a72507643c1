import { type SQL, sql, type Table } from 'drizzle-orm';
import type { Executor } from './client.ts';
import { type Column, columnsOf, ROLLUP_TABLES } from './columns.ts';
import { OPEN_COUNT_FIELDS } from './open-counts.ts';
import { feeProcedures } from './schema/explain.ts';
import { openDossierCounts, openDossierDeadlines } from './schema/national.ts';
import { unitRollups } from './schema/unit-rollups.ts';

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

/**
 * `into`'s rows of every unit above a commune: `from`'s commune rows summed per unit and `keys`
 * (a unit's desk is `''`), `counters` summed. `merge` adds the counters to rows another statement
 * made (the two rollup tables share `unit_rollups`' rows).
 */
function sumIntoUnitsAbove(args: {
  from: string;
  into: string;
  keys: readonly string[];
  counters: readonly Column<never>[];
  merge?: boolean;
}): SQL {
  const { from, into, keys, counters } = args;
  const take = (key: string) =>
    key === 'unit_code' ? 'above.code' : key === 'desk_code' ? "''" : `r.${key}`;
  const names = counters.map(([c]) => c);
  const merge = args.merge
    ? `on conflict (${keys.filter((k) => k !== 'desk_code').join(', ')}) do update set ${names
        .map((c) => `${c} = excluded.${c}`)
        .join(', ')}`
    : '';
  return sql`${ABOVE}
    insert into ${sql.raw(into)} (${sql.raw([...keys, ...names].join(', '))})
    select ${sql.raw(keys.map(take).join(', '))}, ${sql.raw(counters.map(([c, type]) => `sum(r.${c})::${type}`).join(', '))}
    from ${sql.raw(from)} r join above on above.commune = r.unit_code
    group by ${sql.raw(keys.map((_, i) => i + 1).join(', '))} ${sql.raw(merge)}`;
}

/** The statements that rebuild the rows of the units above a commune from the communes' own. */
function rebuildStatements(): SQL[] {
  const names = (table: Table, keys: readonly string[]) =>
    columnsOf(table, keys as never[]).map(([name]) => name);
  const bucketKey = names(unitRollups, ['grain', 'unitCode', 'bucketStart']);
  return [
    sql`delete from unit_rollups`,
    ...ROLLUP_TABLES.map((table, i) =>
      sumIntoUnitsAbove({
        from: table.name,
        into: 'unit_rollups',
        keys: bucketKey,
        counters: table.counters,
        merge: i > 0,
      }),
    ),
    sql`delete from open_dossier_counts where ${NOT_A_COMMUNE}`,
    sumIntoUnitsAbove({
      from: 'open_dossier_counts',
      into: 'open_dossier_counts',
      keys: names(openDossierCounts, ['unitCode', 'deskCode']),
      counters: columnsOf(openDossierCounts, OPEN_COUNT_FIELDS),
    }),
    sql`delete from open_dossier_deadlines where ${NOT_A_COMMUNE}`,
    sumIntoUnitsAbove({
      from: 'open_dossier_deadlines',
      into: 'open_dossier_deadlines',
      keys: names(openDossierDeadlines, ['unitCode', 'deadlineHour']),
      counters: columnsOf(openDossierDeadlines, ['total']),
    }),
    sql`delete from fee_procedures where ${NOT_A_COMMUNE}`,
    sumIntoUnitsAbove({
      from: 'fee_procedures',
      into: 'fee_procedures',
      keys: names(feeProcedures, ['grain', 'unitCode', 'bucketStart', 'procedureCode']),
      counters: columnsOf(feeProcedures, ['feeBearing', 'paidOnline']),
    }),
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
