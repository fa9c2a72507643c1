import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './wait.ts';

const root = join(import.meta.dirname, '..', '..');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Date.now() when it exited. */
  at: number;
}

export interface ServiceProcess {
  child: ChildProcess;
  pid: number;
  /** Base URL of the ingest (without /v1/events), when it runs one. */
  ingestUrl: string | null;
  /** Base URL of the dashboard, when it runs one. */
  dashboardUrl: string | null;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the output once it matches `re`; rejects after `ms` or if the process exits first. */
  printed(re: RegExp, ms?: number): Promise<string>;
  /** Settles when the process has exited. */
  exited: Promise<Exit>;
}

const started = new Set<ChildProcess>();

/**
 * Runs the CLI (`motcua start …`) as its own process and waits until it prints "Ready".
 * Node runs main.ts directly (`--import tsx`) rather than through `npm run` or the `tsx`
 * binary: both put a parent process in between, and a SIGKILL would hit that parent and
 * leave the service itself running.
 */
export async function startService(
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { timeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...env };
  for (const [k, v] of Object.entries(fullEnv)) if (v === undefined) delete fullEnv[k];
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/cli/src/main.ts', ...args], {
    cwd: root,
    env: fullEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let out = '';
  const listeners = new Set<(text: string) => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const l of listeners) l(out);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      started.delete(child);
      resolve({ code, signal, at: Date.now() });
    });
  });
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const l of listeners) l(out);
  });
  const printed = async (re: RegExp, ms = 10_000) => {
    const text = await waitFor<string>(
      (deliver) => {
        listeners.add(deliver);
        queueMicrotask(() => deliver(out));
        return () => listeners.delete(deliver);
      },
      (o) => re.test(o) || gone,
      ms,
      `"${args.join(' ')}" to print ${re}`,
    );
    if (!re.test(text)) throw new Error(`"${args.join(' ')}" exited before printing ${re}:\n${out}`);
    return text;
  };
  const text = await printed(/Ready in /, opts.timeoutMs ?? 60_000).catch((err: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${err.message}\n${out}`);
  });
  const ingest = /Ingest:\s+(\S+)\/v1\/events/.exec(text)?.[1] ?? null;
  const dashboard = /Dashboard:\s+(\S+?)\/?\s/.exec(text)?.[1] ?? null;
  return {
    child,
    pid: child.pid as number,
    ingestUrl: ingest,
    dashboardUrl: dashboard,
    output: () => out,
    printed,
    exited,
  };
}

/** `start --only ingest` on a Postgres database, on a free port. */
export function startIngestProcess(databaseUrl: string, env: NodeJS.ProcessEnv = {}) {
  return startService(['start', '--only', 'ingest'], {
    DATABASE_URL: databaseUrl,
    INGEST_PORT: '0',
    RATE_LIMIT_EVENTS_PER_SEC: '0',
    ...env,
  });
}

/** Sends a signal; resolves with the exit and how long it took, or rejects if still running after `ms`. */
export async function stopService(
  s: ServiceProcess,
  signal: NodeJS.Signals,
  ms = 10_000,
): Promise<Exit & { ms: number }> {
  const sent = Date.now();
  s.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const exit = await Promise.race([
    s.exited,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`pid ${s.pid} still running ${ms} ms after ${signal}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
  return { ...exit, ms: exit.at - sent };
}

/** SIGKILLs every service process these helpers started that is still running (for afterAll). */
export function killStartedServices(): void {
  for (const child of started) child.kill('SIGKILL');
  started.clear();
}
