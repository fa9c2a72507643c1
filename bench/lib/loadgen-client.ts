import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, LoadJob, LoadResult, ParentMessage } from '../loadgen.ts';

const script = fileURLToPath(new URL('../loadgen.ts', import.meta.url));

export interface LoadRun {
  pid: number;
  /** Resolves once the generator has its pool and a first request answered. */
  ready: Promise<void>;
  /** Starts the clock; resolves with the result. */
  go(): Promise<LoadResult>;
}

/** Forks bench/loadgen.ts and hands it the job. */
export function startLoad(job: LoadJob): LoadRun {
  const child = fork(script, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let onReady: () => void = () => {};
  let onResult: (r: LoadResult) => void = () => {};
  let onError: (e: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    onError = reject;
  });
  const result = new Promise<LoadResult>((resolve, reject) => {
    onResult = resolve;
    const previous = onError;
    onError = (e) => {
      previous(e);
      reject(e);
    };
  });
  result.catch(() => {});
  child.on('message', (m: ChildMessage) => {
    if (m.type === 'ready') onReady();
    else if (m.type === 'result') onResult(m.result);
    else onError(new Error(`load generator: ${m.message}`));
  });
  child.once('exit', (code) => onError(new Error(`load generator exited with ${code}`)));
  const send = (m: ParentMessage) => child.send(m);
  send({ type: 'job', job });
  return {
    pid: child.pid as number,
    ready,
    go() {
      send({ type: 'go' });
      return result;
    },
  };
}

/** Runs a job from start to result. */
export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const run = startLoad(job);
  await run.ready;
  return run.go();
}
