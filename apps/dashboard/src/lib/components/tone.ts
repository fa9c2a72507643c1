import { ON_TIME_ALERT, SATISFACTION_ALERT } from '$lib/live/feed.ts';

export type Tone = 'good' | 'warn' | 'bad' | 'none';

/** Green at or above `good`, amber down to `alert`, red below it; neutral for null. */
function tone(rate: number | null | undefined, alert: number, good: number): Tone {
  if (rate == null) return 'none';
  return rate >= good ? 'good' : rate >= alert ? 'warn' : 'bad';
}

export const satisfactionTone = (rate: number | null | undefined): Tone =>
  tone(rate, SATISFACTION_ALERT, 0.9);
export const onTimeTone = (rate: number | null | undefined): Tone => tone(rate, ON_TIME_ALERT, 0.95);

/**
 * The tone of a rate against its target (issue 14): green on or above it, amber up to 2 points
 * below, red further below; without a target, the fixed thresholds above.
 */
export function targetTone(
  rate: number | null | undefined,
  target: number | null | undefined,
  fallback: Tone,
): Tone {
  if (target == null) return fallback;
  if (rate == null) return 'none';
  return rate >= target - 1e-9 ? 'good' : rate >= target - 0.02 ? 'warn' : 'bad';
}
