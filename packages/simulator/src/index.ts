export { type CliOptions, type ParsedArgs, parseArgs, USAGE } from './args.ts';
export { PROCEDURES, type Procedure } from './catalog.ts';
export { type Io, type LoadTotals, main, runLoad, whoami } from './command.ts';
export { createLoadStream, type LoadStream, type LoadStreamOptions } from './load.ts';
export {
  CITY_COMMUNES,
  CITY_DOSSIERS_PER_DAY,
  type CityModel,
  type CommuneInput,
  type CommuneModel,
  type CommuneShares,
  createCityModel,
  DOSSIER_FACTS,
  type DossierFact,
  type GenerateOptions,
  MAX_LIFETIME_DAYS,
  type ModelOptions,
} from './model.ts';
export { createRandom, hashSeed, Random } from './random.ts';
export { formatLocal } from './time.ts';
