import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat times (`getconf CLK_TCK`, 100 on Linux x86-64). */
const CLK_TCK = 100;

export interface ProcReading {
  /** User + system CPU seconds so far. */
  cpuSeconds: number;
  rssBytes: number;
  /** Peak RSS since the process started (VmHWM). */
  hwmBytes: number;
}

/** Reads CPU time from /proc/PID/stat and RSS from /proc/PID/status; null once the process is gone. */
export function readProc(pid: number): ProcReading | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { cpuSeconds: ticks / CLK_TCK, rssBytes: kb('VmRSS') * 1024, hwmBytes: kb('VmHWM') * 1024 };
  } catch {
    return null;
  }
}

export interface PhaseUsage {
  /** CPU seconds used over the phase ÷ its wall seconds (1 = one core busy). */
  cpuCores: number;
  peakRssBytes: number;
  endRssBytes: number;
  seconds: number;
}

/**
 * Samples named processes every `intervalMs` while a phase runs: RSS peak (sampled, so a
 * spike shorter than the interval can slip by; VmHWM catches it over the whole life) and CPU.
 */
export class ProcSampler {
  readonly #timer: NodeJS.Timeout;
  readonly #start = new Map<string, { cpu: number; at: number }>();
  readonly #peak = new Map<string, number>();

  constructor(
    readonly pids: Record<string, number>,
    intervalMs = 200,
  ) {
    const now = performance.now();
    for (const [name, pid] of Object.entries(pids)) {
      const r = readProc(pid);
      this.#start.set(name, { cpu: r?.cpuSeconds ?? 0, at: now });
      this.#peak.set(name, r?.rssBytes ?? 0);
    }
    this.#timer = setInterval(() => this.#sample(), intervalMs);
    this.#timer.unref();
  }

  #sample() {
    for (const [name, pid] of Object.entries(this.pids)) {
      const r = readProc(pid);
      if (r) this.#peak.set(name, Math.max(this.#peak.get(name) ?? 0, r.rssBytes));
    }
  }

  /** Stops sampling and returns each process's usage over the phase. */
  stop(): Record<string, PhaseUsage> {
    clearInterval(this.#timer);
    this.#sample();
    const now = performance.now();
    const out: Record<string, PhaseUsage> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const r = readProc(pid);
      const s = this.#start.get(name) ?? { cpu: 0, at: now };
      const seconds = (now - s.at) / 1000;
      out[name] = {
        cpuCores: r && seconds > 0 ? (r.cpuSeconds - s.cpu) / seconds : Number.NaN,
        peakRssBytes: this.#peak.get(name) ?? Number.NaN,
        endRssBytes: r?.rssBytes ?? Number.NaN,
        seconds,
      };
    }
    return out;
  }
}

type PidLister = () => Promise<number[]>;

/**
 * CPU of Postgres server processes (backends) serving a client, found by their
 * application_name: what each service's queries cost the database. Backends that appear
 * during the phase count from their start; one that ends during it is missed.
 */
export class BackendCpu {
  readonly #start = new Map<string, Map<number, number>>();
  #at = 0;

  private constructor(readonly groups: Record<string, PidLister>) {}

  static async start(groups: Record<string, PidLister>): Promise<BackendCpu> {
    const b = new BackendCpu(groups);
    for (const [name, list] of Object.entries(groups)) {
      const m = new Map<number, number>();
      for (const pid of await list()) m.set(pid, readProc(pid)?.cpuSeconds ?? 0);
      b.#start.set(name, m);
    }
    b.#at = performance.now();
    return b;
  }

  /** CPU cores used by each group's backends since start. */
  async stop(): Promise<Record<string, number>> {
    const seconds = (performance.now() - this.#at) / 1000;
    const out: Record<string, number> = {};
    for (const [name, list] of Object.entries(this.groups)) {
      const before = this.#start.get(name) ?? new Map<number, number>();
      let cpu = 0;
      for (const pid of await list()) {
        const now = readProc(pid)?.cpuSeconds;
        if (now !== undefined) cpu += now - (before.get(pid) ?? 0);
      }
      out[name] = cpu / seconds;
    }
    return out;
  }
}
