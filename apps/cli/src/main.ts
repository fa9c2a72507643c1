import { resolve as resolvePath } from 'node:path';
import { createDb, DatabaseLockedError, resolveDataDir } from '@motcua/db';
import { readAdminInfo } from './admin-file.ts';
import { runDbCommand, USAGE, UsageError } from './commands.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);

function usageExit(message: string): never {
  process.stderr.write(`error: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

/**
 * File arguments (`import`, `events archive --dir`, `events restore`) as absolute paths, from
 * the directory the command was typed in: npm runs scripts in the repository root (it passes
 * the caller's directory as INIT_CWD), and a command sent to the running server runs in the
 * server's directory.
 */
function absolutePaths(argv: string[], cwd: string): string[] {
  const resolve = (p: string) => resolvePath(cwd, p);
  if (argv[0] === 'events' && argv[1] === 'restore') {
    return [...argv.slice(0, 2), ...argv.slice(2).map((a) => (a.startsWith('--') ? a : resolve(a)))];
  }
  if (argv[0] === 'events' && argv[1] === 'archive') {
    return argv.map((a, i) =>
      argv[i - 1] === '--dir' ? resolve(a) : a.startsWith('--dir=') ? `--dir=${resolve(a.slice(6))}` : a,
    );
  }
  if (argv[0] !== 'import') return argv;
  const out = [argv[0]];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--format' || a === '--chunk') out.push(a, argv[++i]);
    else if (a === '--rejects') out.push(a, resolve(argv[++i] ?? ''));
    else if (a.startsWith('--rejects=')) out.push(`--rejects=${resolve(a.slice('--rejects='.length))}`);
    else out.push(a.startsWith('--') ? a : resolve(a));
  }
  return out.filter((a) => a !== undefined);
}

/** While npm start owns the embedded database, run the command inside it over its admin endpoint. */
async function throughServer(err: DatabaseLockedError, argv: string[]): Promise<number> {
  const info = readAdminInfo(err.dataDir);
  if (!info || info.pid !== err.pid) {
    process.stderr.write(`${err.message}\n`);
    return 1;
  }
  const res = await fetch(`${info.url}/admin/cli`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${info.token}` },
    body: JSON.stringify({ argv }),
  }).catch(() => null);
  if (!res?.ok) {
    process.stderr.write(`${err.message}\n(its admin endpoint did not answer)\n`);
    return 1;
  }
  const out = (await res.json()) as { code: number; output: string };
  if (out.output) (out.code === 0 ? process.stdout : process.stderr).write(`${out.output}\n`);
  if (out.code === 2) process.stderr.write(`\n${USAGE}\n`);
  return out.code;
}

async function main(typed: string[]): Promise<number> {
  const argv = absolutePaths(typed, process.env.INIT_CWD || process.cwd());
  if (argv.length === 0) usageExit('no command');
  if (argv[0] === '--help' || argv[0] === 'help' || argv[0] === '-h') {
    print(USAGE);
    return 0;
  }
  if (argv[0] === 'start') {
    const { start } = await import('./start.ts');
    return start(argv.slice(1));
  }
  let db: Awaited<ReturnType<typeof createDb>>;
  try {
    db = await createDb({ url: process.env.DATABASE_URL || undefined, dataDir: resolveDataDir(), max: 2 });
  } catch (err) {
    if (err instanceof DatabaseLockedError) return throughServer(err, argv);
    throw err;
  }
  try {
    await runDbCommand(db, argv, print, {
      write: (s) => process.stderr.write(s),
      isTTY: process.stderr.isTTY,
    });
    return 0;
  } catch (err) {
    if (err instanceof UsageError) usageExit(err.message);
    throw err;
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
