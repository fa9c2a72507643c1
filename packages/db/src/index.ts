export * from './client.ts';
export * from './credentials.ts';
export * from './errors.ts';
export * from './migrate.ts';
export * from './read.ts';
export * as schema from './schema/index.ts';
export * from './tree.ts';
export * from './units/index.ts';
export * from './write.ts';
