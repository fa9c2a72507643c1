import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isTreeName, type RefUnit, referenceTree, TREE_NAMES } from './index.ts';

const byLevel = (units: RefUnit[], level: RefUnit['level']) => units.filter((u) => u.level === level);
const find = (units: RefUnit[], code: string) => units.find((u) => u.code === code);

describe('tree names', () => {
  it('lists the four trees and recognises them', () => {
    expect([...TREE_NAMES]).toEqual(['vn-2025-01', 'vn-2025-07', 'hanoi-2025-01', 'hanoi-2025-07']);
    for (const name of TREE_NAMES) expect(isTreeName(name)).toBe(true);
    expect(isTreeName('vn-2024')).toBe(false);
    expect(isTreeName('')).toBe(false);
  });
});

describe('vn-2025-01 (province → district → commune)', () => {
  const tree = referenceTree('vn-2025-01');

  it('has 63 provinces, 696 districts and 10,051 communes', () => {
    expect(byLevel(tree, 'city')).toHaveLength(63);
    expect(byLevel(tree, 'district')).toHaveLength(696);
    // The source has 10,056 rows; 5 of them are island districts without any commune (below).
    expect(byLevel(tree, 'commune')).toHaveLength(10_051);
    const childless = byLevel(tree, 'district').filter((d) => !tree.some((u) => u.parentCode === d.code));
    // Every one of the source's 10,056 commune-level rows is represented.
    expect(byLevel(tree, 'commune').length + childless.length).toBe(10_056);
  });

  it('keeps the island districts that have no commune level', () => {
    const childless = byLevel(tree, 'district')
      .filter((d) => !tree.some((u) => u.parentCode === d.code))
      .map((d) => `${d.code} ${d.name}`);
    expect(childless).toEqual([
      '318 Huyện Bạch Long Vĩ',
      '471 Huyện Cồn Cỏ',
      '498 Huyện Hoàng Sa',
      '536 Huyện Lý Sơn',
      '755 Huyện Côn Đảo',
    ]);
  });

  it('uses fixed-width codes with leading zeros', () => {
    const width = { nation: 2, city: 2, district: 3, commune: 5 };
    for (const u of tree) expect(u.code).toMatch(new RegExp(`^\\d{${width[u.level]}}$`));
    expect(find(tree, '01')?.name).toBe('Thành phố Hà Nội');
    expect(find(tree, '001')?.name).toBe('Quận Ba Đình');
    expect(find(tree, '00001')?.name).toBe('Phường Phúc Xá');
  });

  it('has Huyện Đan Phượng 273 with 16 communes including Thị trấn Phùng', () => {
    expect(find(tree, '273')).toEqual({
      code: '273',
      name: 'Huyện Đan Phượng',
      level: 'district',
      parentCode: '01',
    });
    const communes = tree.filter((u) => u.parentCode === '273');
    expect(communes).toHaveLength(16);
    expect(communes.every((c) => c.level === 'commune')).toBe(true);
    expect(communes).toContainEqual({
      code: '09784',
      name: 'Thị trấn Phùng',
      level: 'commune',
      parentCode: '273',
    });
  });

  it('has no mergedFrom', () => {
    expect(tree.some((u) => 'mergedFrom' in u)).toBe(false);
  });

  it('collapses stray inner spaces of the source', () => {
    expect(find(tree, '04138')?.name).toBe('Xã Cò Nòi');
    expect(tree.find((u) => u.name.includes('Vũng Liêm') && u.level === 'district')?.name).toBe(
      'Huyện Vũng Liêm',
    );
  });
});

describe('vn-2025-07 (nation → province → commune)', () => {
  const tree = referenceTree('vn-2025-07');

  it('has one national root, 34 provinces under it, no districts and 3,321 communes', () => {
    expect(tree[0]).toEqual({ code: 'VN', name: 'Việt Nam', level: 'nation', parentCode: null });
    expect(tree.filter((u) => u.parentCode === null)).toHaveLength(1);
    expect(byLevel(tree, 'city')).toHaveLength(34);
    for (const p of byLevel(tree, 'city')) expect(p.parentCode).toBe('VN');
    expect(byLevel(tree, 'district')).toHaveLength(0);
    expect(byLevel(tree, 'commune')).toHaveLength(3_321);
  });

  it('takes province names from the "(NN)" cells', () => {
    expect(find(tree, '01')).toEqual({
      code: '01',
      name: 'Thành phố Hà Nội',
      level: 'city',
      parentCode: 'VN',
    });
    expect(find(tree, '46')?.name).toBe('Thành phố Huế');
    expect(find(tree, '66')?.name).toBe('Tỉnh Đắk Lắk');
  });

  it('records the old communes merged into each new commune', () => {
    const baDinh = find(tree, '00004');
    expect(baDinh).toMatchObject({ name: 'Phường Ba Đình', level: 'commune', parentCode: '01' });
    expect(baDinh?.mergedFrom).toEqual(expect.arrayContaining(['00004', '00013']));
    expect(baDinh?.mergedFrom).toHaveLength(10);
    for (const c of byLevel(tree, 'commune')) {
      expect(c.mergedFrom).toBeInstanceOf(Array);
      expect(new Set(c.mergedFrom).size).toBe(c.mergedFrom?.length);
      for (const o of c.mergedFrom ?? []) expect(o).toMatch(/^\d{5}$/);
    }
  });

  it('has empty mergedFrom only for the special zones made of former island districts', () => {
    const empty = byLevel(tree, 'commune')
      .filter((c) => c.mergedFrom?.length === 0)
      .map((c) => c.name);
    expect(empty).toEqual([
      'Đặc khu Bạch Long Vĩ',
      'Đặc khu Cồn Cỏ',
      'Đặc khu Hoàng Sa',
      'Đặc khu Lý Sơn',
      'Đặc khu Côn Đảo',
    ]);
  });

  it('merges from old communes of vn-2025-01, except 11 codes the source table takes from a later list', () => {
    const old = new Set(byLevel(referenceTree('vn-2025-01'), 'commune').map((u) => u.code));
    const dangling = tree.flatMap((c) =>
      (c.mergedFrom ?? []).filter((o) => !old.has(o)).map((o) => `${c.code}<-${o}`),
    );
    expect(dangling).toEqual([
      '03980<-03980',
      '03982<-03984',
      '04033<-03983',
      '26929<-26929',
      '26956<-26953',
      '27058<-27076',
      '27073<-27076',
      '27226<-27226',
      '27232<-27232',
      '27367<-27367',
      '27373<-27373',
    ]);
  });

  it('normalises source spellings (NFC, typo fixed)', () => {
    expect(find(tree, '24496')?.name).toBe('Xã Ea Kly');
    expect(find(tree, '05941')?.name).toBe('Xã Điềm Thuỵ');
    expect(tree.find((u) => u.name.startsWith('Phường Từ Sơn'))?.name).toBe('Phường Từ Sơn'.normalize('NFC'));
  });
});

describe('Hà Nội trees', () => {
  const before = referenceTree('hanoi-2025-01');
  const after = referenceTree('hanoi-2025-07');

  it('has 30 districts and 526 communes before, 126 communes after', () => {
    expect(byLevel(before, 'city').map((u) => u.code)).toEqual(['01']);
    expect(byLevel(before, 'district')).toHaveLength(30);
    expect(byLevel(before, 'commune')).toHaveLength(526);
    expect(before).toHaveLength(1 + 30 + 526);
    expect(byLevel(after, 'city').map((u) => u.code)).toEqual(['01']);
    expect(byLevel(after, 'district')).toHaveLength(0);
    expect(byLevel(after, 'commune')).toHaveLength(126);
  });

  it('is the vn tree restricted to province 01', () => {
    const vn01 = referenceTree('vn-2025-01');
    const hnDistricts = new Set(vn01.filter((u) => u.parentCode === '01').map((u) => u.code));
    const expected = vn01.filter(
      (u) => u.code === '01' || u.parentCode === '01' || hnDistricts.has(u.parentCode ?? ''),
    );
    expect(before).toEqual(expected);
    expect(after).toEqual(
      referenceTree('vn-2025-07')
        .filter((u) => u.code === '01' || u.parentCode === '01')
        // Hà Nội is the root of its own tree.
        .map((u) => (u.code === '01' ? { ...u, parentCode: null } : u)),
    );
  });

  it('only merges Hà Nội communes into Hà Nội communes', () => {
    const old = new Set(byLevel(before, 'commune').map((u) => u.code));
    for (const c of byLevel(after, 'commune'))
      for (const o of c.mergedFrom ?? []) expect(old.has(o)).toBe(true);
    expect(new Set(after.flatMap((c) => c.mergedFrom ?? []))).toEqual(old);
  });

  it('keeps Vietnamese names exactly', () => {
    expect(before[0].name).toBe('Thành phố Hà Nội');
    expect(after[0].name).toBe('Thành phố Hà Nội');
    expect(find(before, '273')?.name).toBe('Huyện Đan Phượng');
    expect(find(before, '09784')?.name).toBe('Thị trấn Phùng');
    expect(find(after, '00004')?.name).toBe('Phường Ba Đình');
    // Same letters in decomposed form must not match: names are NFC.
    expect(find(before, '273')?.name).not.toBe('Huyện Đan Phượng'.normalize('NFD'));
  });
});

describe.each(TREE_NAMES)('%s invariants', (name) => {
  const tree = referenceTree(name);

  it('has unique codes', () => {
    expect(new Set(tree.map((u) => u.code)).size).toBe(tree.length);
  });

  it('lists parents before children, each level sorted by code', () => {
    const rank = { nation: -1, city: 0, district: 1, commune: 2 };
    const seen = new Set<string>();
    for (const [i, u] of tree.entries()) {
      if (i > 0) {
        const prev = tree[i - 1];
        expect(rank[prev.level]).toBeLessThanOrEqual(rank[u.level]);
        if (prev.level === u.level) expect(prev.code < u.code).toBe(true);
      }
      if (u.level === 'nation' || (u.level === 'city' && name !== 'vn-2025-07'))
        expect(u.parentCode).toBeNull();
      else expect(seen.has(u.parentCode ?? '')).toBe(true);
      seen.add(u.code);
    }
  });

  it('links every unit to a parent of the level above', () => {
    const levels = new Map(tree.map((u) => [u.code, u.level]));
    const twoLevel = name.endsWith('2025-07');
    for (const u of tree) {
      if (u.parentCode === null) continue;
      const parentLevel = levels.get(u.parentCode);
      expect(parentLevel).toBe(
        u.level === 'city' ? 'nation' : u.level === 'district' || twoLevel ? 'city' : 'district',
      );
    }
  });

  it('has clean NFC names that carry their type', () => {
    const types = {
      nation: /^Việt Nam$/u,
      city: /^(Tỉnh|Thành phố) /u,
      district: /^(Quận|Huyện|Thị xã|Thành phố) /iu,
      commune: /^(Phường|Xã|Thị trấn|Đặc khu) /iu,
    };
    const bad = tree.filter(
      (u) =>
        u.name !== u.name.normalize('NFC') ||
        u.name !== u.name.trim() ||
        /\s{2}|[^\S ]/u.test(u.name) ||
        !types[u.level].test(u.name),
    );
    expect(bad).toEqual([]);
  });

  it('returns a fresh copy on every call', () => {
    const copy = referenceTree(name);
    copy[0].name = 'changed';
    copy.push({ code: '99999', name: 'Xã X', level: 'commune', parentCode: null });
    const again = referenceTree(name);
    expect(again).toHaveLength(tree.length);
    expect(again[0].name).toBe(tree[0].name);
  });
});

describe('committed data files', () => {
  const read = (file: string) => readFileSync(new URL(`../../data/units/${file}`, import.meta.url), 'utf8');

  it('are compact: one row per line, no indentation', () => {
    for (const file of ['vn-2025-01.json', 'vn-2025-07.json']) {
      const text = read(file);
      expect(() => JSON.parse(text)).not.toThrow();
      expect(text).not.toMatch(/^\s/mu);
      expect(text.split('\n').length).toBeLessThan(11_000);
    }
  });
});
