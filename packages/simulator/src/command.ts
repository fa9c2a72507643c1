import { randomUUID } from 'node:crypto';
import { createClient, type SendResult } from '@motcua/client';
import { type CliOptions, parseArgs, USAGE } from './args.ts';
import { createLoadStream } from './load.ts';

export interface Io {
  out(line: string): void;
  err(line: string): void;
  fetchImpl?: typeof fetch;
}

const consoleIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Requests in flight at once, so a high rate is not limited by one round trip at a time. */
const MAX_IN_FLIGHT = 8;
/** Batches' worth of events waiting for an answer before the generator holds back (the server is slower than the rate). */
const MAX_QUEUED_BATCHES = 64;
/** How long past `--duration` to keep catching up with a slow server before stopping. */
const GRACE_MS = 5000;

export interface LoadTotals {
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: string[];
  elapsedMs: number;
}

/** Asks the ingest which unit (and desk) the key belongs to. */
export async function whoami(
  target: string,
  key: string,
  fetchImpl: typeof fetch = fetch,
): Promise<{ unit: string; desk: string | null }> {
  const url = `${target.replace(/\/+$/, '')}/v1/whoami`;
  let res: Response;
  try {
    res = await fetchImpl(url, {
      headers: { authorization: `Bearer ${key}` },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new Error(`GET ${url} failed: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => null)) as { unit?: unknown; desk?: unknown } | null;
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}; pass --unit to skip it`);
  if (
    typeof body?.unit !== 'string' ||
    !/^\d{5}$/.test(body.unit) ||
    !(body.desk === null || typeof body.desk === 'string')
  ) {
    throw new Error(`GET ${url} gave an unexpected body; pass --unit to skip it`);
  }
  return { unit: body.unit, desk: body.desk };
}

/** Sends `rate × duration` events paced every 100–200 ms, printing progress each second. */
export async function runLoad(
  options: CliOptions,
  unit: string,
  desk: string | null,
  io: Io,
): Promise<LoadTotals & { failure: Error | null }> {
  const runId = randomUUID().slice(0, 8);
  const stream = createLoadStream({ unit, desk, seed: options.seed, runId });
  const client = createClient({
    url: options.target,
    key: options.key,
    batchSize: options.batch,
    concurrency: MAX_IN_FLIGHT,
    maxQueue: MAX_QUEUED_BATCHES * options.batch,
    fetch: io.fetchImpl,
  });
  const target = Math.max(1, Math.round(options.rate * options.duration));
  const totals: LoadTotals = { sent: 0, accepted: 0, duplicates: 0, rejected: 0, errors: [], elapsedMs: 0 };
  let failure: Error | null = null;
  let generated = 0;
  const start = performance.now();
  const elapsed = () => performance.now() - start;

  const answered = (r: SendResult) => {
    totals.sent++;
    if (r.status === 'accepted') totals.accepted++;
    else if (r.status === 'duplicate') totals.duplicates++;
    else {
      totals.rejected++;
      if (totals.errors.length < 5) totals.errors.push(`${r.id}: ${r.error.code}: ${r.error.message}`);
    }
  };
  const failed = (err: unknown) => {
    failure ??= err instanceof Error ? err : new Error(String(err));
  };
  const progress = () => {
    const s = elapsed() / 1000;
    io.out(
      `[${s.toFixed(0).padStart(4)}s] sent ${totals.sent}  accepted ${totals.accepted}  duplicates ${totals.duplicates}  rejected ${totals.rejected}  (${(totals.sent / s).toFixed(1)} ev/s)`,
    );
  };

  io.out(
    `run ${runId}: ${target} events for unit ${unit}${desk ? ` desk ${desk}` : ''} at ${options.rate}/s to ${options.target}`,
  );
  let nextReport = 1000;
  while (generated < target && failure === null && elapsed() < options.duration * 1000 + GRACE_MS) {
    const due = Math.min(target, Math.floor((options.rate * elapsed()) / 1000));
    const room = client.maxQueue - client.pending;
    if (due > generated && room > 0) {
      const events = stream.next(Math.min(due - generated, room));
      generated += events.length;
      for (const event of events) client.send(event).then(answered, failed);
    }
    if (elapsed() >= nextReport) {
      progress();
      nextReport += 1000;
    }
    await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 100));
  }
  while (client.pending > 0 && failure === null) {
    await Promise.race([client.flush(), new Promise((resolve) => setTimeout(resolve, 1000))]);
    if (elapsed() >= nextReport) {
      progress();
      nextReport += 1000;
    }
  }
  // After a failure (a refused key, retries given up) what is still queued is dropped, not retried for minutes.
  await client.close({ discard: failure !== null });
  totals.elapsedMs = elapsed();
  return { ...totals, failure };
}

/** The whole `simulate` command; resolves with the exit code. */
export async function main(argv: readonly string[], io: Io = consoleIo): Promise<number> {
  const parsed = parseArgs(argv);
  if (parsed.kind === 'help') {
    io.out(USAGE);
    return 0;
  }
  if (parsed.kind === 'error') {
    io.err(`error: ${parsed.message}\n\n${USAGE}`);
    return 2;
  }
  const options = parsed.options;
  let unit = options.unit;
  let desk = options.desk;
  if (unit === null) {
    try {
      ({ unit, desk } = await whoami(options.target, options.key, io.fetchImpl));
    } catch (err) {
      io.err(`error: ${(err as Error).message}`);
      return 1;
    }
  }
  const result = await runLoad(options, unit, desk, io);
  const seconds = result.elapsedMs / 1000;
  io.out(
    `done in ${seconds.toFixed(1)} s: sent ${result.sent}, accepted ${result.accepted}, duplicates ${result.duplicates}, rejected ${result.rejected}; achieved ${(result.sent / seconds).toFixed(1)} events/s (target ${options.rate})`,
  );
  for (const e of result.errors) io.out(`  rejected ${e}`);
  if (result.failure) {
    io.err(`error: ${result.failure.message}`);
    return 1;
  }
  return 0;
}
