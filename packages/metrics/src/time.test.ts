import { describe, expect, it } from 'vitest';
import {
  alignStep,
  DAY,
  EARLIEST_WINDOW_START,
  floorMinute,
  floorTo,
  formatLocal,
  HOUR,
  isSeriesStep,
  lastMonths,
  localDateString,
  localDayStart,
  MINUTE,
  parsePeriod,
  periodContaining,
  previousPeriod,
  previousWindow,
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

  it('accepts a custom window from local midnight of 1 January 1970, not a minute before', () => {
    const to = '1970-01-02T00:00:00+07:00';
    expect(resolveWindow({ from: '1970-01-01T00:00:00+07:00', to }, asOf)).toEqual({
      ok: true,
      window: { name: 'custom', from: EARLIEST_WINDOW_START, to: EARLIEST_WINDOW_START + DAY },
    });
    expect(resolveWindow({ from: '1969-12-31T23:59:00+07:00', to }, asOf)).toEqual({
      ok: false,
      field: 'from',
      message: 'from must not be before 1970-01-01T00:00:00+07:00',
    });
    // Year 0, which Postgres reads in no ISO text, is refused by the same bound.
    expect(resolveWindow({ from: '0000-06-01T00:00:00Z', to: '0000-06-02T00:00:00Z' }, asOf)).toMatchObject({
      ok: false,
      field: 'from',
    });
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
    ['1969', 'starts before 1970-01-01T00:00:00+07:00'],
    ['1969-12', 'starts before 1970-01-01T00:00:00+07:00'],
    ['0001', 'starts before'],
    ['0000', 'starts before'],
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

  it('accepts the first period of 1970 and compares it with the last of 1969', () => {
    const jan = resolved('1970-01');
    expect(jan).toMatchObject({ from: EARLIEST_WINDOW_START });
    expect(previousWindow(jan)).toMatchObject({ period: '1969-12', to: EARLIEST_WINDOW_START });
    expect(resolved('1970')).toMatchObject({ from: EARLIEST_WINDOW_START });
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

describe('ISO weeks, leap day and the window compared against (hand-computed, local time)', () => {
  const resolved = (window: string, at: number) => {
    const r = resolveWindow({ window }, at);
    if (!r.ok) throw new Error(r.message);
    return r.window;
  };

  it('puts 1 January 2026 (a Thursday) in week 1, which starts on Monday 29 December 2025', () => {
    expect(parsePeriod('2026-W01')).toEqual({
      kind: 'week',
      label: '2026-W01',
      from: utc('2025-12-28T17:00:00Z'), // Mon 29 Dec 00:00 +07:00
      to: utc('2026-01-04T17:00:00Z'), // Mon 5 Jan 00:00 +07:00
    });
    // 23:30 local on Wednesday 31 December 2025 is already in 2026-W01.
    expect(periodContaining('week', utc('2025-12-31T16:30:00Z')).label).toBe('2026-W01');
    // 23:59 local on Sunday 28 December 2025 is the last week of 2025.
    expect(periodContaining('week', utc('2025-12-28T16:59:00Z')).label).toBe('2025-W52');
  });

  it('gives 2026 a week 53 (it starts on a Thursday) that holds 1–3 January 2027, and 2027 none', () => {
    expect(parsePeriod('2026-W53')).toMatchObject({
      from: utc('2026-12-27T17:00:00Z'), // Mon 28 Dec 2026
      to: utc('2027-01-03T17:00:00Z'),
    });
    expect(periodContaining('week', utc('2027-01-02T05:00:00Z')).label).toBe('2026-W53');
    expect(periodContaining('week', utc('2027-01-03T17:00:00Z')).label).toBe('2027-W01');
    expect(parsePeriod('2027-W53')).toBeNull();
    expect(resolveWindow({ window: '2027-W53' }, utc('2028-06-01T00:00:00Z')).ok).toBe(false);
    expect(resolveWindow({ window: '2026-W54' }, utc('2028-06-01T00:00:00Z')).ok).toBe(false);
  });

  it('runs this week to date from Monday 00:00 local; 2026-W44 is Monday 26 October to 1 November', () => {
    // Sunday 29 Nov 2026 14:03 local: the week began Monday 23 November (W48).
    const asOf = utc('2026-11-29T07:03:11.500Z');
    expect(resolved('week', asOf)).toEqual({
      name: 'week',
      period: '2026-W48',
      from: utc('2026-11-22T17:00:00Z'),
      to: asOf,
    });
    expect(resolved('2026-W44', asOf)).toEqual({
      name: 'period',
      period: '2026-W44',
      from: utc('2026-10-25T17:00:00Z'),
      to: utc('2026-11-01T17:00:00Z'),
    });
  });

  it('ends February 2028 (leap) after the 29th: 23:59 on the 29th is February, midnight is March', () => {
    expect(parsePeriod('2028-02')).toMatchObject({
      from: utc('2028-01-31T17:00:00Z'),
      to: utc('2028-02-29T17:00:00Z'),
    });
    expect(periodContaining('month', utc('2028-02-29T16:59:59Z')).label).toBe('2028-02');
    expect(periodContaining('month', utc('2028-02-29T17:00:00Z')).label).toBe('2028-03');
    expect(previousPeriod(parsePeriod('2028-03') as NonNullable<ReturnType<typeof parsePeriod>>).label).toBe(
      '2028-02',
    );
    // 2028-Q1 has 31 + 29 + 31 = 91 days.
    const q1 = parsePeriod('2028-Q1') as NonNullable<ReturnType<typeof parsePeriod>>;
    expect((q1.to - q1.from) / DAY).toBe(91);
  });

  it('ends a month at local midnight: 23:59:59 on 31 October is October, 00:00 on 1 November is November', () => {
    expect(periodContaining('month', utc('2026-10-31T16:59:59Z')).label).toBe('2026-10');
    expect(periodContaining('month', utc('2026-10-31T17:00:00Z')).label).toBe('2026-11');
    expect(periodContaining('quarter', utc('2026-09-30T17:00:00Z')).label).toBe('2026-Q4');
  });

  it('compares a calendar window, to date or whole, with the whole closed period before it', () => {
    const asOf = utc('2026-11-15T03:00:00Z');
    expect(previousWindow(resolved('month', asOf))).toEqual({
      name: 'period',
      period: '2026-10',
      from: utc('2026-09-30T17:00:00Z'),
      to: utc('2026-10-31T17:00:00Z'),
    });
    expect(previousWindow(resolved('2026-10', asOf))).toMatchObject({ period: '2026-09' });
    expect(previousWindow(resolved('2026-Q1', asOf))).toMatchObject({
      period: '2025-Q4',
      from: utc('2025-09-30T17:00:00Z'),
      to: utc('2025-12-31T17:00:00Z'),
    });
    expect(previousWindow(resolved('2026-W01', asOf))).toMatchObject({ period: '2025-W52' });
    expect(previousWindow(resolved('year', asOf))).toMatchObject({ period: '2025' });
    // Every previous window is closed at asOf.
    for (const w of ['week', 'month', 'quarter', 'year', '2026-10', '1h', 'today', '7d', '30d']) {
      expect(previousWindow(resolved(w, asOf)).to).toBeLessThanOrEqual(asOf);
    }
  });

  it('compares today with yesterday and a rolling window with the one of equal length before it', () => {
    const asOf = utc('2026-11-15T03:00:30Z'); // 10:00:30 local
    expect(previousWindow(resolved('today', asOf))).toEqual({
      name: 'custom',
      from: utc('2026-11-13T17:00:00Z'),
      to: utc('2026-11-14T17:00:00Z'),
    });
    const w7 = resolved('7d', asOf);
    const p7 = previousWindow(w7);
    expect(p7).toEqual({
      name: 'custom',
      from: utc('2026-11-01T03:00:00Z'),
      to: utc('2026-11-08T03:00:00Z'),
    });
    expect(p7.to - p7.from).toBe(7 * DAY);
  });

  it('lists the last 12 months ending with the current one, across a year boundary', () => {
    const months = lastMonths(12, utc('2026-02-10T00:00:00Z'));
    expect(months.map((m) => m.label)).toEqual([
      '2025-03',
      '2025-04',
      '2025-05',
      '2025-06',
      '2025-07',
      '2025-08',
      '2025-09',
      '2025-10',
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
    ]);
  });
});
