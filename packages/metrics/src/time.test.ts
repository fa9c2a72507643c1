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
