/**
 * The working-day calendar a service uses: the built-in Vietnamese data, corrected by the JSON
 * file named by MOTCUA_CALENDAR_FILE when it is set (format in docs/configuration.md).
 */
import { readFileSync } from 'node:fs';
import {
  makeWorkCalendar,
  mergeWorkCalendar,
  VN_CALENDAR,
  type WorkCalendar,
  WorkCalendarError,
} from '@motcua/metrics';
import { z } from 'zod';
import { ConfigError, parseEnv } from './env.ts';

const VARIABLE = 'MOTCUA_CALENDAR_FILE';

const clockPair = z.tuple([z.string(), z.string()]);

/** The file's shape; dates and hours are checked by mergeWorkCalendar, which names the entry. */
const overrideFile = z.strictObject({
  /** Free text for the operator, e.g. the notice the corrections come from; ignored. */
  comment: z.string().optional(),
  holidays: z.array(z.string()).optional(),
  workdays: z.array(z.string()).optional(),
  remove: z.array(z.string()).optional(),
  hours: z.strictObject({ morning: clockPair, afternoon: clockPair }).optional(),
});

const KEYS = Object.keys(overrideFile.shape).join(', ');

const calendarEnv = z.object({ [VARIABLE]: z.string().min(1).optional() });

/**
 * The working-day calendar: built-in data, with the corrections of the file named by
 * MOTCUA_CALENDAR_FILE merged over it when that is set. Throws a ConfigError naming the variable,
 * the file and the bad entry (e.g. `holidays[1]`) if the file cannot be read or holds a wrong value.
 */
export function loadWorkCalendar(env: NodeJS.ProcessEnv = process.env): WorkCalendar {
  const path = parseEnv(calendarEnv, env)[VARIABLE];
  if (path === undefined) return makeWorkCalendar(VN_CALENDAR);
  const fail = (message: string): never => {
    throw new ConfigError(`${VARIABLE}: ${path}: ${message}`);
  };
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return fail(`cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return fail(`not valid JSON (${(err as Error).message})`);
  }
  const parsed = overrideFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    const known = issue.code === 'unrecognized_keys' && !where ? ` (expected ${KEYS})` : '';
    return fail(where ? `${where.replace(/^\./, '')}: ${issue.message}` : `${issue.message}${known}`);
  }
  const { comment: _, ...override } = parsed.data;
  try {
    return makeWorkCalendar(mergeWorkCalendar(VN_CALENDAR, override));
  } catch (err) {
    if (err instanceof WorkCalendarError) return fail(err.message);
    throw err;
  }
}
