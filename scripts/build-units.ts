/**
 * Turns the official administrative-unit lists (danh mục đơn vị hành chính) into the compact reference
 * data committed under packages/db/data/units/. The product uses only that committed JSON; the CSVs are
 * read only here, when the lists change, and are not part of the repository.
 *
 *   npx tsx scripts/build-units.ts <units-2025-01-04.csv> <units-2025-07-01-from-old.csv>
 *
 * The two CSVs are the lists published by the General Statistics Office, now the National Statistics
 * Office (Tổng cục Thống kê / Cục Thống kê), as gathered in the seed data of the open-source
 * VietnamProvinces project:
 *
 *   units-2025-01-04.csv           the three-level tree in force until 30 June 2025: province (2-digit
 *                                  code) → district (3-digit) → commune, ward or town (5-digit). One header
 *                                  line `Tỉnh Thành Phố, Mã TP, Quận Huyện, Mã QH, Phường Xã, Mã PX, Cấp,
 *                                  Tên Tiếng Anh`, then one row per commune (10,051), plus one row without a
 *                                  commune for each of the 5 island districts that have none.
 *   units-2025-07-01-from-old.csv  the two-level tree in force from 1 July 2025 (no districts), as a table
 *                                  from each new commune to the old communes merged into it: two header
 *                                  lines, section lines such as `THÀNH PHỐ HÀ NỘI` with empty fields, then
 *                                  rows `Tỉnh (new code), Tên Xã mới, Mã Xã mới, Tên Xã cũ, Mã Xã cũ, Ghi chú,
 *                                  Quận/huyện cũ (code), Tỉnh cũ (code)`. 3,321 new communes.
 *
 * Names carry their type word (Phường, Xã, Thị trấn, Quận, Huyện, Thị xã, Thành phố, Tỉnh, Đặc khu); some
 * cells have stray spaces.
 *
 * Writes:
 *   vn-2025-01.json  { tree, provinces: [[code, name]], districts: [[code, name, provinceCode]],
 *                      communes: [[code, name, districtCode]] }
 *   vn-2025-07.json  { tree, provinces: [[code, name]], communes: [[code, name, provinceCode, [oldCodes]]] }
 *
 * Every cell is NFC-normalised and its whitespace collapsed (trimmed, runs of spaces and the newlines
 * found inside some quoted cells become one space). Anything unexpected fails the build.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(REPO_ROOT, 'packages/db/data/units');
/** The two lists' file names as published; messages name a file by them, wherever it was read from. */
const FILE_2025_01 = 'units-2025-01-04.csv';
const FILE_2025_07 = 'units-2025-07-01-from-old.csv';

/**
 * Source typos corrected on purpose, keyed by tree and code: [value in the source, value written].
 * A fix whose source value no longer matches fails the build, so it is revisited when the data changes.
 */
const NAME_FIXES: Record<string, Record<string, [from: string, to: string]>> = {
  'vn-2025-01': {},
  // Both rows of this new commune spell the type "Xa" without its diacritic; the old commune with the
  // same code (merged into it) is "Xã Ea Kly".
  'vn-2025-07': { '24496': ['Xa Ea Kly', 'Xã Ea Kly'] },
};

const PROVINCE_TYPES = ['Tỉnh', 'Thành phố'];
const DISTRICT_TYPES = ['Quận', 'Huyện', 'Thị xã', 'Thành phố'];
const COMMUNE_TYPES = ['Phường', 'Xã', 'Thị trấn', 'Đặc khu'];

class BuildError extends Error {}

function fail(message: string): never {
  throw new BuildError(message);
}

/** RFC 4180 CSV: quoted fields may contain commas, doubled quotes and line breaks; LF or CRLF rows. */
function parseCsv(text: string, file: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let wasQuoted = false; // current field started with a quote (and that quote is closed)
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endField = () => {
    row.push(field);
    field = '';
    wasQuoted = false;
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          wasQuoted = true;
        }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === ',') {
      endField();
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
    } else if (ch === '"') {
      if (field !== '' || wasQuoted) fail(`${file}:${line}: stray quote inside an unquoted field`);
      quoted = true;
    } else {
      if (wasQuoted) fail(`${file}:${line}: text after the closing quote of a field`);
      field += ch;
    }
  }
  if (quoted) fail(`${file}: unterminated quoted field at end of file`);
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** NFC, trimmed, every run of whitespace (incl. NBSP and embedded newlines) collapsed to one space. */
function clean(s: string): string {
  return s.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

function checkCode(code: string, digits: number, what: string, where: string): void {
  if (!new RegExp(`^\\d{${digits}}$`).test(code))
    fail(`${where}: ${what} code ${JSON.stringify(code)} is not ${digits} digits`);
}

function checkType(name: string, types: string[], what: string, where: string): void {
  const lower = name.toLocaleLowerCase('vi');
  if (!types.some((t) => lower.startsWith(`${t.toLocaleLowerCase('vi')} `))) {
    fail(`${where}: ${what} name ${JSON.stringify(name)} does not start with one of ${types.join(', ')}`);
  }
}

/** Keeps the first value per code and fails if a code is seen again with a different value. */
function setOnce<T>(map: Map<string, T>, code: string, value: T, what: string, where: string): void {
  const prev = map.get(code);
  if (prev === undefined) map.set(code, value);
  else if (JSON.stringify(prev) !== JSON.stringify(value)) {
    fail(`${where}: ${what} ${code} is ${JSON.stringify(value)} here but ${JSON.stringify(prev)} earlier`);
  }
}

function applyFixes(tree: string, rows: { code: string; name: string }[], log: string[]): void {
  const fixes = NAME_FIXES[tree] ?? {};
  for (const [code, [from, to]] of Object.entries(fixes)) {
    const unit = rows.find((r) => r.code === code);
    if (!unit || unit.name !== from) {
      fail(
        `${tree}: name fix for ${code} expects ${JSON.stringify(from)}, found ${JSON.stringify(unit?.name)}`,
      );
    }
    unit.name = to;
    log.push(`${tree}: name of ${code} corrected ${JSON.stringify(from)} -> ${JSON.stringify(to)}`);
  }
}

const byCode = (a: { code: string }, b: { code: string }) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

interface Tree202501 {
  provinces: { code: string; name: string }[];
  districts: { code: string; name: string; parent: string }[];
  communes: { code: string; name: string; parent: string }[];
}

function build202501(file: string, log: string[]): Tree202501 {
  const rows = parseCsv(readFileSync(file, 'utf8'), FILE_2025_01).map((r) => r.map(clean));
  const header = rows.shift() ?? [];
  const expected = [
    'Tỉnh Thành Phố',
    'Mã TP',
    'Quận Huyện',
    'Mã QH',
    'Phường Xã',
    'Mã PX',
    'Cấp',
    'Tên Tiếng Anh',
  ];
  if (header.join('|') !== expected.join('|'))
    fail(`${FILE_2025_01}: unexpected header ${JSON.stringify(header)}`);

  const provinces = new Map<string, string>();
  const districts = new Map<string, [string, string]>();
  const communes = new Map<string, [string, string]>();
  rows.forEach((r, idx) => {
    const where = `${FILE_2025_01} record ${idx + 2}`;
    if (r.every((c) => c === '')) return;
    if (r.length < 7) fail(`${where}: expected 8 fields, got ${r.length}`);
    const [pName, pCode, dName, dCode, cName, cCode, level] = r;
    checkCode(pCode, 2, 'province', where);
    checkCode(dCode, 3, 'district', where);
    checkType(pName, PROVINCE_TYPES, 'province', where);
    checkType(dName, DISTRICT_TYPES, 'district', where);
    setOnce(provinces, pCode, pName, 'province', where);
    setOnce(districts, dCode, [dName, pCode], 'district', where);
    if (cCode === '' && cName === '') {
      // A district with no commune level at all (island districts): the row describes the district only.
      if (level !== 'Huyện') fail(`${where}: row without a commune has level ${JSON.stringify(level)}`);
      log.push(`${FILE_2025_01}: district ${dCode} ${dName} (${pName}) has no communes`);
      return;
    }
    checkCode(cCode, 5, 'commune', where);
    checkType(cName, COMMUNE_TYPES, 'commune', where);
    if (communes.has(cCode)) fail(`${where}: commune ${cCode} appears twice`);
    communes.set(cCode, [cName, dCode]);
  });

  const tree: Tree202501 = {
    provinces: [...provinces].map(([code, name]) => ({ code, name })).sort(byCode),
    districts: [...districts].map(([code, [name, parent]]) => ({ code, name, parent })).sort(byCode),
    communes: [...communes].map(([code, [name, parent]]) => ({ code, name, parent })).sort(byCode),
  };
  applyFixes('vn-2025-01', tree.communes, log);
  return tree;
}

interface Tree202507 {
  provinces: { code: string; name: string }[];
  communes: { code: string; name: string; parent: string; mergedFrom: string[] }[];
}

function build202507(file: string, log: string[]): Tree202507 {
  const rows = parseCsv(readFileSync(file, 'utf8'), FILE_2025_07).map((r) => r.map(clean));
  const [h1 = [], h2 = []] = rows.splice(0, 2);
  if (
    !h1[0]?.startsWith('Đơn vị hành chính từ ngày 01/7/2025') ||
    h2[0] !== 'Tỉnh, thành phố' ||
    h2[2] !== 'Mã Xã mới'
  ) {
    fail(`${FILE_2025_07}: unexpected header lines ${JSON.stringify([h1, h2])}`);
  }

  const provinces = new Map<string, string>();
  const communes = new Map<
    string,
    { province: string; names: Map<string, number>; old: Set<string>; rows: number; where: string }
  >();
  let sections = 0;
  rows.forEach((r, idx) => {
    const where = `${FILE_2025_07} record ${idx + 3}`;
    if (r.every((c) => c === '')) return;
    if (r.slice(1).every((c) => c === '')) {
      sections++; // section line such as "THÀNH PHỐ HÀ NỘI"; the province comes from each row's "(NN)" cell
      return;
    }
    if (r.length < 8) fail(`${where}: expected 9 fields, got ${r.length}`);
    const [pCell, name, code, oldName, oldCode, note] = r;
    const m = /^(.+?) ?\((\d{2})\)$/u.exec(pCell);
    if (!m) fail(`${where}: province cell ${JSON.stringify(pCell)} is not "Name (NN)"`);
    const [, pName, pCode] = m;
    checkType(pName, PROVINCE_TYPES, 'province', where);
    setOnce(provinces, pCode, pName, 'province', where);
    checkCode(code, 5, 'new commune', where);
    if (name === '') fail(`${where}: new commune ${code} has no name`);
    let unit = communes.get(code);
    if (!unit) {
      unit = { province: pCode, names: new Map(), old: new Set(), rows: 0, where };
      communes.set(code, unit);
    } else if (unit.province !== pCode) {
      fail(
        `${where}: new commune ${code} is in province ${pCode} here but ${unit.province} at ${unit.where}`,
      );
    }
    unit.rows++;
    unit.names.set(name, (unit.names.get(name) ?? 0) + 1);
    if (oldCode === '') {
      log.push(
        `${where}: ${code} ${name}: row without an old commune code (${JSON.stringify(oldName || note)})`,
      );
      return;
    }
    checkCode(oldCode, 5, 'old commune', where);
    if (unit.old.has(oldCode)) fail(`${where}: old commune ${oldCode} listed twice for ${code}`);
    unit.old.add(oldCode);
  });
  log.push(`${FILE_2025_07}: ${sections} section lines skipped`);

  const out: Tree202507['communes'] = [];
  for (const [code, unit] of communes) {
    // Spelling variants of one new commune's name across its rows: keep the most frequent (ties: first seen).
    let name = '';
    let best = 0;
    for (const [n, count] of unit.names) {
      if (count > best) [name, best] = [n, count];
    }
    if (unit.names.size > 1) {
      const variants = [...unit.names].map(([n, c]) => `${JSON.stringify(n)} x${c}`).join(', ');
      log.push(`${FILE_2025_07}: new commune ${code} is spelled ${variants}; kept ${JSON.stringify(name)}`);
    }
    out.push({ code, name, parent: unit.province, mergedFrom: [...unit.old].sort() });
  }
  const tree: Tree202507 = {
    provinces: [...provinces].map(([code, name]) => ({ code, name })).sort(byCode),
    communes: out.sort(byCode),
  };
  applyFixes('vn-2025-07', tree.communes, log);
  for (const c of tree.communes) checkType(c.name, COMMUNE_TYPES, 'new commune', `${FILE_2025_07} ${c.code}`);
  return tree;
}

/** Unique codes across the whole tree, every parent present and listed earlier, every level sorted. */
function validate(tree: string, levels: { code: string; parent?: string }[][]): void {
  const seen = new Set<string>();
  let parents = new Set<string>();
  for (const [depth, units] of levels.entries()) {
    for (let i = 0; i < units.length; i++) {
      const u = units[i];
      if (seen.has(u.code)) fail(`${tree}: duplicate code ${u.code}`);
      if (i > 0 && units[i - 1].code >= u.code) fail(`${tree}: level ${depth} not sorted at ${u.code}`);
      if (depth > 0 && (u.parent === undefined || !parents.has(u.parent))) {
        fail(`${tree}: ${u.code} has unknown parent ${u.parent}`);
      }
    }
    for (const u of units) seen.add(u.code);
    parents = new Set(units.map((u) => u.code));
  }
}

/** JSON with one row per line: small diffs, still compact. */
function compactJson(obj: Record<string, unknown>): string {
  const parts = Object.entries(obj).map(([key, value]) => {
    const v = Array.isArray(value)
      ? value.length === 0
        ? '[]'
        : `[\n${value.map((row) => JSON.stringify(row)).join(',\n')}\n]`
      : JSON.stringify(value);
    return `${JSON.stringify(key)}:${v}`;
  });
  return `{${parts.join(',\n')}}\n`;
}

const USAGE = `Usage: npx tsx scripts/build-units.ts <${FILE_2025_01}> <${FILE_2025_07}>`;

function main(): void {
  const [file202501, file202507, ...extra] = process.argv.slice(2);
  if (!file202501 || !file202507 || extra.length > 0) {
    console.error(USAGE);
    process.exit(2);
  }
  const log: string[] = [];

  const t1 = build202501(resolve(file202501), log);
  validate('vn-2025-01', [t1.provinces, t1.districts, t1.communes]);
  const t2 = build202507(resolve(file202507), log);
  validate('vn-2025-07', [t2.provinces, t2.communes]);

  // Cross-check (reported, not fatal: the 2025-07 table was drawn from a slightly later pre-reform list).
  const oldCodes = new Set(t1.communes.map((c) => c.code));
  const referenced = new Set(t2.communes.flatMap((c) => c.mergedFrom));
  const dangling = t2.communes.flatMap((c) =>
    c.mergedFrom.filter((o) => !oldCodes.has(o)).map((o) => `${c.code}<-${o}`),
  );
  const orphans = t1.communes.filter((c) => !referenced.has(c.code)).map((c) => c.code);
  log.push(`vn-2025-07: ${dangling.length} merged-from codes not in vn-2025-01: ${dangling.join(' ')}`);
  log.push(`vn-2025-01: ${orphans.length} communes not merged into any new commune: ${orphans.join(' ')}`);

  mkdirSync(OUT_DIR, { recursive: true });
  const files: [string, string][] = [
    [
      'vn-2025-01.json',
      compactJson({
        tree: 'vn-2025-01',
        provinces: t1.provinces.map((p) => [p.code, p.name]),
        districts: t1.districts.map((d) => [d.code, d.name, d.parent]),
        communes: t1.communes.map((c) => [c.code, c.name, c.parent]),
      }),
    ],
    [
      'vn-2025-07.json',
      compactJson({
        tree: 'vn-2025-07',
        provinces: t2.provinces.map((p) => [p.code, p.name]),
        communes: t2.communes.map((c) => [c.code, c.name, c.parent, c.mergedFrom]),
      }),
    ],
  ];
  for (const [name, text] of files) {
    JSON.parse(text); // never write something the loader cannot read
    writeFileSync(join(OUT_DIR, name), text);
  }

  for (const line of log) console.log(`note: ${line}`);
  const hn1 = new Set(t1.districts.filter((d) => d.parent === '01').map((d) => d.code));
  console.log(
    `vn-2025-01: ${t1.provinces.length} provinces, ${t1.districts.length} districts, ${t1.communes.length} communes` +
      ` (Hà Nội: ${hn1.size} districts, ${t1.communes.filter((c) => hn1.has(c.parent)).length} communes)`,
  );
  console.log(
    `vn-2025-07: ${t2.provinces.length} provinces, ${t2.communes.length} communes` +
      ` (Hà Nội: ${t2.communes.filter((c) => c.parent === '01').length} communes)`,
  );
  for (const [name, text] of files) {
    console.log(`wrote ${join(OUT_DIR, name)} (${Buffer.byteLength(text)} bytes)`);
  }
}

try {
  main();
} catch (err) {
  console.error(`build-units: ${err instanceof BuildError ? err.message : err}`);
  process.exit(1);
}
