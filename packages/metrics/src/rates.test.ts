import { describe, expect, it } from 'vitest';
import { onTimeMetrics, onTimeRate, satisfactionMetrics, wilsonLow } from './rates.ts';
import { emptyCounts, emptyOpen } from './snapshot.ts';

describe('wilsonLow', () => {
  // low = (p + z²/2n − z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n), z = 1.96, z² = 3.8416

  it('91 of 100', () => {
    // p = 0.91; z²/2n = 0.019208; p(1−p)/n + z²/4n² = 0.000819 + 0.00009604 = 0.00091504
    // √0.00091504 = 0.03024963; × 1.96 = 0.05928927
    // (0.91 + 0.019208 − 0.05928927) / 1.038416 = 0.86991873 / 1.038416 = 0.83773625
    expect(wilsonLow(91, 100)).toBeCloseTo(0.83773625, 8);
  });

  it('3 of 3', () => {
    // p = 1: the root is √(z²/36) = z/6, so the spread z²/6 cancels z²/2n; low = 1 / (1 + z²/3) = 3 / 6.8416
    expect(wilsonLow(3, 3)).toBeCloseTo(0.43849392, 8);
  });

  it('1 of 1', () => {
    // p = 1, n = 1: low = 1 / (1 + z²) = 1 / 4.8416
    expect(wilsonLow(1, 1)).toBeCloseTo(0.20654329, 8);
  });

  it('0 of 5 is exactly 0', () => {
    // p = 0: z²/2n − z·√(z²/4n²) = 0 (rounding would leave −3e-17 without the clamp)
    expect(wilsonLow(0, 5)).toBe(0);
  });

  it('is null with no ratings', () => {
    expect(wilsonLow(0, 0)).toBeNull();
  });

  it('takes another z', () => {
    // z = 1, 1 of 1: low = 1 / (1 + 1)
    expect(wilsonLow(1, 1, 1)).toBeCloseTo(0.5, 12);
  });
});

describe('satisfactionMetrics', () => {
  it('counts very satisfied and satisfied as positive', () => {
    expect(satisfactionMetrics({ verySatisfied: 40, satisfied: 51, unsatisfied: 9 })).toEqual({
      verySatisfied: 40,
      satisfied: 51,
      unsatisfied: 9,
      total: 100,
      rate: 0.91,
      wilsonLow: wilsonLow(91, 100),
    });
  });

  it('has null rates with no ratings', () => {
    const m = satisfactionMetrics(emptyCounts());
    expect([m.total, m.rate, m.wilsonLow]).toEqual([0, null, null]);
  });
});

describe('onTimeMetrics', () => {
  it('computes rate, avgHours and index766', () => {
    const counts = {
      ...emptyCounts(),
      early: 30,
      onTime: 12,
      late: 3,
      unknown: 2,
      procMs: 45 * 52.4 * 3.6e6,
    };
    const m = onTimeMetrics(counts, { total: 410, overdue: 7, dueSoon: 22, waitingSupplement: 15 });
    expect(m.early + m.onTime + m.late + m.unknown).toBe(47);
    // (30 + 12) / (30 + 12 + 3) = 42 / 45; unknown is in no divisor
    expect(m.rate).toBeCloseTo(0.93333333, 8);
    // procMs / 45 known outcomes / 3.6e6 ms per hour
    expect(m.avgHours).toBeCloseTo(52.4, 10);
    // (30 + 12 + 410 − 7) / (30 + 12 + 3 + 410) = 445 / 455
    expect(m.index766).toBeCloseTo(0.97802198, 8);
  });

  it('averages processing hours over known outcomes only', () => {
    // 2 h + 4 h over 2 finished dossiers = 3 h; the unknown one is not in the divisor
    const m = onTimeMetrics(
      { ...emptyCounts(), early: 1, late: 1, unknown: 5, procMs: 6 * 3.6e6 },
      emptyOpen(),
    );
    expect(m.avgHours).toBe(3);
  });

  it('has index766 from open dossiers alone when nothing finished', () => {
    const m = onTimeMetrics(emptyCounts(), { total: 4, overdue: 1, dueSoon: 0, waitingSupplement: 0 });
    // (0 + 0 + 4 − 1) / (0 + 4)
    expect(m).toMatchObject({ rate: null, avgHours: null, index766: 0.75 });
  });

  it('is all null with nothing finished or open', () => {
    expect(onTimeMetrics(emptyCounts(), emptyOpen())).toMatchObject({
      rate: null,
      avgHours: null,
      index766: null,
    });
  });

  it('onTimeRate ignores unknown', () => {
    expect(onTimeRate({ early: 1, onTime: 0, late: 3 })).toBe(0.25);
    expect(onTimeRate({ early: 0, onTime: 0, late: 0 })).toBeNull();
  });
});
