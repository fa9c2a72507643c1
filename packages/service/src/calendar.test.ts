import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addWorkingDays, isWorkingDay, isWorkingTime } from '@motcua/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWorkCalendar } from './calendar.ts';
import { ConfigError } from './env.ts';

const local = (s: string) => Date.parse(`${s}:00+07:00`);
const dir = mkdtempSync(join(tmpdir(), 'motcua-calendar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** Writes `content` (an object as JSON, or raw text) to a new file in the temp directory. */
function file(content: unknown): string {
  const path = join(dir, `calendar-${++files}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadWorkCalendar(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadWorkCalendar', () => {
  it('uses the built-in data when MOTCUA_CALENDAR_FILE is unset or blank', () => {
    for (const env of [{}, { MOTCUA_CALENDAR_FILE: '' }]) {
      const cal = loadWorkCalendar(env);
      expect(isWorkingDay(cal, local('2025-01-29T10:00'))).toBe(false); // Tết
      expect(isWorkingDay(cal, local('2025-04-26T10:00'))).toBe(true); // worked Saturday
    }
  });

  it('merges a valid file over the built-in data', () => {
    const path = file({
      comment: 'Ngày Văn hóa Việt Nam; the 2026 Hùng Kings day kept as a working day (an example)',
      holidays: ['2026-11-24'],
      workdays: ['2026-11-28'],
      remove: ['2026-04-27'],
      hours: { morning: ['07:30', '11:30'], afternoon: ['13:30', '17:00'] },
    });
    const cal = loadWorkCalendar({ MOTCUA_CALENDAR_FILE: path });
    expect(isWorkingDay(cal, local('2026-11-24T10:00'))).toBe(false);
    expect(isWorkingDay(cal, local('2026-11-28T10:00'))).toBe(true);
    expect(isWorkingDay(cal, local('2026-04-27T10:00'))).toBe(true);
    expect(isWorkingDay(cal, local('2025-01-29T10:00'))).toBe(false); // built-in data kept
    expect(isWorkingTime(cal, local('2026-03-02T13:29'))).toBe(false);
    expect(isWorkingTime(cal, local('2026-03-02T13:31'))).toBe(true);
    // Mon 23/11/2026 + 2: Tue 24/11 off (added), Wed 25 = 1, Thu 26 = 2.
    expect(addWorkingDays(cal, local('2026-11-23T10:00'), 2)).toBe(local('2026-11-27T00:00'));
    // Fri 24/4/2026 + 2 with 27/4 removed: Mon 27/4 = 1, Tue 28/4 = 2.
    expect(addWorkingDays(cal, local('2026-04-24T10:00'), 2)).toBe(local('2026-04-29T00:00'));
  });

  it('names the variable, the file and a bad date', () => {
    const path = file({ holidays: ['2026-11-24', '2026-02-30'] });
    expect(configError({ MOTCUA_CALENDAR_FILE: path })).toBe(
      `MOTCUA_CALENDAR_FILE: ${path}: holidays[1]: "2026-02-30" is not a date in the form YYYY-MM-DD`,
    );
  });

  it('names a holiday on a weekend and a removal of an unknown day', () => {
    const weekend = file({ holidays: ['2026-11-28'] });
    expect(configError({ MOTCUA_CALENDAR_FILE: weekend })).toContain(
      `${weekend}: holidays[0]: 2026-11-28 is a Saturday`,
    );
    const unknown = file({ remove: ['2026-04-28'] });
    expect(configError({ MOTCUA_CALENDAR_FILE: unknown })).toContain(
      `${unknown}: remove[0]: 2026-04-28 is neither a holiday nor a worked day`,
    );
  });

  it('rejects an unknown key', () => {
    const path = file({ holiday: ['2026-11-24'] });
    const message = configError({ MOTCUA_CALENDAR_FILE: path });
    expect(message).toMatch(new RegExp(`^MOTCUA_CALENDAR_FILE: ${path}: .*"holiday"`));
    const nested = file({
      hours: { morning: ['07:30', '11:30'], afternoon: ['13:00', '17:00'], evening: [] },
    });
    expect(configError({ MOTCUA_CALENDAR_FILE: nested })).toMatch(/hours: .*"evening"/);
  });

  it('names a value of the wrong type and bad hours', () => {
    const path = file({ holidays: ['2026-11-24', 20261125] });
    expect(configError({ MOTCUA_CALENDAR_FILE: path })).toMatch(
      new RegExp(`^MOTCUA_CALENDAR_FILE: ${path}: holidays\\[1\\]: `),
    );
    const hours = file({ hours: { morning: ['08:00', '12:30'], afternoon: ['12:00', '17:00'] } });
    expect(configError({ MOTCUA_CALENDAR_FILE: hours })).toBe(
      `MOTCUA_CALENDAR_FILE: ${hours}: hours.afternoon: the afternoon must start after the morning ends`,
    );
  });

  it('reports a missing file and a file that is not JSON', () => {
    const missing = join(dir, 'nope.json');
    expect(configError({ MOTCUA_CALENDAR_FILE: missing })).toBe(
      `MOTCUA_CALENDAR_FILE: ${missing}: cannot read the file (ENOENT)`,
    );
    const broken = file('{ "holidays": [ ');
    expect(configError({ MOTCUA_CALENDAR_FILE: broken })).toMatch(
      new RegExp(`^MOTCUA_CALENDAR_FILE: ${broken}: not valid JSON`),
    );
    const array = file([]);
    expect(configError({ MOTCUA_CALENDAR_FILE: array })).toMatch(
      new RegExp(`^MOTCUA_CALENDAR_FILE: ${array}: `),
    );
  });
});
