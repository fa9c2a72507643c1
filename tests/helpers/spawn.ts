import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export type ServiceKind = 'ingest' | 'dashboard';

export interface SpawnedService {
  kind: ServiceKind;
  child: ChildProcess;
  /** The service's own Node process (not a wrapper), for /proc/PID readings. */
  pid: number;
  /** Base URL without a path: `http://127.0.0.1:PORT`. */
  url: string;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export interface SpawnOptions {
  /** Added to the environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Extra Node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  timeoutMs?: number;
}

const PRINTED: Record<ServiceKind, RegExp> = {
  ingest: /Ingest:\s+(http:\/\/\S+?)\/v1\/events/,
  dashboard: /Dashboard:\s+(http:\/\/\S+?)\/?\s/,
};

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** The V8 flags of `npm run start:<kind>` in package.json (keep the two alike). */
const SERVICE_NODE_FLAGS: Record<ServiceKind, string[]> = {
  ingest: ['--max-semi-space-size=64'],
  dashboard: [],
};

/**
 * Starts `start --only <kind>` (what `npm run start:<kind>` runs) and resolves once it prints
 * its URL. It runs as `node --import tsx …` rather than through the tsx CLI, which would put a
 * second process in front: the pid is then the service itself. Ports default to 0 (free port).
 */
export function spawnService(kind: ServiceKind, opts: SpawnOptions = {}): Promise<SpawnedService> {
  const env: NodeJS.ProcessEnv = { ...process.env, INGEST_PORT: '0', DASHBOARD_PORT: '0', DEMO: '0' };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  if (!env.DATABASE_URL) throw new Error(`spawnService(${kind}): separate processes need DATABASE_URL`);
  const args = [
    ...SERVICE_NODE_FLAGS[kind],
    ...(opts.nodeArgs ?? []),
    '--import',
    'tsx',
    'apps/cli/src/main.ts',
    'start',
    '--only',
    kind,
  ];
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
  let out = '';
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const stop = async (graceMs = 8000) => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  return new Promise((resolve, reject) => {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop(1000);
      reject(new Error(`${kind} ${why}:\n${out.slice(-4000)}`));
    };
    const timer = setTimeout(() => fail(`printed no URL within ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const url = PRINTED[kind].exec(out)?.[1];
      if (!url || !/Ready in/.test(out)) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      const keep = (c: Buffer) => {
        out += c.toString();
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      resolve({ kind, child, pid: child.pid as number, url, output: () => out, stop });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      if (!PRINTED[kind].test(out) || !/Ready in/.test(out)) fail(`exited with ${code}`);
    });
  });
}
