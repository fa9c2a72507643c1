import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from './client.ts';
import { displayPlaylists } from './schema/index.ts';

/** A wall display playlist (see schema/playlists.ts); `slides` as the URL writes them. */
export type DisplayPlaylist = typeof displayPlaylists.$inferSelect;

export async function createPlaylist(
  db: Database,
  args: { unitCode: string; name: string; slides: string; createdBy: number },
): Promise<DisplayPlaylist> {
  const [row] = await db.orm.insert(displayPlaylists).values(args).returning();
  return row;
}

/** Renames a playlist or changes its slides; null if there is no such playlist. */
export async function updatePlaylist(
  db: Database,
  id: number,
  args: { name: string; slides: string },
): Promise<DisplayPlaylist | null> {
  const [row] = await db.orm
    .update(displayPlaylists)
    .set({ ...args, updatedAt: sql`now()` })
    .where(eq(displayPlaylists.id, id))
    .returning();
  return row ?? null;
}

export async function deletePlaylist(db: Database, id: number): Promise<boolean> {
  const rows = await db.orm
    .delete(displayPlaylists)
    .where(eq(displayPlaylists.id, id))
    .returning({ id: displayPlaylists.id });
  return rows.length > 0;
}

export async function getPlaylist(db: Database, id: number): Promise<DisplayPlaylist | null> {
  if (!Number.isSafeInteger(id) || id <= 0 || id > 2 ** 31 - 1) return null;
  const [row] = await db.orm.select().from(displayPlaylists).where(eq(displayPlaylists.id, id));
  return row ?? null;
}

/** The playlists owned by these units, oldest first. */
export async function listPlaylists(db: Database, unitCodes: string[]): Promise<DisplayPlaylist[]> {
  if (unitCodes.length === 0) return [];
  return db.orm
    .select()
    .from(displayPlaylists)
    .where(inArray(displayPlaylists.unitCode, unitCodes))
    .orderBy(asc(displayPlaylists.id));
}
