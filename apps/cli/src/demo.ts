import { createClient } from '@motcua/client';
import type { DeskEvent, ValidatedEvent } from '@motcua/contract';
import { createDeskKey, type Database, type UnitTree } from '@motcua/db';
import { createCityModel } from '@motcua/simulator';
import { type HistorySlice, historySlices } from './demo-history.ts';
import { type DemoState, writeDemoState } from './demo-state.ts';

/** 30 days on screen, plus 5 before them so dossiers finishing early in the window have their receipt. */
const BACKFILL_DAYS = 35;
/**
 * A tree with more communes than this is a national one (vn-2025-07: 3,321 communes, ~140,000
 * events a day at the model's volume): its demo keeps 7 days of history instead of 35 (about
 * 1 M events instead of 5 M, a minute or two of writing on the embedded database).
 */
export const NATIONAL_COMMUNES = 1000;
const NATIONAL_BACKFILL_DAYS = 7;
/** Communes per backfill transaction: about 3,000 events of 35 days, a quarter second of writing. */
const BACKFILL_COMMUNES = 2;

function byCommune(events: DeskEvent[]): Map<string, DeskEvent[]> {
  const out = new Map<string, DeskEvent[]>();
  for (const e of events) {
    const unit = e.source.split('/')[2];
    const list = out.get(unit);
    if (list) list.push(e);
    else out.set(unit, [e]);
  }
  return out;
}

/** Runs `fn` over items with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(workers);
}

/**
 * The demo city: first the last 30 days, stored through the ingest's writer; then live, every
 * commune's desks sending the model's events to the ingest over HTTP with their own desk keys,
 * at `speed`× the usual volume.
 */
export async function startDemo(opts: {
  db: Database;
  tree: UnitTree;
  dataDir: string;
  state: DemoState;
  ingestUrl: string;
  /** Stores events through the ingest's writer (history is not sent over HTTP). */
  write: (events: ValidatedEvent[]) => Promise<unknown>;
  speed: number;
  seed: number;
  say: (line: string) => void;
}) {
  const { state, say } = opts;
  const communes = opts.tree.roots().flatMap((r) => opts.tree.communesUnder(r.code));
  for (const code of communes) {
    if (!state.deskKeys[code]) {
      state.deskKeys[code] = (await createDeskKey(opts.db, { unit: code, label: 'demo simulator' })).key;
    }
  }
  writeDemoState(opts.dataDir, state);
  const model = createCityModel({ communes: communes.map((code) => ({ code })), seed: opts.seed });
  // One client per commune, as each commune's desks have their own key. Same process, loopback:
  // gzip would only cost CPU on both ends.
  const clients = new Map(
    communes.map((code) => [
      code,
      createClient({ url: opts.ingestUrl, key: state.deskKeys[code], gzip: false }),
    ]),
  );
  const send = async (events: DeskEvent[], concurrency: number) => {
    await pool([...byCommune(events)], concurrency, async ([code, list]) => {
      const client = clients.get(code);
      if (!client) return;
      const answered = Promise.all(list.map((e) => client.send(e)));
      await client.flush();
      await answered;
    });
  };

  let stopped = false;
  const liveFrom = Date.now();
  state.schedule = [...(state.schedule ?? []), { from: liveFrom, speed: opts.speed }];
  const schedule = state.schedule;
  writeDemoState(opts.dataDir, state);
  // History first (in the background, so the dashboard is up at once), at the model's own volume.
  // It goes straight to the in-process writer, not over HTTP: the embedded database stores about
  // 17,000 events/s when each transaction holds whole dossiers and whole rollup rows; HTTP,
  // batches of 1,000 and dossiers split across requests cost it more than half of that.
  const national = communes.length > NATIONAL_COMMUNES;
  const backfillDays = national ? NATIONAL_BACKFILL_DAYS : BACKFILL_DAYS;
  if (national) {
    say(
      `National demo, scaled down for one machine: ${communes.length} communes at the model's volume ` +
        `(2–4 desks each), ${backfillDays} days of history instead of ${BACKFILL_DAYS}, live at ${opts.speed}× ` +
        `(--speed); the 30-day figures cover the ${backfillDays} days stored.`,
    );
  }
  const catchUpFrom = state.backfilledUntil ?? liveFrom - backfillDays * 86_400_000;
  const backfill = (async () => {
    const started = performance.now();
    const DAY = 86_400_000;
    // The last day of every commune first, so the today screens are right within seconds; then
    // the rest a few communes at a time, each commune's whole history in one transaction.
    const split = Math.max(catchUpFrom, liveFrom - DAY);
    const slices: HistorySlice[] = [];
    for (let i = 0; i < communes.length; i += 50) {
      slices.push({ from: split, to: liveFrom, communes: communes.slice(i, i + 50) });
    }
    for (let i = 0; i < communes.length && split > catchUpFrom; i += BACKFILL_COMMUNES) {
      slices.push({ from: catchUpFrom, to: split, communes: communes.slice(i, i + BACKFILL_COMMUNES) });
    }
    let stored = 0;
    for await (const events of historySlices({ communes, seed: opts.seed, schedule, slices })) {
      if (stopped) break;
      await opts.write(events);
      stored += events.length;
      // The embedded database answers without I/O, so this loop would run on promise callbacks
      // alone and hold off every HTTP request until the end: let them in between.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (stopped) return;
    state.backfilledUntil = liveFrom;
    writeDemoState(opts.dataDir, state);
    if (stored > 0) {
      const seconds = (performance.now() - started) / 1000;
      say(
        `Demo history: ${stored} events since ${new Date(catchUpFrom).toISOString()} stored in ${seconds.toFixed(1)} s`,
      );
    }
  })().catch((err) => say(`demo history stopped: ${(err as Error).message}`));

  // Then live, a step a second; dossiers created from now on come `speed` times as often.
  let cursor = liveFrom;
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    const to = Date.now();
    const events = model.generate(cursor, to, { schedule });
    cursor = to;
    inFlight = inFlight
      .then(() => send(events, 8))
      .then(() => {
        if (state.backfilledUntil !== null && state.backfilledUntil >= liveFrom) state.backfilledUntil = to;
      })
      .catch((err) => say(`demo: ${(err as Error).message}`));
  }, 1000);

  return {
    backfill,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.race([Promise.all([inFlight, backfill]), new Promise((r) => setTimeout(r, 3000))]);
      // Whatever is still waiting (a retry after the ingest's 503, say) is dropped, not kept alive.
      await Promise.all([...clients.values()].map((c) => c.close({ discard: true })));
      if (state.backfilledUntil !== null) writeDemoState(opts.dataDir, state);
    },
  };
}
