import { loadReferenceUnits, readUnitTree } from '@motcua/db';
import { DB_KINDS, openTestDb, type TestDb } from '@motcua/test-helpers/db';
import { afterEach, describe, expect, it } from 'vitest';

describe.each(DB_KINDS)('units load on %s', (kind) => {
  let t: TestDb | null = null;
  afterEach(async () => {
    await t?.drop();
    t = null;
  });

  it('loads the pre-July-2025 Hà Nội tree: 30 districts, 526 communes', async () => {
    t = await openTestDb(kind);
    expect(await loadReferenceUnits(t.db, 'hanoi-2025-01')).toBe(557);
    const tree = await readUnitTree(t.db);
    expect(tree.get('01')).toEqual({ code: '01', name: 'Thành phố Hà Nội', level: 'city', parentCode: null });
    expect(tree.children('01')).toHaveLength(30);
    expect(tree.communesUnder('01')).toHaveLength(526);
    expect(tree.get('273')?.name).toBe('Huyện Đan Phượng');
    expect(tree.communesUnder('273')).toHaveLength(16);
    expect(tree.get('09784')).toMatchObject({ name: 'Thị trấn Phùng', parentCode: '273' });
    expect(tree.isWithin('09784/Q01', '273')).toBe(true);
  });

  it('loads the July-2025 trees: 126 communes in Hà Nội, 3,321 nationwide', async () => {
    t = await openTestDb(kind);
    await loadReferenceUnits(t.db, 'hanoi-2025-07');
    let tree = await readUnitTree(t.db);
    expect(tree.communesUnder('01')).toHaveLength(126);
    expect(tree.get('00004')).toMatchObject({ name: 'Phường Ba Đình', level: 'commune', parentCode: '01' });
    await loadReferenceUnits(t.db, 'vn-2025-07');
    tree = await readUnitTree(t.db);
    // Under one national root (issue 18), which the Hà Nội tree loaded before now hangs from.
    expect(tree.roots().map((r) => r.code)).toEqual(['VN']);
    expect(tree.children('VN')).toHaveLength(34);
    expect(tree.get('01')?.parentCode).toBe('VN');
    expect(tree.communesUnder('VN')).toHaveLength(3321);
  });

  it('loads the nationwide pre-July-2025 tree: 10,051 communes under 696 districts', async () => {
    t = await openTestDb(kind);
    expect(await loadReferenceUnits(t.db, 'vn-2025-01')).toBe(63 + 696 + 10_051);
    const tree = await readUnitTree(t.db);
    expect(tree.roots().flatMap((r) => tree.communesUnder(r.code))).toHaveLength(10_051);
  });
});
