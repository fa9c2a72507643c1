/**
 * Writes the OpenAPI 3.1 documents generated from the contract's schemas
 * (packages/contract/src/openapi.ts) to docs/openapi/:
 *
 *   npm run openapi        writes docs/openapi/ingest.json and docs/openapi/dashboard.json
 *
 * Pretty JSON in the generator's key order, then formatted by Biome (as `npm run check` wants
 * it). Commit the result: packages/contract/src/openapi.test.ts fails while the committed files
 * differ from what the code generates.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiFiles } from '../packages/contract/src/openapi.ts';

const root = join(import.meta.dirname, '..');
const dir = join(root, 'docs', 'openapi');
mkdirSync(dir, { recursive: true });
const written: string[] = [];
for (const [name, doc] of Object.entries(openApiFiles())) {
  const path = join(dir, name);
  writeFileSync(path, `${JSON.stringify(doc, null, 2)}\n`);
  written.push(path);
}
execFileSync(join(root, 'node_modules', '.bin', 'biome'), ['format', '--write', ...written], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
for (const path of written) console.log(`wrote ${path.slice(root.length + 1)}`);
