/** A whole period by its label: `2026-10`, `2026-Q3`, `2026` (the read API's `window=`); apart so server code can name it without the live client. */
export type PeriodLabel = `${number}` | `${number}-${number}` | `${number}-Q${number}`;
