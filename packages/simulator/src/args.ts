export interface CliOptions {
  target: string;
  key: string;
  /** Events per second. */
  rate: number;
  /** Seconds. */
  duration: number;
  seed: number;
  /** Events per request. */
  batch: number;
  /** Overrides the unit learned from `GET /v1/whoami`. */
  unit: string | null;
  /** With `--unit`: the desk a desk-limited key belongs to. */
  desk: string | null;
}

export type ParsedArgs =
  | { kind: 'help' }
  | { kind: 'run'; options: CliOptions }
  | { kind: 'error'; message: string };

export const USAGE = `Usage: npm run simulate -- --target URL --key KEY --rate N --duration S [options]

Sends a realistic mix of contract v1 events for one commune to a running ingest service.

  --target URL     ingest base URL, e.g. http://127.0.0.1:8787
  --key KEY        desk key; its unit is looked up with GET /v1/whoami
  --rate N         events per second (> 0)
  --duration S     seconds to run (> 0)
  --seed N         integer seed of the event mix (default 1)
  --batch N        events per request, 1–1000 (default 100)
  --unit CODE      5-digit unit code; skips /v1/whoami
  --desk CODE      desk code, with --unit, for a key limited to one desk
  --help           print this help`;

const FLAGS = new Set(['target', 'key', 'rate', 'duration', 'seed', 'batch', 'unit', 'desk']);

/** Parses `--name value` and `--name=value`; errors name the offending argument. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    const m = /^--([a-z]+)(?:=(.*))?$/s.exec(arg);
    if (!m || !FLAGS.has(m[1])) return { kind: 'error', message: `unknown argument ${arg}` };
    const name = m[1];
    let value = m[2];
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--'))
        return { kind: 'error', message: `--${name} needs a value` };
      i++;
    }
    if (values.has(name)) return { kind: 'error', message: `--${name} given twice` };
    values.set(name, value);
  }

  for (const name of ['target', 'key', 'rate', 'duration']) {
    if (!values.has(name)) return { kind: 'error', message: `--${name} is required` };
  }
  const target = values.get('target') as string;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { kind: 'error', message: `--target: expected an http(s) URL, got ${JSON.stringify(target)}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { kind: 'error', message: `--target: expected an http(s) URL, got ${JSON.stringify(target)}` };
  }
  const key = values.get('key') as string;
  if (key.trim() === '') return { kind: 'error', message: '--key must not be empty' };

  const number = (name: string, fallback: number, check: (n: number) => boolean, expected: string) => {
    const raw = values.get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) && check(n)
      ? n
      : `--${name}: expected ${expected}, got ${JSON.stringify(raw)}`;
  };
  const rate = number('rate', 0, (n) => n > 0, 'a positive number');
  const duration = number('duration', 0, (n) => n > 0, 'a positive number of seconds');
  const seed = number('seed', 1, Number.isInteger, 'an integer');
  const batch = number(
    'batch',
    100,
    (n) => Number.isInteger(n) && n >= 1 && n <= 1000,
    'an integer from 1 to 1000',
  );
  for (const v of [rate, duration, seed, batch])
    if (typeof v === 'string') return { kind: 'error', message: v };

  const unit = values.get('unit') ?? null;
  if (unit !== null && !/^\d{5}$/.test(unit)) {
    return { kind: 'error', message: `--unit: expected a 5-digit unit code, got ${JSON.stringify(unit)}` };
  }
  const desk = values.get('desk') ?? null;
  if (desk !== null && !/^[A-Za-z0-9_-]{1,32}$/.test(desk)) {
    return {
      kind: 'error',
      message: `--desk: expected 1–32 of A–Z, a–z, 0–9, _ and -, got ${JSON.stringify(desk)}`,
    };
  }
  if (desk !== null && unit === null) return { kind: 'error', message: '--desk needs --unit' };

  return {
    kind: 'run',
    options: {
      target,
      key,
      rate: rate as number,
      duration: duration as number,
      seed: seed as number,
      batch: batch as number,
      unit,
      desk,
    },
  };
}
