import { BUCKET_FIELDS, type BucketField } from '@motcua/metrics';
import { getTableColumns, type SQL, sql, type Table } from 'drizzle-orm';
import { dossiers } from './schema/dossiers.ts';
import { petitions } from './schema/petitions.ts';
import { rollups } from './schema/rollups.ts';
import { rollups766 } from './schema/scorecard.ts';

export type ColumnType = 'text' | 'bigint' | 'integer' | 'boolean' | 'float8' | 'jsonb';
/** A column of rows sent as arrays: its SQL name, its SQL type, and how to read it from a row. */
export type Column<R> = readonly [name: string, type: ColumnType, get: (r: R) => unknown];

/**
 * `(…) as x`: the rows as a table, sent as one array parameter per column and unnested. The
 * server parses typed arrays faster than one jsonb document of records (about a fifth less
 * time per insert on PGlite). jsonb and boolean columns travel as text and are cast after
 * unnesting (postgres.js sends a boolean array as a plain boolean).
 */
export function rowsOf<R>(rows: readonly R[], columns: readonly Column<R>[]): SQL {
  const asText = (type: ColumnType) => type === 'jsonb' || type === 'boolean';
  const toText = (type: ColumnType) => (type === 'jsonb' ? JSON.stringify : String);
  const arrays = columns.map(([, type, get]) => {
    if (!asText(type)) return rows.map(get);
    const text = toText(type);
    return rows.map((r) => {
      const v = get(r);
      return v == null ? null : text(v);
    });
  });
  const params = sql.join(
    columns.map(([, type], i) => sql`${sql.param(arrays[i])}::${sql.raw(asText(type) ? 'text' : type)}[]`),
    sql`, `,
  );
  const names = columns.map(([name]) => name).join(', ');
  const select = columns
    .map(([name, type]) => (asText(type) ? `${name}::${type} as ${name}` : name))
    .join(', ');
  return sql`(select ${sql.raw(select)} from unnest(${params}) as u(${sql.raw(names)})) as x`;
}

const SQL_TYPES: Record<string, ColumnType> = {
  text: 'text',
  bigint: 'bigint',
  integer: 'integer',
  boolean: 'boolean',
  jsonb: 'jsonb',
};

/**
 * The columns of a Drizzle table as unnest columns over rows keyed by the table's own field
 * names (`unitCode`, not `unit_code`), in the table's order; `keys` picks some of them.
 */
export function columnsOf<T extends Table, K extends keyof T['$inferSelect'] & string>(
  table: T,
  keys?: readonly K[],
): Column<Partial<Record<K, unknown>>>[] {
  const all = getTableColumns(table) as Record<string, { name: string; getSQLType(): string }>;
  return (keys ?? (Object.keys(all) as K[])).map((key) => {
    const column = all[key];
    const type = SQL_TYPES[column.getSQLType()];
    if (!type) throw new Error(`${column.name}: no array type for ${column.getSQLType()}`);
    return [column.name, type, (r) => r[key]];
  });
}

/** The SQL column names of a column list, comma-separated. */
export const namesOf = (columns: readonly Column<never>[]) => columns.map(([name]) => name).join(', ');

/**
 * The desk code of a commune's day rows in `rollups`, `rollups_766` and `procedure_rollups`: they
 * sum all its desks (minute and hour rows are per desk).
 */
export const COMMUNE_DAY_DESK = '';

/** The key of a rollup row, in both rollup tables; every other column is a counter. */
export const ROLLUP_KEY = ['grain', 'unitCode', 'bucketStart', 'deskCode'] as const;
type RollupKey = (typeof ROLLUP_KEY)[number];
type CounterField = Exclude<
  keyof typeof rollups.$inferSelect | keyof typeof rollups766.$inferSelect,
  RollupKey
>;
type SharedField = Extract<keyof typeof rollups.$inferSelect, keyof typeof rollups766.$inferSelect>;
// The two tables' counters together and the metrics' bucket fields are the same names (checked
// both ways), and the tables share their key only.
const sameFields: [CounterField] extends [BucketField]
  ? [BucketField] extends [CounterField]
    ? [SharedField] extends [RollupKey]
      ? true
      : never
    : never
  : never = true;
void sameFields;

/** A rollup table and the bucket fields it keeps (in the order of BUCKET_FIELDS), with their columns. */
export interface RollupTable {
  name: 'rollups' | 'rollups_766';
  fields: BucketField[];
  counters: Column<Partial<Record<string, unknown>>>[];
}

function rollupTable(name: RollupTable['name'], table: typeof rollups | typeof rollups766): RollupTable {
  const own = getTableColumns(table);
  const fields = BUCKET_FIELDS.filter((f) => f in own);
  return { name, fields, counters: columnsOf(table as Table, fields as never[]) };
}

/**
 * The rollup tables: `rollups` with the v1 counters the snapshot and the series read,
 * `rollups_766` with the v1.1 ones only the 766 scorecard reads.
 */
export const ROLLUP_TABLES: readonly RollupTable[] = [
  rollupTable('rollups', rollups),
  rollupTable('rollups_766', rollups766),
];

/** The rollup table that keeps a bucket field. */
export function rollupTableOf(field: BucketField): RollupTable {
  const hit = ROLLUP_TABLES.find((t) => t.fields.includes(field));
  if (!hit) throw new Error(`${field}: in no rollup table`);
  return hit;
}

/**
 * `sum(column)::float8 as "field"` for each of `fields` (all kept in one rollup table): a read
 * sums only the counters its formulas read, named as the bucket fields.
 */
export function rollupSums(fields: readonly BucketField[]): SQL {
  const columns = fields.map((f) => {
    const table = rollupTableOf(f);
    return table.counters[table.fields.indexOf(f)][0];
  });
  return sql.raw(columns.map((column, i) => `sum(${column})::float8 as "${fields[i]}"`).join(', '));
}

export const ROLLUP_KEY_COLUMNS = columnsOf(rollups, ROLLUP_KEY);
export const DOSSIER_COLUMNS = columnsOf(dossiers);
export const DOSSIER_KEY_COLUMNS = columnsOf(dossiers, ['unitCode', 'dossierCode']);
export const PETITION_COLUMNS = columnsOf(petitions);
export const PETITION_KEY_COLUMNS = columnsOf(petitions, ['unitCode', 'petitionCode']);
