export * from './credentials.ts';
export * from './dossiers.ts';
export * from './events.ts';
export * from './petitions.ts';
export * from './reports.ts';
export * from './rollups.ts';
export * from './units.ts';
