/**
 * `motcua import FILE…`: history files (NDJSON or CSV, gzipped or not) into the event store,
 * through the contract's validation and the ingest's state machine (`importChunk`), in chunks
 * committed with a checkpoint so an interrupted import resumes where it stopped.
 */
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  createReadStream,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { type ValidatedEvent, validateEvent } from '@motcua/contract';
import {
  type Database,
  importChunk,
  readImportFile,
  rebuildOpenDossierIndexes,
  resetImportFile,
  saveImportCheckpoint,
} from '@motcua/db';
import { type WorkCalendar, workingDeadline } from '@motcua/metrics';
import { sql } from 'drizzle-orm';
import { CsvHeaderError, checkCsvHeader, csvRecordToEvent, splitCsvRecord } from './csv.ts';

export type ImportFormat = 'ndjson' | 'csv';

export interface ImportOptions {
  format?: ImportFormat;
  /** Events per chunk (default 50,000). */
  chunk?: number;
  /** Where rejected lines go; default `<file>.rejects.ndjson`. Only with one file. */
  rejects?: string;
  /** Ignore the checkpoint of an unfinished earlier run and read from line 1. */
  restart?: boolean;
  calendar?: WorkCalendar;
  /** Progress on stderr: a redrawn bar on a terminal, a line every 5 s otherwise; absent: none. */
  progress?: { write(s: string): void; isTTY: boolean };
  /** Concurrent transactions per chunk, communes split between them (default 2 on Postgres, 1 on PGlite). */
  lanes?: number;
  /** Stop after this many chunks (tests: an interrupted import). */
  stopAfterChunks?: number;
  /** The clock validation's "not in the future" rule reads. */
  now?: () => number;
}

export interface FileSummary {
  path: string;
  lines: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Lines skipped because an earlier run had committed them. */
  resumedAfterLine: number;
  seconds: number;
  rejectsPath: string | null;
  finished: boolean;
}

export class ImportError extends Error {}

/** gzip is recognised by its magic bytes, not by the name. */
function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** The file's identity for its checkpoint: its size and a hash of its first MiB (a moved file resumes). */
function fileKeyOf(path: string, size: number): string {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(size, 1 << 20));
    readSync(fd, head, 0, head.length, 0);
    return `${size}:${createHash('sha256').update(head).digest('hex')}`;
  } finally {
    closeSync(fd);
  }
}

export function formatOf(path: string): ImportFormat {
  return /\.csv(\.gz)?$/i.test(path) ? 'csv' : 'ndjson';
}

/** Lines of a (possibly gzipped) file, numbered from 1, with the bytes of the file read so far. */
async function* linesOf(path: string, counter: { bytes: number }): AsyncGenerator<[number, string]> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  raw.on('data', (b) => {
    counter.bytes += b.length;
  });
  const input = isGzip(path) ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (err) => input.destroy(err));
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let n = 0;
  for await (const buf of input) {
    const text = rest + decoder.write(buf as Buffer);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield [++n, text.slice(start, end)];
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest !== '') yield [++n, rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}

interface Rejected {
  line: number;
  error: string;
  input: string;
}

const INPUT_KEPT = 2000;

/** Keeps the rejects an earlier run recorded up to `line` (the rest will be read again). */
function keepRejectsUpTo(path: string, line: number): void {
  if (!existsSync(path)) return;
  const kept = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '' && (JSON.parse(l) as Rejected).line <= line);
  writeFileSync(path, kept.length ? `${kept.join('\n')}\n` : '');
}

const hms = (s: number) => {
  if (!Number.isFinite(s)) return '–';
  const t = Math.round(s);
  return `${Math.floor(t / 3600)}:${String(Math.floor(t / 60) % 60).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
};
const n = (x: number) => x.toLocaleString('en-US');

/** Imports one file; see `runImport`. */
export async function importFile(
  db: Database,
  path: string,
  communes: Set<string>,
  opts: ImportOptions = {},
): Promise<FileSummary> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new ImportError(`${path}: no such file`);
  const size = statSync(abs).size;
  const format = opts.format ?? formatOf(abs);
  const chunkSize = opts.chunk ?? 50_000;
  const fileKey = fileKeyOf(abs, size);
  const rejectsPath = opts.rejects ?? `${abs}.rejects.ndjson`;
  const deadline = opts.calendar && workingDeadline(opts.calendar);
  const now = opts.now ?? Date.now;

  const earlier = await readImportFile(db, fileKey);
  let resumeAfter = 0;
  const totals = { accepted: 0, duplicates: 0, rejected: 0 };
  if (earlier && !earlier.finished && !opts.restart) {
    resumeAfter = earlier.line;
    Object.assign(totals, {
      accepted: earlier.accepted,
      duplicates: earlier.duplicates,
      rejected: earlier.rejected,
    });
    keepRejectsUpTo(rejectsPath, resumeAfter);
  } else {
    if (earlier) await resetImportFile(db, fileKey);
    if (existsSync(rejectsPath)) writeFileSync(rejectsPath, '');
  }

  const knownDesks = new Set<string>();
  const counter = { bytes: 0 };
  const started = performance.now();
  let lastDraw = 0;
  let linesSeen = 0;
  let eventsDone = 0;
  const draw = (final = false) => {
    const p = opts.progress;
    if (!p) return;
    const t = performance.now();
    if (!final && t - lastDraw < (p.isTTY ? 200 : 5000)) return;
    lastDraw = t;
    const secs = (t - started) / 1000;
    const share = size > 0 ? Math.min(1, counter.bytes / size) : 1;
    const rate = eventsDone / Math.max(secs, 1e-3);
    const eta = share > 0 ? (secs / share) * (1 - share) : Number.POSITIVE_INFINITY;
    const width = 24;
    const filled = Math.round(share * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const text =
      `${bar} ${(share * 100).toFixed(1).padStart(5)}%  ${n(eventsDone)} events  ` +
      `${n(Math.round(rate))} events/s  ETA ${final ? '0:00:00' : hms(eta)}`;
    p.write(p.isTTY ? `\r${text}\u001b[K${final ? '\n' : ''}` : `${text}\n`);
  };

  let pending: Promise<void> = Promise.resolve();
  let chunks = 0;
  let events: ValidatedEvent[] = [];
  let rejects: Rejected[] = [];
  let lastLine = resumeAfter;
  let stopped = false;

  /** Waits for the chunk in flight, then starts this one: parsing the next overlaps the write. */
  const flush = async (finished: boolean) => {
    const batch = events;
    const batchRejects = rejects;
    const line = lastLine;
    events = [];
    rejects = [];
    await pending;
    const write = importChunk(db, batch, {
      knownDesks,
      deadline,
      notify: db.kind === 'postgres',
      lanes: opts.lanes ?? (db.kind === 'postgres' ? 2 : 1),
    }).then(async (r) => {
      await saveImportCheckpoint(db, {
        fileKey,
        path: abs,
        line,
        accepted: r.accepted,
        duplicates: r.duplicates,
        rejected: batchRejects.length,
        finished,
      });
      totals.accepted += r.accepted;
      totals.duplicates += r.duplicates;
      totals.rejected += batchRejects.length;
      eventsDone += batch.length;
      // Written once the chunk is committed; a resumed run trims what lies past its checkpoint.
      if (batchRejects.length > 0) {
        appendFileSync(rejectsPath, batchRejects.map((x) => `${JSON.stringify(x)}\n`).join(''));
      }
      draw();
    });
    pending = write;
    // Surface a failed write at once (its error is rethrown by the next await of `pending`).
    write.catch(() => {});
    chunks++;
  };

  let header: string[] | null = null;
  let csvOpen: { line: number; text: string } | null = null;
  const reject = (line: number, error: string, input: string) =>
    rejects.push({
      line,
      error,
      input: input.length > INPUT_KEPT ? `${input.slice(0, INPUT_KEPT)}…` : input,
    });

  const take = (line: number, raw: unknown, input: string) => {
    const checked = validateEvent(raw, now());
    if (!checked.ok) return reject(line, checked.message, input);
    const e = checked.event;
    if (!communes.has(e.unitCode)) {
      return reject(line, `source: unit ${e.unitCode} is not a commune of the loaded unit tree`, input);
    }
    events.push(e);
  };

  for await (const [line, text] of linesOf(abs, counter)) {
    linesSeen = line;
    if (format === 'csv') {
      const record: { line: number; text: string } = csvOpen
        ? { line: csvOpen.line, text: `${csvOpen.text}\n${text}` }
        : { line, text };
      const fields = splitCsvRecord(record.text);
      if (fields === null) {
        csvOpen = record;
        continue;
      }
      csvOpen = null;
      if (header === null) {
        header = fields.map((f) => f.trim());
        try {
          checkCsvHeader(header);
        } catch (err) {
          if (err instanceof CsvHeaderError) throw new ImportError(`${path}: ${err.message}`);
          throw err;
        }
        continue;
      }
      if (line <= resumeAfter) continue;
      if (record.text.trim() === '') continue;
      let raw: Record<string, unknown>;
      try {
        raw = csvRecordToEvent(header, fields);
      } catch (err) {
        reject(record.line, (err as Error).message, record.text);
        lastLine = line;
        continue;
      }
      take(record.line, raw, record.text);
    } else {
      if (line <= resumeAfter) continue;
      if (text.trim() === '') continue;
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        reject(line, 'line: not valid JSON', text);
        lastLine = line;
        continue;
      }
      take(line, raw, text);
    }
    lastLine = line;
    if (events.length >= chunkSize) {
      await flush(false);
      if (opts.stopAfterChunks !== undefined && chunks >= opts.stopAfterChunks) {
        stopped = true;
        break;
      }
    }
    draw();
  }
  if (csvOpen) reject(csvOpen.line, 'record: a quoted field is not closed', csvOpen.text);
  if (!stopped) {
    lastLine = Math.max(lastLine, linesSeen);
    await flush(true);
  }
  await pending;
  draw(true);
  return {
    path: abs,
    lines: linesSeen,
    ...totals,
    resumedAfterLine: resumeAfter,
    seconds: (performance.now() - started) / 1000,
    rejectsPath: totals.rejected > 0 ? rejectsPath : null,
    finished: !stopped,
  };
}

/** Commune codes of the loaded tree: events of other units are refused, as a key would refuse them. */
export async function loadedCommunes(db: Database): Promise<Set<string>> {
  const rows = await db.query<{ code: string }>(sql`select code from units where level = 'commune'`);
  return new Set(rows.map((r) => r.code));
}

/** Imports every file in turn and prints a summary line per file. */
export async function runImport(
  db: Database,
  files: string[],
  opts: ImportOptions,
  print: (line: string) => void,
): Promise<FileSummary[]> {
  if (files.length === 0) throw new ImportError('import: at least one FILE is required');
  if (opts.rejects && files.length > 1) throw new ImportError('--rejects: only with a single FILE');
  const communes = await loadedCommunes(db);
  if (communes.size === 0) throw new ImportError('no unit tree is loaded: run `units load --tree T` first');
  const out: FileSummary[] = [];
  for (const file of files) {
    const s = await importFile(db, file, communes, opts);
    out.push(s);
    const resumed = s.resumedAfterLine > 0 ? ` (resumed after line ${n(s.resumedAfterLine)})` : '';
    print(
      `${file}: ${n(s.accepted)} accepted, ${n(s.duplicates)} duplicates, ${n(s.rejected)} rejected` +
        `${resumed}; ${n(s.lines)} lines in ${s.seconds.toFixed(1)} s` +
        (s.rejectsPath ? `; rejected lines in ${s.rejectsPath}` : ''),
    );
  }
  // History goes in far faster than vacuum follows: give the open counts' indexes and counter
  // tables back their size.
  if (out.some((s) => s.accepted > 0)) {
    const t0 = performance.now();
    const pages = await rebuildOpenDossierIndexes(db);
    print(
      `open-dossier indexes rebuilt: ${n(pages.before)} → ${n(pages.after)} pages, counters ${n(pages.counters.before)} → ${n(pages.counters.after)} pages in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  return out;
}
