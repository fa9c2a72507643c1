export * from './alerts.ts';
export * from './errors.ts';
export * from './events.ts';
export * from './kiosk.ts';
export * from './live.ts';
export * from './read.ts';
export * from './schemas.ts';
export * from './time.ts';
