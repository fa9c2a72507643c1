import { describe, expect, it } from 'vitest';
import { chartNotes, chartTargets, commonTarget, noteSpan, STEP_MS } from './marks.ts';

const MIDNIGHT = Date.parse('2026-11-30T00:00:00+07:00');
/** Today so far in 15-minute steps: 00:00 … 09:45 (40 steps, the last ending at 10:00). */
const today = Array.from({ length: 40 }, (_, i) => MIDNIGHT + i * STEP_MS['15m']);
/** Seven days by day: 24 … 30 November. */
const week = Array.from({ length: 7 }, (_, i) => MIDNIGHT - (6 - i) * STEP_MS['1d']);
const at = (hm: string, day = '2026-11-30') => `${day}T${hm}:00+07:00`;

describe('noteSpan: a note on a time axis of steps', () => {
  it('puts a point on the 15-minute step that holds it', () => {
    expect(noteSpan({ from: at('00:00'), to: null }, today, STEP_MS['15m'])).toEqual({ first: 0, last: 0 });
    expect(noteSpan({ from: at('08:14'), to: null }, today, STEP_MS['15m'])).toEqual({ first: 32, last: 32 });
    expect(noteSpan({ from: at('08:15'), to: null }, today, STEP_MS['15m'])).toEqual({ first: 33, last: 33 });
    expect(noteSpan({ from: at('09:59'), to: null }, today, STEP_MS['15m'])).toEqual({ first: 39, last: 39 });
  });

  it('reads the offset of the time it is given (02:30 UTC is 09:30 in Hà Nội)', () => {
    expect(noteSpan({ from: '2026-11-30T02:30:00Z', to: null }, today, STEP_MS['15m'])).toEqual({
      first: 38,
      last: 38,
    });
  });

  it('leaves out a point before the chart or at or after the end of its last step', () => {
    expect(noteSpan({ from: at('23:59', '2026-11-29'), to: null }, today, STEP_MS['15m'])).toBeNull();
    expect(noteSpan({ from: at('10:00'), to: null }, today, STEP_MS['15m'])).toBeNull();
    expect(noteSpan({ from: at('09:00'), to: null }, [], STEP_MS['15m'])).toBeNull();
  });

  it('covers every step a range meets, its end exclusive', () => {
    // 08:00–09:00 is steps 32..35; 09:00 itself is not in it.
    expect(noteSpan({ from: at('08:00'), to: at('09:00') }, today, STEP_MS['15m'])).toEqual({
      first: 32,
      last: 35,
    });
    // 08:10–08:20 meets two steps.
    expect(noteSpan({ from: at('08:10'), to: at('08:20') }, today, STEP_MS['15m'])).toEqual({
      first: 32,
      last: 33,
    });
  });

  it('cuts a range to the chart, and leaves out one that misses it', () => {
    // Begun yesterday, still going on: from the first step to the last.
    expect(noteSpan({ from: at('17:00', '2026-11-29'), to: at('12:00') }, today, STEP_MS['15m'])).toEqual({
      first: 0,
      last: 39,
    });
    // Ended at midnight: yesterday only.
    expect(noteSpan({ from: at('08:00', '2026-11-29'), to: at('00:00') }, today, STEP_MS['15m'])).toBeNull();
    // Starts after now.
    expect(noteSpan({ from: at('10:00'), to: at('11:00') }, today, STEP_MS['15m'])).toBeNull();
  });

  it('draws a range that ends before it starts as a point', () => {
    expect(noteSpan({ from: at('08:00'), to: at('07:00') }, today, STEP_MS['15m'])).toEqual({
      first: 32,
      last: 32,
    });
  });

  it('maps days on a 7-day chart', () => {
    expect(noteSpan({ from: at('15:00', '2026-11-26'), to: null }, week, STEP_MS['1d'])).toEqual({
      first: 2,
      last: 2,
    });
    // 26 November 12:00 to 28 November 00:00: the 26th and the 27th.
    expect(
      noteSpan({ from: at('12:00', '2026-11-26'), to: at('00:00', '2026-11-28') }, week, STEP_MS['1d']),
    ).toEqual({
      first: 2,
      last: 3,
    });
    // The whole month: all seven days.
    expect(
      noteSpan({ from: at('00:00', '2026-11-01'), to: at('00:00', '2026-12-01') }, week, STEP_MS['1d']),
    ).toEqual({
      first: 0,
      last: 6,
    });
    expect(noteSpan({ from: at('23:00', '2026-11-23'), to: null }, week, STEP_MS['1d'])).toBeNull();
    expect(noteSpan({ from: at('00:00', '2026-12-01'), to: null }, week, STEP_MS['1d'])).toBeNull();
  });
});

describe('targets and notes as the charts take them', () => {
  const unit = (code: string, name: string) => ({ code, name, level: 'commune' as const });
  const target = (figure: 'satisfaction' | 'onTime' | 'score766', value: number) => ({
    figure,
    value,
    inherited: false,
    setOn: unit('90', 'Thành phố'),
    setBy: 'test city',
    updatedAt: '2026-11-30T08:00:00+07:00',
  });

  it('takes the two rate targets, and none from targets it could not read', () => {
    expect(chartTargets({ targets: [target('score766', 80), target('satisfaction', 0.95)] })).toEqual({
      satisfaction: 0.95,
      onTime: null,
    });
    expect(chartTargets(null)).toEqual({ satisfaction: null, onTime: null });
  });

  it('names the unit of a note on another unit', () => {
    const note = (code: string, text: string) => ({
      id: 1,
      unit: unit(code, `Xã ${code}`),
      from: '2026-11-30T08:00:00+07:00',
      to: null,
      text,
      author: 'a',
      createdAt: '2026-11-30T08:00:00+07:00',
      updatedAt: '2026-11-30T08:00:00+07:00',
      mayEdit: false,
    });
    const list = { items: [note('90000', 'Mất điện'), note('900', 'Tập huấn')] };
    expect(chartNotes(list, '90000', (u) => u.name).map((n) => n.text)).toEqual([
      'Mất điện',
      'Tập huấn (Xã 900)',
    ]);
    expect(chartNotes(null, '90000', (u) => u.name)).toEqual([]);
  });

  it('gives a chart of children one target line only when every child has the same target', () => {
    const child = (code: string, ...targets: ReturnType<typeof target>[]) => ({
      unit: unit(code, code),
      targets,
    });
    const same = {
      children: [
        child('a', target('satisfaction', 0.9)),
        child('b', target('satisfaction', 0.9), target('onTime', 0.8)),
      ],
    };
    expect(commonTarget(same, ['a', 'b'], 'satisfaction')).toBe(0.9);
    // b has an on-time target, a has none.
    expect(commonTarget(same, ['a', 'b'], 'onTime')).toBeNull();
    const differ = {
      children: [child('a', target('satisfaction', 0.9)), child('b', target('satisfaction', 0.95))],
    };
    expect(commonTarget(differ, ['a', 'b'], 'satisfaction')).toBeNull();
    // A child the targets do not list has none.
    expect(commonTarget(same, ['a', 'b', 'c'], 'satisfaction')).toBeNull();
    expect(commonTarget(null, ['a'], 'satisfaction')).toBeNull();
    expect(commonTarget(same, [], 'satisfaction')).toBeNull();
  });
});
