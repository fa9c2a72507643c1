export * from './calendar.ts';
export * from './env.ts';
export * from './http.ts';
export * from './log.ts';
