export * from './env.ts';
export * from './log.ts';
