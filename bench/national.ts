/**
 * Sizing input, not a measurement of the system: the national load as the simulator's model
 * sees it — 3,321 synthetic communes at the model's per-commune volume (calibrated to Hà Nội),
 * over a Monday (the busiest day of its week). The busiest minute ×10 is the design peak
 * docs/scaling.md sizes against.
 */
import { createCityModel } from '@motcua/simulator';

export const NATIONAL_COMMUNES = 3321;
export const PEAK_FACTOR = 10;
/** A Monday (local time): the model makes Mondays 1.3× a plain weekday. */
const MONDAY = Date.parse('2025-03-03T00:00:00+07:00');
const DAY = 86_400_000;
const BURST = 100;

export interface NationalModel {
  communes: number;
  day: string;
  eventsPerDay: number;
  dossiersPerDay: number;
  ratingsPerDay: number;
  /** Events in the busiest minute and second of that day. */
  peakMinute: number;
  peakSecond: number;
  peakSecondAt: string;
  /**
   * The busiest minute without seconds that hold more than BURST events: the model stamps work
   * that would fall outside office hours at the opening second (e.g. thousands of
   * `supplement_received` at 08:00:00 on Monday), a burst rather than a sustained rate.
   */
  peakMinuteWithoutBursts: number;
  /** Mean events/s over the day, over the busiest minute, and the design peak (busiest minute × 10). */
  meanPerSec: number;
  peakMinutePerSec: number;
  designPeakPerSec: number;
  seconds: number;
}

export function nationalModel(seed: number): NationalModel {
  const t0 = performance.now();
  const communes = Array.from({ length: NATIONAL_COMMUNES }, (_, i) => ({ code: String(10000 + i) }));
  const model = createCityModel({ communes, seed });
  const events = model.generate(MONDAY, MONDAY + DAY);
  const perMinute = new Map<number, number>();
  const perSecond = new Map<number, number>();
  let dossiers = 0;
  let ratings = 0;
  for (const e of events) {
    const t = Date.parse(e.time);
    perMinute.set(Math.floor(t / 60_000), (perMinute.get(Math.floor(t / 60_000)) ?? 0) + 1);
    perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    if (e.type === 'vn.motcua.dossier.received') dossiers++;
    if (e.type === 'vn.motcua.rating.submitted') ratings++;
  }
  const peakMinute = Math.max(...perMinute.values());
  const [peakSecondKey, peakSecond] = [...perSecond].reduce((a, b) => (b[1] > a[1] ? b : a));
  const smooth = new Map<number, number>();
  for (const [s, n] of perSecond) {
    if (n <= BURST) smooth.set(Math.floor(s / 60), (smooth.get(Math.floor(s / 60)) ?? 0) + n);
  }
  return {
    communes: NATIONAL_COMMUNES,
    day: '2025-03-03 (Monday)',
    eventsPerDay: events.length,
    dossiersPerDay: dossiers,
    ratingsPerDay: ratings,
    peakMinute,
    peakSecond,
    peakSecondAt: new Date(peakSecondKey * 1000 + 7 * 3_600_000).toISOString().replace('Z', '+07:00'),
    peakMinuteWithoutBursts: Math.max(...smooth.values()),
    meanPerSec: events.length / 86_400,
    peakMinutePerSec: peakMinute / 60,
    designPeakPerSec: (peakMinute / 60) * PEAK_FACTOR,
    seconds: (performance.now() - t0) / 1000,
  };
}
