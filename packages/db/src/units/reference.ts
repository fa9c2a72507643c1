import { readFileSync } from 'node:fs';

/**
 * Reference administrative-unit trees of Viet Nam, built from the official lists by
 * `scripts/build-units.ts` into `packages/db/data/units/*.json` (committed). Files are read lazily on
 * first use and cached; nothing happens at import time.
 *
 * - `vn-2025-01`: the three-level tree in force until 30 June 2025 (province → district → commune).
 * - `vn-2025-07`: the two-level tree in force from 1 July 2025 (province → commune) under one national
 *   root `VN` (level `nation`), so the country is one view with a league of its 34 provinces; each
 *   commune lists the old (vn-2025-01) commune codes merged into it, wholly or in part.
 * - `hanoi-*`: the same trees restricted to Hà Nội (province `01`) and its descendants.
 */
export type TreeName = 'vn-2025-01' | 'vn-2025-07' | 'hanoi-2025-01' | 'hanoi-2025-07';

export const TREE_NAMES: readonly TreeName[] = Object.freeze([
  'vn-2025-01',
  'vn-2025-07',
  'hanoi-2025-01',
  'hanoi-2025-07',
] as const);

export interface RefUnit {
  code: string;
  name: string;
  level: 'nation' | 'city' | 'district' | 'commune';
  parentCode: string | null;
  /** 2025-07 trees only: codes of the old communes merged (wholly or partly) into this commune. */
  mergedFrom?: string[];
}

const HANOI_CODE = '01';
/** The national root of the 2025-07 tree. */
export const NATION_CODE = 'VN';

type Row = [code: string, name: string];
type ChildRow = [code: string, name: string, parentCode: string];
type MergedRow = [code: string, name: string, parentCode: string, mergedFrom: string[]];

interface File202501 {
  tree: 'vn-2025-01';
  provinces: Row[];
  districts: ChildRow[];
  communes: ChildRow[];
}

interface File202507 {
  tree: 'vn-2025-07';
  provinces: Row[];
  communes: MergedRow[];
}

const cache = new Map<TreeName, readonly Readonly<RefUnit>[]>();

export function isTreeName(s: string): s is TreeName {
  return (TREE_NAMES as readonly string[]).includes(s);
}

/**
 * Units of one tree, parents before children (provinces, then districts, then communes), each list sorted
 * by code. Level 'city' is used for provinces/centrally-run cities (the contract calls the top level
 * "city/province"). Returns a fresh copy on every call, so callers may modify it.
 */
export function referenceTree(name: TreeName): RefUnit[] {
  return units(name).map((u) => (u.mergedFrom ? { ...u, mergedFrom: [...u.mergedFrom] } : { ...u }));
}

function units(name: TreeName): readonly Readonly<RefUnit>[] {
  let list = cache.get(name);
  if (!list) {
    list = Object.freeze(load(name).map((u) => Object.freeze(u)));
    cache.set(name, list);
  }
  return list;
}

function load(name: TreeName): RefUnit[] {
  switch (name) {
    case 'vn-2025-01':
      return load202501();
    case 'vn-2025-07':
      return load202507();
    case 'hanoi-2025-01':
      return subtree(units('vn-2025-01'), HANOI_CODE);
    case 'hanoi-2025-07':
      return subtree(units('vn-2025-07'), HANOI_CODE);
    default:
      throw new Error(`unknown reference tree ${JSON.stringify(name)}`);
  }
}

function readJson<T extends { tree: string }>(url: URL, tree: T['tree']): T {
  const data = JSON.parse(readFileSync(url, 'utf8')) as T;
  if (data?.tree !== tree)
    throw new Error(`${url.pathname}: expected tree ${tree}, found ${String(data?.tree)}`);
  return data;
}

function load202501(): RefUnit[] {
  const data = readJson<File202501>(
    new URL('../../data/units/vn-2025-01.json', import.meta.url),
    'vn-2025-01',
  );
  return [
    ...data.provinces.map(([code, name]): RefUnit => ({ code, name, level: 'city', parentCode: null })),
    ...data.districts.map(
      ([code, name, parentCode]): RefUnit => ({ code, name, level: 'district', parentCode }),
    ),
    ...data.communes.map(
      ([code, name, parentCode]): RefUnit => ({ code, name, level: 'commune', parentCode }),
    ),
  ];
}

function load202507(): RefUnit[] {
  const data = readJson<File202507>(
    new URL('../../data/units/vn-2025-07.json', import.meta.url),
    'vn-2025-07',
  );
  return [
    { code: NATION_CODE, name: 'Việt Nam', level: 'nation', parentCode: null },
    ...data.provinces.map(
      ([code, name]): RefUnit => ({ code, name, level: 'city', parentCode: NATION_CODE }),
    ),
    ...data.communes.map(
      ([code, name, parentCode, mergedFrom]): RefUnit => ({
        code,
        name,
        level: 'commune',
        parentCode,
        mergedFrom: Object.freeze([...mergedFrom]) as string[],
      }),
    ),
  ];
}

/** The unit `rootCode` (made a root) and all its descendants; relies on parents coming before children. */
function subtree(all: readonly Readonly<RefUnit>[], rootCode: string): RefUnit[] {
  const kept = new Set<string>([rootCode]);
  const out: RefUnit[] = [];
  for (const u of all) {
    if (u.code === rootCode) out.push({ ...u, parentCode: null });
    else if (u.parentCode !== null && kept.has(u.parentCode)) {
      kept.add(u.code);
      out.push(u);
    }
  }
  return out;
}
