import { fileURLToPath } from 'node:url';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { Database } from './client.ts';

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/** Applies the committed SQL migrations; safe to call from several processes at once. */
export async function migrate(db: Database): Promise<void> {
  if (db.kind === 'pglite') {
    // biome-ignore lint/suspicious/noExplicitAny: the migrator wants its own driver's type; both share one folder
    await migratePglite(db.orm as any, { migrationsFolder });
    return;
  }
  // Serialises concurrent starts (2 ingest + 2 dashboard processes) on one lock id.
  // biome-ignore lint/suspicious/noExplicitAny: see above
  await db.withLock(727001, () => migratePostgres(db.orm as any, { migrationsFolder }));
}
