export * from './calendar.ts';
export * from './outcome.ts';
export * from './petition.ts';
export * from './rates.ts';
export * from './scorecard.ts';
export * from './snapshot.ts';
export * from './time.ts';
export * from './types.ts';
