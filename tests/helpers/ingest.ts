import { createDeskKey, type Database, GroupCommitWriter } from '@motcua/db';
import { listenIngest, RateLimiter, type RunningIngest } from '@motcua/ingest';
import { createLogger } from '@motcua/service';

export interface TestIngest {
  url: string;
  writer: GroupCommitWriter;
  running: RunningIngest;
  /** Commune codes from every commit, in order (the in-process "units changed" signal). */
  committed: string[][];
  close(): Promise<void>;
}

/**
 * The real ingest on a free port (or `port`, to restart one in its place) over the given database.
 * `now` is the rate limiter's clock; `retryAfterSeconds` the Retry-After of its 503s (default 1).
 */
export async function startTestIngest(
  db: Database,
  opts: {
    rate?: number;
    burst?: number;
    notify?: boolean;
    port?: number;
    retryAfterSeconds?: number;
    now?: () => number;
  } = {},
): Promise<TestIngest> {
  const committed: string[][] = [];
  const writer = new GroupCommitWriter(db, { notify: opts.notify, onCommit: (u) => committed.push(u) });
  const running = await listenIngest(
    {
      db,
      writer,
      limiter: new RateLimiter(opts.rate ?? 0, opts.burst ?? 1000, opts.now),
      log: createLogger('silent'),
      retryAfterSeconds: opts.retryAfterSeconds ?? 1,
    },
    { port: opts.port ?? 0, host: '127.0.0.1' },
  );
  return {
    url: `http://127.0.0.1:${running.port}`,
    writer,
    running,
    committed,
    close: () => running.close(),
  };
}

export async function deskKey(db: Database, unit: string, desk?: string): Promise<string> {
  return (await createDeskKey(db, { unit, label: 'test', desk })).key;
}

/** POSTs events as a batch and returns status and JSON body. */
export async function postBatch(url: string, key: string, events: unknown[]) {
  const res = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents-batch+json', authorization: `Bearer ${key}` },
    body: JSON.stringify(events),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}
