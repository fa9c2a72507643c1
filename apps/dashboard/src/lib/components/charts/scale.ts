/**
 * A rate axis that ends at 100 % and starts low enough for `low` (the smallest value shown), with
 * round ticks: steps of 10 points when everything is above 60 %, else of 25 points.
 */
export function rateAxis(low: number | null): { min: number; interval: number } {
  if (low === null) return { min: 0.5, interval: 0.1 };
  if (low >= 0.6) return { min: Math.floor((low - 0.03) * 10) / 10, interval: 0.1 };
  return { min: Math.max(0, Math.floor(low / 0.25) * 0.25), interval: 0.25 };
}
