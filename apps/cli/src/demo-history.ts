/**
 * The demo's history, made on a worker thread: the model's events for each slice, validated as
 * the ingest validates them, handed to the main thread one slice at a time. Making and checking
 * ~800,000 events takes a core for several seconds; here it overlaps with the database writes.
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { type ValidatedEvent, validateEvent } from '@motcua/contract';
import { createCityModel } from '@motcua/simulator';

export interface HistorySlice {
  from: number;
  to: number;
  communes: string[];
}

export interface HistoryJob {
  communes: string[];
  seed: number;
  schedule: { from: number; speed: number }[];
  slices: HistorySlice[];
}

type ToWorker = { credit: number };
type FromWorker = { events: ValidatedEvent[] } | { done: true } | { error: string };

/** Slices made ahead of the writer: enough to keep it busy, few enough to bound memory. */
const AHEAD = 2;

/** Yields each slice's events in order; `return()` (breaking out of the loop) stops the worker. */
export async function* historySlices(job: HistoryJob): AsyncGenerator<ValidatedEvent[]> {
  const worker = new Worker(new URL('./demo-history-worker.mjs', import.meta.url), { workerData: job });
  const inbox: FromWorker[] = [];
  let wake: (() => void) | null = null;
  const deliver = (m: FromWorker) => {
    inbox.push(m);
    wake?.();
  };
  worker.on('message', deliver);
  worker.on('error', (err) => deliver({ error: err.message }));
  worker.on('exit', () => deliver({ error: 'the history worker stopped' }));
  try {
    worker.postMessage({ credit: AHEAD } satisfies ToWorker);
    for (;;) {
      while (inbox.length === 0) await new Promise<void>((r) => (wake = r));
      const m = inbox.shift() as FromWorker;
      if ('done' in m) return;
      if ('error' in m) throw new Error(m.error);
      worker.postMessage({ credit: 1 } satisfies ToWorker);
      yield m.events;
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}

async function runWorker(job: HistoryJob, port: NonNullable<typeof parentPort>): Promise<void> {
  let credits = 0;
  let more: (() => void) | null = null;
  port.on('message', (m: ToWorker) => {
    credits += m.credit;
    more?.();
  });
  const model = createCityModel({ communes: job.communes.map((code) => ({ code })), seed: job.seed });
  const now = Date.now();
  for (const slice of job.slices) {
    const events = model
      .generate(slice.from, slice.to, { schedule: job.schedule, communes: slice.communes })
      .map((e) => {
        const checked = validateEvent(e, now);
        if (!checked.ok) throw new Error(`the demo model made an invalid event: ${checked.message}`);
        return checked.event;
      });
    while (credits === 0) await new Promise<void>((r) => (more = r));
    credits--;
    port.postMessage({ events } satisfies FromWorker);
  }
  port.postMessage({ done: true } satisfies FromWorker);
  port.close();
}

if (parentPort && workerData) {
  const port = parentPort;
  runWorker(workerData as HistoryJob, port).catch((err: Error) => {
    port.postMessage({ error: err.message } satisfies FromWorker);
    port.close();
  });
}
