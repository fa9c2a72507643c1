import { describe, expect, it } from 'vitest';
import {
  alignStep,
  DAY,
  floorMinute,
  floorTo,
  formatLocal,
  HOUR,
  isSeriesStep,
  localDateString,
  localDayStart,
  MINUTE,
  parsePeriod,
  periodContaining,
  previousPeriod,
  resolveWindow,
  stepMs,
  windowToJson,
} from './time.ts';

const utc = (s: string) => Date.parse(s);

describe('local calendar (UTC+7)', () => {
  it('starts the local day at 17:00 UTC of the previous UTC day', () => {
    expect(localDayStart(utc('2026-11-29T07:03:11Z'))).toBe(utc('2026-11-28T17:00:00Z'));
    // 00:30 local on the 29th is still the 28th in UTC.
    expect(localDayStart(utc('2026-11-28T17:30:00Z'))).toBe(utc('2026-11-28T17:00:00Z'));
    expect(localDayStart(utc('2026-11-28T16:59:59.999Z'))).toBe(utc('2026-11-27T17:00:00Z'));
  });

  it('gives the local date, which differs from the UTC date between 17:00 and 24:00 UTC', () => {
    expect(localDateString(utc('2026-11-28T16:59:59.999Z'))).toBe('2026-11-28');
    expect(localDateString(utc('2026-11-28T17:00:00Z'))).toBe('2026-11-29');
  });

  it('formats with +07:00 and whole seconds', () => {
    expect(formatLocal(utc('2026-11-29T07:03:11.987Z'))).toBe('2026-11-29T14:03:11+07:00');
    expect(formatLocal(utc('2026-12-31T17:00:00Z'))).toBe('2027-01-01T00:00:00+07:00');
  });

  it('floors to a step', () => {
    expect(floorMinute(utc('2026-11-29T07:03:59.999Z'))).toBe(utc('2026-11-29T07:03:00Z'));
    expect(floorTo(-1, MINUTE)).toBe(-MINUTE);
  });
});

describe('resolveWindow', () => {
  const asOf = utc('2026-11-29T07:03:11.500Z'); // 14:03:11.5 local

  it('defaults to today, from local midnight to asOf', () => {
    expect(resolveWindow({}, asOf)).toEqual({
      ok: true,
      window: { name: 'today', from: utc('2026-11-28T17:00:00Z'), to: asOf },
    });
  });

  it('starts named windows on a whole minute and ends them at asOf', () => {
    const from = (window: string) => {
      const r = resolveWindow({ window }, asOf);
      if (!r.ok) throw new Error(r.message);
      expect(r.window.to).toBe(asOf);
      return r.window.from;
    };
    expect(from('1h')).toBe(utc('2026-11-29T06:03:00Z'));
    expect(from('today')).toBe(utc('2026-11-28T17:00:00Z'));
    expect(from('7d')).toBe(utc('2026-11-22T07:03:00Z'));
    expect(from('30d')).toBe(utc('2026-10-30T07:03:00Z'));
  });

  it('floors a custom window to whole minutes', () => {
    const r = resolveWindow({ from: '2026-11-01T00:00:59+07:00', to: '2026-11-02T00:00:30.9+07:00' }, asOf);
    expect(r).toEqual({
      ok: true,
      window: { name: 'custom', from: utc('2026-10-31T17:00:00Z'), to: utc('2026-11-01T17:00:00Z') },
    });
  });

  it('accepts window=custom together with from/to (the live subscribe request always names a window)', () => {
    const r = resolveWindow(
      { window: 'custom', from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' },
      asOf,
    );
    expect(r).toEqual({
      ok: true,
      window: { name: 'custom', from: utc('2026-11-01T00:00:00Z'), to: utc('2026-11-02T00:00:00Z') },
    });
  });

  it.each([
    [{ window: 'yesterday' }, 'window'],
    [{ window: '' }, 'window'],
    [{ window: 'custom' }, 'from'],
    [{ window: 'today', from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' }, 'window'],
    [{ from: '2026-11-01T00:00:00Z' }, 'to'],
    [{ to: '2026-11-01T00:00:00Z' }, 'from'],
    [{ from: '2026-11-01', to: '2026-11-02T00:00:00Z' }, 'from'],
    [{ from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00' }, 'to'],
    [{ from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }, 'to'],
    [{ from: '2026-11-01T00:00:10Z', to: '2026-11-01T00:00:50Z' }, 'to'],
    [{ from: '2025-01-01T00:00:00Z', to: '2026-02-05T00:01:00Z' }, 'from'],
  ])('rejects %j naming field %s', (input, field) => {
    const r = resolveWindow(input, asOf);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.field).toBe(field);
  });

  it('accepts a custom window of exactly 400 days', () => {
    expect(resolveWindow({ from: '2025-01-01T00:00:00Z', to: '2026-02-05T00:00:00Z' }, asOf).ok).toBe(true);
  });

  it('serialises a window in local time', () => {
    expect(windowToJson({ name: 'today', from: utc('2026-11-28T17:00:00Z'), to: asOf })).toEqual({
      name: 'today',
      from: '2026-11-29T00:00:00+07:00',
      to: '2026-11-29T14:03:11+07:00',
    });
  });
});

describe('series steps', () => {
  it('knows the steps', () => {
    expect(stepMs('15m')).toBe(15 * MINUTE);
    expect(stepMs('1d')).toBe(DAY);
    expect(isSeriesStep('1h')).toBe(true);
    expect(isSeriesStep('2h')).toBe(false);
    expect(isSeriesStep('toString')).toBe(false);
    expect(isSeriesStep(5)).toBe(false);
  });

  it('aligns 1d to local midnight and shorter steps to whole multiples', () => {
    const t = utc('2026-11-28T18:47:12Z'); // 01:47:12 local on the 29th
    expect(alignStep(t, '1d')).toBe(utc('2026-11-28T17:00:00Z'));
    expect(alignStep(t, '1h')).toBe(utc('2026-11-28T18:00:00Z'));
    expect(alignStep(t, '15m')).toBe(utc('2026-11-28T18:45:00Z'));
    expect(alignStep(t, '5m')).toBe(utc('2026-11-28T18:45:00Z'));
    expect(alignStep(t, '1m')).toBe(utc('2026-11-28T18:47:00Z'));
    expect(alignStep(t, '1h') + 7 * HOUR).toBe(utc('2026-11-29T01:00:00Z'));
  });
});

describe('calendar windows (month, quarter, year; local time)', () => {
  const asOf = utc('2026-11-29T07:03:11.500Z'); // Sunday 29 Nov 2026, 14:03:11.5 local
  const resolved = (window: string, at = asOf) => {
    const r = resolveWindow({ window }, at);
    if (!r.ok) throw new Error(r.message);
    return r.window;
  };

  it('runs month, quarter and year to date from local midnight of the first day', () => {
    // 1 Nov 00:00 +07:00 = 31 Oct 17:00 UTC; Q4 starts 1 Oct; the year 1 Jan.
    expect(resolved('month')).toEqual({
      name: 'month',
      period: '2026-11',
      from: utc('2026-10-31T17:00:00Z'),
      to: asOf,
    });
    expect(resolved('quarter')).toEqual({
      name: 'quarter',
      period: '2026-Q4',
      from: utc('2026-09-30T17:00:00Z'),
      to: asOf,
    });
    expect(resolved('year')).toEqual({
      name: 'year',
      period: '2026',
      from: utc('2025-12-31T17:00:00Z'),
      to: asOf,
    });
  });

  it('takes the month of the local date: 00:30 on 1 December is December, though UTC is still 30 November', () => {
    const at = utc('2026-11-30T17:30:00Z');
    expect(resolved('month', at)).toMatchObject({ period: '2026-12', from: utc('2026-11-30T17:00:00Z') });
    // 23:59:59 local on 31 March is still the first quarter.
    expect(resolved('quarter', utc('2026-03-31T16:59:59Z'))).toMatchObject({
      period: '2026-Q1',
      from: utc('2025-12-31T17:00:00Z'),
    });
  });

  it('gives a closed period whole: local midnight of the first day to local midnight after the last', () => {
    // October has 31 days: 1 Oct 00:00 +07:00 to 1 Nov 00:00 +07:00.
    expect(resolved('2026-10')).toEqual({
      name: 'period',
      period: '2026-10',
      from: utc('2026-09-30T17:00:00Z'),
      to: utc('2026-10-31T17:00:00Z'),
    });
    // February 2026 has 28 days: it ends at 1 March 00:00 local.
    expect(resolved('2026-02')).toMatchObject({
      from: utc('2026-01-31T17:00:00Z'),
      to: utc('2026-02-28T17:00:00Z'),
    });
    // Q3 = July, August, September.
    expect(resolved('2026-Q3')).toMatchObject({
      from: utc('2026-06-30T17:00:00Z'),
      to: utc('2026-09-30T17:00:00Z'),
    });
    expect(resolved('2025')).toMatchObject({
      from: utc('2024-12-31T17:00:00Z'),
      to: utc('2025-12-31T17:00:00Z'),
    });
  });

  it('counts the leap day: February 2024 is 29 days, 2024 is 366', () => {
    const feb = resolved('2024-02');
    expect(feb).toMatchObject({ from: utc('2024-01-31T17:00:00Z'), to: utc('2024-02-29T17:00:00Z') });
    expect((feb.to - feb.from) / DAY).toBe(29);
    const year = resolved('2024');
    expect((year.to - year.from) / DAY).toBe(366);
    expect(resolved('2024-Q1').to - resolved('2024-Q1').from).toBe((31 + 29 + 31) * DAY);
  });

  it('ends a period that is still running at asOf', () => {
    expect(resolved('2026-11')).toEqual({
      name: 'period',
      period: '2026-11',
      from: utc('2026-10-31T17:00:00Z'),
      to: asOf,
    });
    expect(resolved('2026')).toMatchObject({ from: utc('2025-12-31T17:00:00Z'), to: asOf });
  });

  it.each([
    ['2026-12', 'has not started'],
    ['2027', 'has not started'],
    ['2026-13', 'must be one of'],
    ['2026-00', 'must be one of'],
    ['2026-Q5', 'must be one of'],
    ['2026-q3', 'must be one of'],
    ['2026-1', 'must be one of'],
    ['26', 'must be one of'],
    ['Month', 'must be one of'],
  ])('refuses window=%s (%s)', (window, message) => {
    const r = resolveWindow({ window }, asOf);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe('window');
      expect(r.message).toContain(message);
    }
  });

  it('refuses a period together with from/to', () => {
    const r = resolveWindow(
      { window: '2026-10', from: '2026-10-01T00:00:00Z', to: '2026-10-02T00:00:00Z' },
      asOf,
    );
    expect(r).toMatchObject({ ok: false, field: 'window' });
  });

  it('labels, contains and steps back periods', () => {
    expect(parsePeriod('2026-Q4')).toEqual({
      kind: 'quarter',
      label: '2026-Q4',
      from: utc('2026-09-30T17:00:00Z'),
      to: utc('2026-12-31T17:00:00Z'),
    });
    expect(parsePeriod('0001')?.label).toBe('0001');
    expect(periodContaining('month', utc('2026-12-31T17:00:00Z')).label).toBe('2027-01');
    expect(previousPeriod(parsePeriod('2026-01') as never).label).toBe('2025-12');
    expect(previousPeriod(parsePeriod('2026-Q1') as never).label).toBe('2025-Q4');
    expect(previousPeriod(parsePeriod('2026') as never).label).toBe('2025');
    expect(previousPeriod(parsePeriod('2024-03') as never)).toMatchObject({
      label: '2024-02',
      from: utc('2024-01-31T17:00:00Z'),
      to: utc('2024-02-29T17:00:00Z'),
    });
  });

  it('serialises a calendar window with its period', () => {
    expect(windowToJson(resolved('2026-10'))).toEqual({
      name: 'period',
      period: '2026-10',
      from: '2026-10-01T00:00:00+07:00',
      to: '2026-11-01T00:00:00+07:00',
    });
  });
});
