import {
  CredentialError,
  createDeskKey,
  createKioskPairing,
  createViewer,
  deskKeyUseTracker,
  ensureFirstAdmin,
  listAudit,
  listViewers,
  normalizePairingCode,
  pairKiosk,
  recordAudit,
  revokeDeskKey,
  revokeKiosk,
  revokeViewer,
  schema,
  verifyKioskToken,
  verifyViewerToken,
} from '@motcua/db';
import { createTestTree, DB_KINDS, openTestDb, type TestDb, type TestTree } from '@motcua/test-helpers/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe.each(DB_KINDS)('administration on %s', (kind) => {
  let t: TestDb;
  let tree: TestTree;
  beforeAll(async () => {
    t = await openTestDb(kind);
    tree = await createTestTree(t.db, { city: '81' });
  });
  afterAll(() => t.drop());

  /** The database's own message (drizzle wraps it as the cause of "Failed query"). */
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => 'done',
      (e: Error & { cause?: Error }) => e.cause?.message ?? e.message,
    );
  const auditCount = async () =>
    Number((await t.db.query<{ n: number }>(sql`select count(*)::int as n from audit_log`))[0].n);

  it('keeps the audit log append-only: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
    await recordAudit(t.db, {
      actor: { prefix: 'mcv_abcdefghij', role: 'admin', unitCode: tree.city },
      action: 'desk_key.create',
      subject: 'mck_0123456789',
      unitCode: tree.communes[0],
      detail: { label: 'Quầy 1' },
      ip: '10.0.0.7',
      userAgent: 'test',
    });
    const before = await auditCount();
    expect(await refusal(t.db.query(sql`update audit_log set action = 'nothing'`))).toMatch(
      /append-only: UPDATE/,
    );
    expect(await refusal(t.db.query(sql`delete from audit_log`))).toMatch(/append-only: DELETE/);
    expect(await refusal(t.db.query(sql`truncate audit_log`))).toMatch(/append-only: TRUNCATE/);
    expect(await auditCount()).toBe(before);
    const [entry] = await listAudit(t.db, { unitCodes: null, limit: 1 });
    expect(entry).toMatchObject({
      actor: 'mcv_abcdefghij',
      actorRole: 'admin',
      actorUnit: tree.city,
      action: 'desk_key.create',
      subject: 'mck_0123456789',
      unitCode: tree.communes[0],
      detail: { label: 'Quầy 1' },
      ip: '10.0.0.7',
      userAgent: 'test',
    });
  });

  it("lists a subtree's entries only when given its units, newest first", async () => {
    const [a, b] = [tree.communes[0], tree.communes[tree.communes.length - 1]];
    await recordAudit(t.db, { actor: 'cli', action: 'viewer.create', subject: 'x1', unitCode: a });
    await recordAudit(t.db, { actor: 'cli', action: 'viewer.create', subject: 'x2', unitCode: b });
    const onlyB = await listAudit(t.db, { unitCodes: [b] });
    expect(onlyB.map((e) => e.subject)).toEqual(['x2']);
    const all = await listAudit(t.db, { unitCodes: null });
    expect(all[0].subject).toBe('x2');
    expect(all[1].subject).toBe('x1');
    expect(all[0].actor).toBe('cli');
  });

  it('an admin sits on the root of the tree only', async () => {
    await expect(createViewer(t.db, { role: 'admin', unit: tree.city, label: 'a' })).resolves.toBeTruthy();
    await expect(createViewer(t.db, { role: 'admin', unit: tree.districts[0], label: 'a' })).rejects.toThrow(
      CredentialError,
    );
  });

  it('a pairing code pairs one kiosk once; the token names the desk and never the key', async () => {
    const unit = tree.communes[0];
    const { prefix, key } = await createDeskKey(t.db, { unit, label: 'Quầy 2', desk: 'Q02' });
    const p = await createKioskPairing(t.db, {
      deskKeyPrefix: prefix,
      label: 'Máy 1',
      minIntervalSeconds: 3,
    });
    expect(p.code).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    expect(p.deskCode).toBe('Q02');
    // Typed as people type it: lower case, with a dash.
    const typed = `${p.code.slice(0, 4).toLowerCase()}-${p.code.slice(4)}`;
    expect(normalizePairingCode(typed)).toBe(p.code);
    const paired = await pairKiosk(t.db, typed);
    if (!paired.ok) throw new Error('not paired');
    expect(paired.token).toMatch(/^mkk_/);
    expect(paired.token).not.toContain(key.slice(4));
    expect(paired.kiosk).toMatchObject({
      unitCode: unit,
      deskCode: 'Q02',
      minIntervalSeconds: 3,
      deskKeyPrefix: prefix,
    });
    expect(await pairKiosk(t.db, p.code)).toEqual({ ok: false, reason: 'unknown' });
    expect(await verifyKioskToken(t.db, paired.token)).toMatchObject({
      ok: true,
      kiosk: { deskCode: 'Q02' },
    });
    // One character changed (never to itself: a token ending in x would still verify).
    const altered = `${paired.token.slice(0, -1)}${paired.token.endsWith('x') ? 'y' : 'x'}`;
    expect(await verifyKioskToken(t.db, altered)).toEqual({
      ok: false,
      reason: 'unknown',
    });
    // Nothing stored is the code or the token itself.
    const [row] = await t.db.orm.select().from(schema.kiosks).where(eq(schema.kiosks.id, p.kioskId));
    expect(JSON.stringify(row)).not.toContain(p.code);
    expect(JSON.stringify(row)).not.toContain(paired.token);

    await revokeDeskKey(t.db, prefix);
    expect(await verifyKioskToken(t.db, paired.token)).toEqual({ ok: false, reason: 'revoked' });
    await expect(
      createKioskPairing(t.db, { deskKeyPrefix: prefix, label: 'Máy 2', minIntervalSeconds: 3 }),
    ).rejects.toThrow(/revoked/);
  });

  it('an expired or revoked code pairs nothing; a revoked kiosk is told so', async () => {
    const { prefix } = await createDeskKey(t.db, { unit: tree.communes[1], label: 'xã' });
    const expired = await createKioskPairing(t.db, {
      deskKeyPrefix: prefix,
      label: 'a',
      deskCode: 'Q1',
      minIntervalSeconds: 0,
    });
    await t.db.orm
      .update(schema.kiosks)
      .set({ pairingExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.kiosks.id, expired.kioskId));
    expect(await pairKiosk(t.db, expired.code)).toEqual({ ok: false, reason: 'unknown' });

    const revoked = await createKioskPairing(t.db, {
      deskKeyPrefix: prefix,
      label: 'b',
      deskCode: 'Q1',
      minIntervalSeconds: 0,
    });
    await revokeKiosk(t.db, revoked.kioskId);
    expect(await pairKiosk(t.db, revoked.code)).toEqual({ ok: false, reason: 'unknown' });

    const good = await createKioskPairing(t.db, {
      deskKeyPrefix: prefix,
      label: 'c',
      deskCode: 'Q3',
      minIntervalSeconds: 0,
    });
    const paired = await pairKiosk(t.db, good.code);
    if (!paired.ok) throw new Error('not paired');
    expect(await revokeKiosk(t.db, good.kioskId)).toBe(1);
    expect(await revokeKiosk(t.db, good.kioskId)).toBe(0);
    expect(await verifyKioskToken(t.db, paired.token)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('a commune-wide key needs a desk for its kiosk; a desk key keeps its own', async () => {
    const wide = await createDeskKey(t.db, { unit: tree.communes[2], label: 'wide' });
    await expect(
      createKioskPairing(t.db, { deskKeyPrefix: wide.prefix, label: 'k', minIntervalSeconds: 0 }),
    ).rejects.toThrow(/desk/);
    const one = await createDeskKey(t.db, { unit: tree.communes[2], label: 'one', desk: 'Q05' });
    await expect(
      createKioskPairing(t.db, {
        deskKeyPrefix: one.prefix,
        label: 'k',
        deskCode: 'Q06',
        minIntervalSeconds: 0,
      }),
    ).rejects.toThrow(/limited to desk Q05/);
    await expect(
      createKioskPairing(t.db, { deskKeyPrefix: one.prefix, label: 'k', minIntervalSeconds: 601 }),
    ).rejects.toThrow(/minIntervalSeconds/);
  });

  it("records a key's last use at most once a minute", async () => {
    const { prefix } = await createDeskKey(t.db, { unit: tree.communes[0], label: 'use' });
    let clock = Date.parse('2026-11-30T08:00:00Z');
    const used = deskKeyUseTracker(t.db, 60_000, () => clock);
    const lastUsed = async () =>
      (await t.db.orm.select().from(schema.deskKeys).where(eq(schema.deskKeys.prefix, prefix)))[0].lastUsedAt;
    expect(await lastUsed()).toBeNull();
    await used(prefix);
    expect((await lastUsed())?.toISOString()).toBe('2026-11-30T08:00:00.000Z');
    clock += 59_000;
    expect(used(prefix)).toBeUndefined();
    expect((await lastUsed())?.toISOString()).toBe('2026-11-30T08:00:00.000Z');
    clock += 1000;
    await used(prefix);
    expect((await lastUsed())?.toISOString()).toBe('2026-11-30T08:01:00.000Z');
  });
});

describe.each(DB_KINDS)('the first admin on %s', (kind) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(kind);
  });
  afterAll(() => t.drop());

  it('is made once, on the root of whatever tree is loaded, and logged', async () => {
    // No tree yet: nothing to sit on.
    expect(await ensureFirstAdmin(t.db)).toBeNull();
    // A national tree, as vn-2025-07 is: the nation is the root, no city above the provinces.
    await t.db.orm.insert(schema.units).values([
      { code: 'VN', name: 'Việt Nam', level: 'nation', parentCode: null, tree: 'test' },
      { code: '79', name: 'Thành phố Hồ Chí Minh', level: 'city', parentCode: 'VN', tree: 'test' },
      { code: '25747', name: 'Phường Sài Gòn', level: 'commune', parentCode: '79', tree: 'test' },
    ]);
    // Two processes starting at once on one database make one admin.
    const made = await Promise.all([ensureFirstAdmin(t.db), ensureFirstAdmin(t.db)]);
    const first = made.find((m) => m !== null);
    expect(made.filter((m) => m !== null)).toHaveLength(1);
    expect(first?.unitCode).toBe('VN');
    const viewer = await verifyViewerToken(t.db, first?.token as string);
    expect(viewer).toMatchObject({ role: 'admin', unitCode: 'VN' });
    const [entry] = await listAudit(t.db, { unitCodes: null });
    expect(entry).toMatchObject({
      actor: 'cli',
      action: 'viewer.create',
      subject: first?.prefix,
      unitCode: 'VN',
    });
    expect(JSON.stringify(entry)).not.toContain(first?.token);

    // Later starts make none, even after that admin was revoked (the CLI makes another).
    expect(await ensureFirstAdmin(t.db)).toBeNull();
    await revokeViewer(t.db, first?.prefix as string);
    expect(await ensureFirstAdmin(t.db)).toBeNull();
    expect((await listViewers(t.db)).filter((v) => v.role === 'admin')).toHaveLength(1);
    // By hand, an admin fits the nation too, and no unit below the root.
    await expect(createViewer(t.db, { role: 'admin', unit: 'VN', label: 'b' })).resolves.toBeTruthy();
    await expect(createViewer(t.db, { role: 'admin', unit: '79', label: 'c' })).rejects.toThrow(
      CredentialError,
    );
  });
});
