/**
 * `npm run soak:display` — the wall display's soak (see display-soak.ts), long enough to stand for
 * days of a real screen. Settings from the environment:
 *
 * | variable            | default | meaning                                          |
 * | ------------------- | ------- | ------------------------------------------------ |
 * | `SOAK_MINUTES`      | 25      | length of the run                                |
 * | `SOAK_RATE`         | 5       | ratings posted per second                        |
 * | `SOAK_RESTARTS`     | 50      | dashboard restarts over the run                  |
 * | `SOAK_CUTS`         | 10      | network cuts over the run, 15 s each             |
 * | `SOAK_SAMPLE_SECONDS` | 30    | a sample every this many seconds                 |
 * | `DATABASE_URL`      | —       | set: a throwaway database on that Postgres; unset: PGlite |
 *
 * Prints each sample and the verdict, writes the record to test-results/soak/, and exits 1 on a
 * growth beyond the bounds or a leaked socket.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { report, runDisplaySoak } from './display-soak.ts';

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v < 0) {
    process.stderr.write(`error: ${name} must be a number ≥ 0\n`);
    process.exit(2);
  }
  return v;
};

const minutes = num('SOAK_MINUTES', 25);
const log = (line: string) => process.stdout.write(`${line}\n`);
log(`Wall display soak: ${minutes} min`);
const result = await runDisplaySoak({
  durationMs: minutes * 60_000,
  eventsPerSec: num('SOAK_RATE', 5),
  restarts: num('SOAK_RESTARTS', 50),
  cuts: num('SOAK_CUTS', 10),
  cutMs: 15_000,
  sampleMs: num('SOAK_SAMPLE_SECONDS', 30) * 1000,
  warmup: 0.2,
  db: process.env.DATABASE_URL ? 'postgres' : 'pglite',
  log,
});
log('');
for (const line of report(result)) log(line);
const dir = join(import.meta.dirname, '..', '..', 'test-results', 'soak');
mkdirSync(dir, { recursive: true });
const file = join(dir, `display-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
log(`Record: ${file}`);
process.exit(result.ok ? 0 : 1);
