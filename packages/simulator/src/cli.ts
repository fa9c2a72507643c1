/**
 * `npm run simulate -- --target URL --key KEY --rate N --duration S`: a load source against any
 * running ingest. Everything but the process wiring lives in command.ts.
 */
import { main } from './command.ts';

process.exit(await main(process.argv.slice(2)));
