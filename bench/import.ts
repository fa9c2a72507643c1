/**
 * 8. Bulk import: `motcua import` of an NDJSON history file (the simulator's model of Hà Nội,
 *    its real volume, chronological) into a fresh database, against a raw COPY of the same rows
 *    into a copy of the `events` table, in the same run, the same chunk size, each chunk its own
 *    transaction. The raw COPY starts from rows already in COPY format in memory (no file read,
 *    no JSON parsing, no validation, no dossier state or rollups): the physical ceiling of
 *    storing the raw events alone.
 */

import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeskEvent } from '@motcua/contract';
import { type Database, readUnitTree } from '@motcua/db';
import { localDayStart } from '@motcua/metrics';
import { createCityModel } from '@motcua/simulator';
import { sql } from 'drizzle-orm';
import { importFile, loadedCommunes } from '../apps/cli/src/import/run.ts';
import type { BenchConfig } from './lib/config.ts';
import { createBenchDb } from './lib/pg.ts';
import { type Summary, summarize } from './lib/stats.ts';

const DAY = 86_400_000;
const EVENTS_PER_DAY_ESTIMATE = 22_700;
const CHUNK = 50_000;

export interface ImportRun {
  events: number;
  importSeconds: number;
  importPerSec: number;
  rawCopySeconds: number;
  rawCopyPerSec: number;
  /** import rate ÷ raw COPY rate */
  ratio: number;
}

export interface ImportResult {
  events: number;
  fileBytes: number;
  chunk: number;
  runs: ImportRun[];
  importPerSec: Summary;
  rawCopyPerSec: Summary;
  ratio: Summary;
}

/** Writes the model's events of `days` days before today as NDJSON; returns the event count. */
async function writeHistory(db: Database, path: string, days: number, seed: number): Promise<number> {
  const tree = await readUnitTree(db);
  const communes = tree.communesUnder(tree.roots()[0].code);
  const model = createCityModel({ communes: communes.map((code) => ({ code })), seed });
  const out = createWriteStream(path);
  const today = localDayStart(Date.now());
  let count = 0;
  for (let d = days; d > 0; d--) {
    const from = today - d * DAY;
    const lines = model.generate(from, from + DAY).map((e: DeskEvent) => JSON.stringify(e));
    count += lines.length;
    if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return count;
}

/**
 * The raw ceiling: the same rows, COPY'd chunk by chunk into an unpartitioned copy of
 * `events` (its indexes included) with the idempotency key on (source, id). Since the monthly
 * partitions that key lives in `event_ids`, not on `events`: the baseline keeps it on its one
 * table, so it still measures what it did before them, the raw events stored with their key.
 */
async function rawCopy(db: Database, rows: string[]): Promise<number> {
  await db.query(sql`drop table if exists events_raw_copy`);
  await db.query(sql`create table events_raw_copy (like events including all)`);
  await db.query(sql`alter table events_raw_copy add primary key (source, id)`);
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db.transaction(async (tx) => {
      await db.copyIn(
        tx,
        'events_raw_copy',
        ['source', 'id', 'type', 'time', 'unit_code', 'desk_code', 'dossier_code', 'data', 'attributes'],
        `${rows.slice(i, i + CHUNK).join('\n')}\n`,
      );
    });
  }
  return (performance.now() - t0) / 1000;
}

export async function benchImport(cfg: BenchConfig, log: (s: string) => void): Promise<ImportResult> {
  const target = cfg.importEvents;
  const days = Math.max(1, Math.round(target / EVENTS_PER_DAY_ESTIMATE));
  const dir = mkdtempSync(join(tmpdir(), 'motcua-bench-import-'));
  const file = join(dir, 'history.ndjson');
  const runs: ImportRun[] = [];
  let events = 0;
  try {
    for (let run = 0; run < cfg.importRuns; run++) {
      const bench = await createBenchDb(cfg.base, 'motcua_bench_import');
      try {
        const { db } = bench;
        if (run === 0) {
          events = await writeHistory(db, file, days, cfg.seed);
          log(
            `  history file: ${events.toLocaleString('en-US')} events, ${days} days, ${(statSync(file).size / 1e6).toFixed(0)} MB`,
          );
        }
        const communes = await loadedCommunes(db);
        const s = await importFile(db, file, communes, { chunk: CHUNK });
        if (s.rejected > 0 || s.accepted !== events) {
          throw new Error(`import: ${s.accepted} accepted, ${s.rejected} rejected of ${events}`);
        }
        // The same rows as COPY text, built outside the timed part (time as an RFC 3339 string).
        const rows = await db.query<{ line: string }>(
          sql`select concat_ws(E'\t', source, id, type, time::text, unit_code, desk_code,
              coalesce(dossier_code, '\\N'), data::text, coalesce(attributes::text, '\\N')) as line
            from events order by time`,
        );
        const rawSeconds = await rawCopy(
          db,
          rows.map((r) => r.line),
        );
        const r: ImportRun = {
          events,
          importSeconds: s.seconds,
          importPerSec: events / s.seconds,
          rawCopySeconds: rawSeconds,
          rawCopyPerSec: events / rawSeconds,
          ratio: events / s.seconds / (events / rawSeconds),
        };
        runs.push(r);
        log(
          `  run ${run + 1}: import ${Math.round(r.importPerSec).toLocaleString('en-US')} events/s ` +
            `(${r.importSeconds.toFixed(1)} s), raw COPY ${Math.round(r.rawCopyPerSec).toLocaleString('en-US')} events/s, ` +
            `ratio ${(r.ratio * 100).toFixed(0)} %`,
        );
      } finally {
        await bench.drop();
      }
    }
    return {
      events,
      fileBytes: statSync(file).size,
      chunk: CHUNK,
      runs,
      importPerSec: summarize(runs.map((r) => r.importPerSec)),
      rawCopyPerSec: summarize(runs.map((r) => r.rawCopyPerSec)),
      ratio: summarize(runs.map((r) => r.ratio)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
