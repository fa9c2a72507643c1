import { randomBytes } from 'node:crypto';
import { createDb, type Database, migrate, schema } from '@motcua/db';
import { type ResolvedWindow, resolveWindow } from '@motcua/metrics';
import postgres from 'postgres';

export type DbKind = 'pglite' | 'postgres';

/** PGlite always; real Postgres too when DATABASE_URL is set (CI sets it). */
export const DB_KINDS: DbKind[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDb {
  db: Database;
  /** postgres:// URL of the throwaway database (postgres kind only). */
  url?: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own: in-memory PGlite, or a new Postgres database. */
export async function openTestDb(kind: DbKind): Promise<TestDb> {
  if (kind === 'pglite') {
    const db = await createDb({ dataDir: 'memory' });
    await migrate(db);
    return { db, drop: () => db.close() };
  }
  const base = process.env.DATABASE_URL as string;
  const name = `motcua_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = await createDb({ url: url.toString() });
  await migrate(db);
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.close();
      const a = postgres(base, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export interface TestTree {
  city: string;
  districts: string[];
  communes: string[];
  /** commune code → district code */
  districtOf: Record<string, string>;
}

/**
 * A small synthetic tree of this test's own: city `cc`, districts `cc1`…, communes `cc1d0`…
 * (5-digit codes, as the event contract wants). `communesUnderCity` adds communes straight
 * under the city, as in the tree in force from July 2025 (`cc900`…); `names` renames units by code.
 */
export async function createTestTree(
  db: Database,
  opts: {
    city?: string;
    districts?: number;
    communesPerDistrict?: number;
    communesUnderCity?: number;
    names?: Record<string, string>;
  } = {},
): Promise<TestTree> {
  const city = opts.city ?? '90';
  const tree: TestTree = { city, districts: [], communes: [], districtOf: {} };
  const rows: (typeof schema.units.$inferInsert)[] = [
    { code: city, name: `Thành phố Thử ${city}`, level: 'city', parentCode: null, tree: 'test' },
  ];
  for (let d = 0; d < (opts.districts ?? 2); d++) {
    const district = `${city}${d}`;
    tree.districts.push(district);
    rows.push({
      code: district,
      name: `Quận Thử Nghiệm ${d}`,
      level: 'district',
      parentCode: city,
      tree: 'test',
    });
    for (let k = 0; k < (opts.communesPerDistrict ?? 3); k++) {
      const commune = `${district}${String(k).padStart(2, '0')}`;
      tree.communes.push(commune);
      tree.districtOf[commune] = district;
      rows.push({
        code: commune,
        name: `Phường Đông Hà ${d}.${k}`,
        level: 'commune',
        parentCode: district,
        tree: 'test',
      });
    }
  }
  for (let k = 0; k < (opts.communesUnderCity ?? 0); k++) {
    const commune = `${city}9${String(k).padStart(2, '0')}`;
    tree.communes.push(commune);
    rows.push({ code: commune, name: `Xã Thử ${k}`, level: 'commune', parentCode: city, tree: 'test' });
  }
  for (const row of rows) row.name = opts.names?.[row.code] ?? row.name;
  await db.orm.insert(schema.units).values(rows);
  return tree;
}

/** A named window (`30d`, `2025-10`, `today`, …) resolved at `asOf`; throws on a bad name. */
export function windowAt(window: string, asOf: number): ResolvedWindow {
  const r = resolveWindow({ window }, asOf);
  if (!r.ok) throw new Error(r.message);
  return r.window;
}
