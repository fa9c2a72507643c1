/**
 * The national tree (vn-2025-07) as a deployment holds it: one root `VN` above the 34 provinces
 * and 3,321 communes; the national snapshot's league is the provinces, a province's is its
 * communes, each figure the sum of the communes below; a province viewer reads its own
 * communes only, the national viewer everything — in the read functions and over the dashboard's HTTP API.
 */

import { trustedEvent } from '@motcua/contract';
import { type RunningDashboard, startDashboard } from '@motcua/dashboard/server';
import {
  createViewer,
  type Database,
  loadReferenceUnits,
  readSnapshot,
  readUnitTree,
  verifyViewerToken,
  writeBatch,
} from '@motcua/db';
import { resolveWindow } from '@motcua/metrics';
import { DB_KINDS, openTestDb, type TestDb } from '@motcua/test-helpers/db';
import { apiGet } from '@motcua/test-helpers/system';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mayRead } from '../../apps/dashboard/src/lib/server/auth.ts';

const rating = (unit: string, id: string, level: string, time: number) =>
  trustedEvent({
    specversion: '1.0',
    id,
    source: `/units/${unit}/desks/Q01`,
    type: 'vn.motcua.rating.submitted',
    time: new Date(time).toISOString(),
    data: { level: level as 'satisfied' },
  });

describe.each(DB_KINDS)('national tree vn-2025-07 (%s)', (kind) => {
  let t: TestDb;
  let db: Database;
  beforeAll(async () => {
    t = await openTestDb(kind);
    db = t.db;
    expect(await loadReferenceUnits(db, 'vn-2025-07')).toBe(1 + 34 + 3_321);
  });
  afterAll(() => t?.drop());

  it('is nation → 34 provinces → 3,321 communes', async () => {
    const tree = await readUnitTree(db);
    expect(tree.roots().map((u) => [u.code, u.name, u.level])).toEqual([['VN', 'Việt Nam', 'nation']]);
    const provinces = tree.children('VN');
    expect(provinces).toHaveLength(34);
    expect(new Set(provinces.map((p) => p.level))).toEqual(new Set(['city']));
    expect(tree.communesUnder('VN')).toHaveLength(3_321);
    // Spot checks against the official list the tree is built from (scripts/build-units.ts).
    expect(tree.get('79')?.name).toBe('Thành phố Hồ Chí Minh');
    expect(tree.communesUnder('79')).toHaveLength(168);
    expect(tree.communesUnder('01')).toHaveLength(126);
    expect(tree.communesUnder('46')).toHaveLength(40);
    expect(tree.get('96')?.name).toBe('Tỉnh Cà Mau');
    expect(tree.get('00004')).toMatchObject({ name: 'Phường Ba Đình', level: 'commune', parentCode: '01' });
    expect(tree.get('25747')).toMatchObject({ name: 'Phường Thủ Dầu Một', parentCode: '79' });
    const sum = provinces.reduce((a, p) => a + tree.communesUnder(p.code).length, 0);
    expect(sum).toBe(3_321);
  });

  it('ranks the provinces nationally and a province its communes, with the communes summed', async () => {
    const now = Date.now() - 60_000;
    await writeBatch(db, [
      rating('00004', 'n1', 'satisfied', now),
      rating('00004', 'n2', 'unsatisfied', now),
      rating('25747', 'n3', 'very_satisfied', now),
      rating('25750', 'n4', 'satisfied', now),
    ]);
    const tree = await readUnitTree(db);
    const w = resolveWindow({ window: '1h' }, Date.now());
    if (!w.ok) throw new Error(w.message);
    const nation = await readSnapshot(db, tree, 'VN', w.window, Date.now());
    expect(nation?.unit).toEqual({ code: 'VN', name: 'Việt Nam', level: 'nation' });
    expect(nation?.children).toHaveLength(34);
    expect(nation?.metrics.satisfaction.total).toBe(4);
    const byCode = new Map(nation?.children.map((c) => [c.unit.code, c.metrics.satisfaction]));
    expect(byCode.get('01')).toMatchObject({ satisfied: 1, unsatisfied: 1, total: 2 });
    expect(byCode.get('79')).toMatchObject({ verySatisfied: 1, satisfied: 1, total: 2 });
    expect(byCode.get('96')?.total).toBe(0);

    const hcm = await readSnapshot(db, tree, '79', w.window, Date.now());
    expect(hcm?.children).toHaveLength(168);
    expect(hcm?.children.every((c) => tree.get(c.unit.code)?.parentCode === '79')).toBe(true);
    expect(hcm?.metrics.satisfaction.total).toBe(2);
  });

  it('lets a province viewer read its own communes only, and the national viewer all', async () => {
    const tree = await readUnitTree(db);
    const province = await verifyViewerToken(
      db,
      (await createViewer(db, { role: 'city', unit: '79', label: 'Sở Nội vụ TP.HCM' })).token,
    );
    const nation = await verifyViewerToken(
      db,
      (await createViewer(db, { role: 'nation', unit: 'VN', label: 'Bộ Nội vụ' })).token,
    );
    if (!province || !nation) throw new Error('viewer tokens did not verify');
    expect(mayRead(tree, province, '79')).toBe(true);
    expect(mayRead(tree, province, '25747')).toBe(true);
    expect(mayRead(tree, province, '25747/Q01')).toBe(true);
    expect(mayRead(tree, province, 'VN')).toBe(false);
    expect(mayRead(tree, province, '01')).toBe(false);
    expect(mayRead(tree, province, '00004')).toBe(false);
    for (const code of ['VN', '01', '79', '00004', '25747']) expect(mayRead(tree, nation, code)).toBe(true);
    await expect(createViewer(db, { role: 'city', unit: 'VN', label: 'x' })).rejects.toThrow(
      'role city does not fit unit VN, which is a nation',
    );
  });
});

describe.each(DB_KINDS)('national tree over HTTP (%s)', (kind) => {
  let t: TestDb;
  let dashboard: RunningDashboard;
  let base: string;
  beforeAll(async () => {
    t = await openTestDb(kind);
    await loadReferenceUnits(t.db, 'vn-2025-07');
    dashboard = await startDashboard({
      db: t.db,
      tree: await readUnitTree(t.db),
      port: 0,
      host: '127.0.0.1',
      listen: kind === 'postgres',
    });
    base = `http://127.0.0.1:${dashboard.port}`;
  });
  afterAll(async () => {
    await dashboard?.close();
    await t?.drop();
  });

  it('serves the national league to the national viewer and keeps a province viewer in its province', async () => {
    const nation = (await createViewer(t.db, { role: 'nation', unit: 'VN', label: 'Bộ Nội vụ' })).token;
    const hcm = (await createViewer(t.db, { role: 'city', unit: '79', label: 'Sở Nội vụ' })).token;
    const national = await apiGet(base, '/api/v1/units/VN/metrics?window=1h', nation);
    expect(national.status).toBe(200);
    expect((national.body.children as unknown[]).length).toBe(34);
    const province = await apiGet(base, '/api/v1/units/79/metrics?window=1h', hcm);
    expect(province.status).toBe(200);
    expect((province.body.children as unknown[]).length).toBe(168);
    for (const code of ['VN', '01', '00004']) {
      const r = await apiGet(base, `/api/v1/units/${code}/metrics?window=1h`, hcm);
      expect(r.status, code).toBe(403);
    }
    expect((await apiGet(base, '/api/v1/units/25747/metrics?window=1h', hcm)).status).toBe(200);
  });
});
