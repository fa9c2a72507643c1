export * from './credentials.ts';
export * from './dossiers.ts';
export * from './events.ts';
export * from './petitions.ts';
export * from './rollups.ts';
export * from './scorecard.ts';
export * from './units.ts';
