export * from './collect.ts';
export * from './headline.ts';
export * from './pdf.ts';
export * from './xlsx.ts';
