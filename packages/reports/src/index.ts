export * from './collect.ts';
export * from './digest.ts';
export * from './headline.ts';
export * from './pdf.ts';
export * from './schedule.ts';
export * from './xlsx.ts';
