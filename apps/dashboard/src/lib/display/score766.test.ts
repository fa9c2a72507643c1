import type { Score } from '@motcua/contract';
import { describe, expect, it } from 'vitest';
import { translator } from '../i18n.ts';
import { scoreChange } from './score766.ts';

/** A score with one measured sub-criterion of `max` points (denominator 0 = no fact behind it). */
const score = (points: number, max: number, denominator = 4): Score => ({
  points,
  max,
  fullMax: 100,
  groups: [
    {
      code: '2',
      name: { vi: 'Tiến độ', en: 'Progress' },
      max: 22,
      points,
      measuredMax: max,
      criteria: [
        {
          code: '2.1',
          name: { vi: 'Đúng hạn', en: 'On time' },
          max,
          fullAt: 1,
          numerator: 3,
          denominator,
          rate: denominator ? 3 / denominator : null,
          points,
          measured: true,
          reason: null,
        },
      ],
    },
  ],
});

describe("the wall display's 766 change on last month", () => {
  const t = translator('vi');
  it('says up, down or equal with the difference when both months are on the same scale', () => {
    expect(scoreChange(score(62.44, 78), score(60.3, 78), '2026-11', t, 'vi')).toEqual({
      tone: 'up',
      text: '▲ 2,1 điểm so với tháng 11/2026',
    });
    expect(scoreChange(score(60, 78), score(61.04, 78), '2026-11', t, 'vi')?.tone).toBe('down');
    expect(scoreChange(score(60, 78), score(60.01, 78), '2026-11', t, 'vi')?.tone).toBe('none');
  });

  it('gives no difference across scales, nor against a month without data, nor before reading', () => {
    expect(scoreChange(score(60, 78), score(50, 72), '2026-11', t, 'vi')?.text).toBe(
      'Tháng 11/2026: 50,0 / 72 điểm',
    );
    expect(scoreChange(score(60, 78), score(6, 6, 0), '2026-11', t, 'vi')?.text).toContain('chưa có dữ liệu');
    expect(scoreChange(score(60, 78), undefined, '2026-11', t, 'vi')).toBeNull();
    expect(scoreChange(score(6, 6, 0), score(60, 78), '2026-11', t, 'vi')).toBeNull();
  });
});
