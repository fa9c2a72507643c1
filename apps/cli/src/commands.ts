import { VIEWER_ROLES, type ViewerRole } from '@motcua/contract';
import {
  archiveEventMonths,
  CredentialError,
  createDeskKey,
  createViewer,
  type Database,
  isTreeName,
  listDeskKeys,
  listEventMonths,
  listViewers,
  loadReferenceUnits,
  migrate,
  recordAudit,
  restoreEventFile,
  revokeDeskKey,
  revokeViewer,
  TREE_NAMES,
  viewerLink,
} from '@motcua/db';
import { ConfigError, loadWorkCalendar } from '@motcua/service';
import { type formatOf, ImportError, type ImportOptions, runImport } from './import/run.ts';
import { dashboardOriginFromEnv } from './origin.ts';

export const USAGE = `Usage: npm run motcua -- <command>

  start [--tree T] [--no-demo] [--speed N] [--seed N] [--only ingest|dashboard]
                                     run the system (what npm start does)
  db migrate                         apply database migrations
  units load --tree T                load a reference unit tree: ${TREE_NAMES.join(', ')}
  import FILE… [--format ndjson|csv] [--chunk N] [--rejects PATH] [--restart]
                                     import history (NDJSON or CSV, gzipped or not; docs/import.md)
  events months                      months of raw events: month, partition, rows, state
  events archive --before YYYY-MM --dir DIR
                                     each month before YYYY-MM to DIR/events_YYYY_MM.ndjson.gz,
                                     then dropped (numbers stay: docs/operations.md)
  events restore FILE…               load archived months back
  keys create --unit CODE --label TEXT [--desk DESK]
                                     new desk key (printed as the last line)
  keys list                          desk keys: prefix, unit, desk, label, state
  keys revoke PREFIX                 revoke a desk key at once
  viewers create --role ${VIEWER_ROLES.join('|')} --unit CODE --label TEXT
                                     new viewer token (printed as the last line,
                                     after the link that opens it)
  viewers list                       viewer tokens: prefix, role, unit, label, state
  viewers revoke PREFIX              revoke a viewer token at once

Without DATABASE_URL the embedded database in ./data (MOTCUA_DATA_DIR) is used; while
npm start runs, commands go through the running server.`;

/** A bad command line: exit code 2 with this message and the usage. */
export class UsageError extends Error {}

export interface Parsed {
  positional: string[];
  flags: Record<string, string | true>;
}

/** `--name value`, `--name=value` and bare `--flag`; everything else is positional. */
export function parseArgs(argv: string[], booleans: string[] = []): Parsed {
  const out: Parsed = { positional: [], flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      out.positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 0) out.flags[a.slice(2, eq)] = a.slice(eq + 1);
    else if (booleans.includes(a.slice(2))) out.flags[a.slice(2)] = true;
    else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${a}: needs a value`);
      out.flags[a.slice(2)] = value;
      i++;
    }
  }
  return out;
}

function only(p: Parsed, allowed: string[]) {
  for (const f of Object.keys(p.flags))
    if (!allowed.includes(f)) throw new UsageError(`--${f}: unknown option`);
}

function need(p: Parsed, name: string): string {
  const v = p.flags[name];
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`--${name}: required`);
  return v;
}

/** Commands that work on an open database: run by the CLI, or inside the server for it. */
export async function runDbCommand(
  db: Database,
  argv: string[],
  print: (line: string) => void,
  progress?: ImportOptions['progress'],
  /** The dashboard's address for the links printed; from the environment when not given. */
  dashboardOrigin?: string,
): Promise<void> {
  const [group, action, ...rest] = argv;
  if (group === 'import') {
    const p = parseArgs(argv.slice(1), ['restart']);
    only(p, ['format', 'chunk', 'rejects', 'restart']);
    const format = p.flags.format;
    if (format !== undefined && format !== 'ndjson' && format !== 'csv') {
      throw new UsageError('--format: expected ndjson or csv');
    }
    const chunk = p.flags.chunk === undefined ? undefined : Number(p.flags.chunk);
    if (chunk !== undefined && !(Number.isInteger(chunk) && chunk >= 1 && chunk <= 1_000_000)) {
      throw new UsageError('--chunk: expected a whole number from 1 to 1000000');
    }
    try {
      await migrate(db);
      await runImport(
        db,
        p.positional,
        {
          format: (format as ReturnType<typeof formatOf> | undefined) ?? undefined,
          chunk,
          rejects: typeof p.flags.rejects === 'string' ? p.flags.rejects : undefined,
          restart: p.flags.restart === true,
          calendar: loadWorkCalendar(process.env),
          progress,
        },
        print,
      );
    } catch (err) {
      if (err instanceof ImportError) throw new UsageError(err.message);
      throw err;
    }
    return;
  }
  const p = parseArgs(rest);
  try {
    if (group === 'db' && action === 'migrate') {
      only(p, []);
      await migrate(db);
      print('migrations applied');
    } else if (group === 'events' && action === 'months') {
      only(p, []);
      await migrate(db);
      for (const m of await listEventMonths(db)) print([m.month, m.partition, m.rows, m.state].join('\t'));
    } else if (group === 'events' && action === 'archive') {
      only(p, ['before', 'dir']);
      const before = need(p, 'before');
      const dir = need(p, 'dir');
      await migrate(db);
      let months: Awaited<ReturnType<typeof archiveEventMonths>>;
      try {
        months = await archiveEventMonths(db, {
          before,
          dir,
          onMonth: (m) => print(`archived ${m.month}: ${m.rows} rows to ${m.file}`),
        });
      } catch (err) {
        if (err instanceof RangeError) throw new UsageError(err.message);
        throw err;
      }
      print(`${months.length} month(s) archived, ${months.reduce((n, m) => n + m.rows, 0)} rows`);
    } else if (group === 'events' && action === 'restore') {
      only(p, []);
      if (p.positional.length === 0) throw new UsageError('events restore: FILE required');
      await migrate(db);
      for (const file of p.positional) {
        const r = await restoreEventFile(db, file);
        const already = r.rows - r.inserted;
        print(
          `restored ${r.file}: ${r.inserted} rows into ${r.months.join(', ') || 'no month'}` +
            (already > 0 ? ` (${already} were there already)` : ''),
        );
      }
    } else if (group === 'units' && action === 'load') {
      only(p, ['tree']);
      const tree = need(p, 'tree');
      if (!isTreeName(tree)) throw new UsageError(`--tree: expected one of ${TREE_NAMES.join(', ')}`);
      await migrate(db);
      print(`loaded ${await loadReferenceUnits(db, tree)} units of ${tree}`);
    } else if (group === 'keys' && action === 'create') {
      only(p, ['unit', 'label', 'desk']);
      const desk = p.flags.desk;
      const { key, prefix } = await createDeskKey(db, {
        unit: need(p, 'unit'),
        label: need(p, 'label'),
        desk: typeof desk === 'string' ? desk : null,
      });
      await recordAudit(db, {
        actor: 'cli',
        action: 'desk_key.create',
        subject: prefix,
        unitCode: String(p.flags.unit),
        detail: { label: p.flags.label, desk: typeof desk === 'string' ? desk : null },
      });
      print(`desk key ${prefix} for unit ${p.flags.unit}${typeof desk === 'string' ? ` desk ${desk}` : ''}`);
      print('store it now: it is shown once');
      print(key);
    } else if (group === 'keys' && action === 'list') {
      only(p, []);
      for (const k of await listDeskKeys(db)) {
        print(
          [
            k.prefix,
            k.unitCode,
            k.deskCode ?? '*',
            k.revokedAt ? 'revoked' : 'active',
            JSON.stringify(k.label),
          ].join('\t'),
        );
      }
    } else if (group === 'keys' && action === 'revoke') {
      only(p, []);
      const prefix = p.positional[0];
      if (!prefix) throw new UsageError('keys revoke: PREFIX required');
      if ((await revokeDeskKey(db, prefix)) === 0) throw new CredentialError(`no active desk key ${prefix}`);
      const key = (await listDeskKeys(db)).find((k) => k.prefix === prefix);
      await recordAudit(db, {
        actor: 'cli',
        action: 'desk_key.revoke',
        subject: prefix,
        unitCode: key?.unitCode,
      });
      print(`revoked ${prefix}`);
    } else if (group === 'viewers' && action === 'create') {
      only(p, ['role', 'unit', 'label']);
      const role = need(p, 'role');
      if (!VIEWER_ROLES.includes(role as ViewerRole)) {
        throw new UsageError(`--role: expected one of ${VIEWER_ROLES.join(', ')}`);
      }
      // Before anything is made: a wrong PUBLIC_URL must not leave a token without its link.
      const origin =
        dashboardOrigin ??
        (await dashboardOriginFromEnv().catch((err) => {
          throw err instanceof ConfigError ? new UsageError(err.message) : err;
        }));
      const { token, prefix } = await createViewer(db, {
        role: role as ViewerRole,
        unit: need(p, 'unit'),
        label: need(p, 'label'),
      });
      await recordAudit(db, {
        actor: 'cli',
        action: 'viewer.create',
        subject: prefix,
        unitCode: String(p.flags.unit),
        detail: { role, label: p.flags.label },
      });
      print(`viewer token ${prefix} (${role}) for unit ${p.flags.unit}`);
      print('store it now: it is shown once');
      print(`link: ${viewerLink(origin, role as ViewerRole, String(p.flags.unit), token)}`);
      print(token);
    } else if (group === 'viewers' && action === 'list') {
      only(p, []);
      for (const v of await listViewers(db)) {
        print(
          [v.prefix, v.role, v.unitCode, v.revokedAt ? 'revoked' : 'active', JSON.stringify(v.label)].join(
            '\t',
          ),
        );
      }
    } else if (group === 'viewers' && action === 'revoke') {
      only(p, []);
      const prefix = p.positional[0];
      if (!prefix) throw new UsageError('viewers revoke: PREFIX required');
      if ((await revokeViewer(db, prefix)) === 0)
        throw new CredentialError(`no active viewer token ${prefix}`);
      const viewer = (await listViewers(db)).find((v) => v.prefix === prefix);
      await recordAudit(db, {
        actor: 'cli',
        action: 'viewer.revoke',
        subject: prefix,
        unitCode: viewer?.unitCode,
      });
      print(`revoked ${prefix}`);
    } else {
      throw new UsageError(`unknown command: ${argv.join(' ') || '(none)'}`);
    }
  } catch (err) {
    if (err instanceof CredentialError) throw new UsageError(err.message);
    throw err;
  }
}

/** Runs a db command and captures its output (used by the server's admin endpoint). */
export async function captureDbCommand(
  db: Database,
  argv: string[],
  dashboardOrigin?: string,
): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  try {
    await runDbCommand(db, argv, (l) => lines.push(l), undefined, dashboardOrigin);
    return { code: 0, output: lines.join('\n') };
  } catch (err) {
    if (err instanceof UsageError) return { code: 2, output: [...lines, `error: ${err.message}`].join('\n') };
    return { code: 1, output: [...lines, `error: ${(err as Error).message}`].join('\n') };
  }
}
