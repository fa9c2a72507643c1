import { createDeskKey, type Database, type UnitTree } from '@motcua/db';
import { createCityModel, createSender, type SimEvent } from '@motcua/simulator';
import { type DemoState, writeDemoState } from './demo-state.ts';

/** 30 days on screen, plus 5 before them so dossiers finishing early in the window have their receipt. */
const BACKFILL_DAYS = 35;

function byCommune(events: SimEvent[]): Map<string, SimEvent[]> {
  const out = new Map<string, SimEvent[]>();
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
 * The demo city: every commune's desks send the model's events to the ingest over HTTP with
 * their own desk keys — first the last 30 days, then live at `speed`× the usual volume.
 */
export async function startDemo(opts: {
  db: Database;
  tree: UnitTree;
  dataDir: string;
  state: DemoState;
  ingestUrl: string;
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
  const senders = new Map(
    communes.map((code) => [code, createSender({ target: opts.ingestUrl, key: state.deskKeys[code] })]),
  );
  const send = async (events: SimEvent[], concurrency: number) => {
    await pool([...byCommune(events)], concurrency, async ([code, list]) => {
      await senders.get(code)?.send(list);
    });
  };

  let stopped = false;
  const liveFrom = Date.now();
  state.schedule = [...(state.schedule ?? []), { from: liveFrom, speed: opts.speed }];
  const schedule = state.schedule;
  writeDemoState(opts.dataDir, state);
  // History first (in the background, so the dashboard is up at once), at the model's own volume.
  const catchUpFrom = state.backfilledUntil ?? liveFrom - BACKFILL_DAYS * 86_400_000;
  const backfill = (async () => {
    const started = performance.now();
    // Newest first — the last day, then the rest of its week, then a week at a time — so the
    // today and 7-day screens fill within seconds while the older history streams in.
    const DAY = 86_400_000;
    const ranges: [number, number][] = [];
    for (
      let to = liveFrom, span = DAY;
      to > catchUpFrom;
      to -= span, span = to === liveFrom - DAY ? 6 * DAY : 7 * DAY
    ) {
      ranges.push([Math.max(catchUpFrom, to - span), to]);
    }
    let sent = 0;
    for (const [from, to] of ranges) {
      if (stopped) break;
      const events = model.generate(from, to, { schedule });
      await send(events, 6);
      sent += events.length;
    }
    if (stopped) return;
    state.backfilledUntil = liveFrom;
    writeDemoState(opts.dataDir, state);
    if (sent > 0) {
      const seconds = (performance.now() - started) / 1000;
      say(
        `Demo history: ${sent} events since ${new Date(catchUpFrom).toISOString()} sent in ${seconds.toFixed(1)} s`,
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
      if (state.backfilledUntil !== null) writeDemoState(opts.dataDir, state);
    },
  };
}
