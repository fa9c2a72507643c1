export * from './calendar.ts';
export * from './env.ts';
export * from './log.ts';
