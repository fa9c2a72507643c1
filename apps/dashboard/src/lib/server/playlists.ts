import { mayConfigure } from '@motcua/contract';
import type { DisplayPlaylist, UnitTree, Viewer } from '@motcua/db';
import { mayRead } from './auth.ts';

/** City and district viewers make the playlists of their subtree; others only use them. */
export const mayMakePlaylists = (viewer: Viewer) => mayConfigure(viewer.role);

/** Whether `viewer` may make or change a playlist owned by `unitCode` (a unit, not a desk). */
export function mayManage(tree: UnitTree, viewer: Viewer, unitCode: string): boolean {
  return mayMakePlaylists(viewer) && !unitCode.includes('/') && mayRead(tree, viewer, unitCode);
}

/**
 * Whether `viewer` may play a playlist: one of its subtree, or one its unit lies under (a city's
 * playlist on a district's screen). A playlist holds slide names only.
 */
export function mayPlay(tree: UnitTree, viewer: Viewer, playlist: DisplayPlaylist): boolean {
  return mayRead(tree, viewer, playlist.unitCode) || tree.isWithin(viewer.unitCode, playlist.unitCode);
}
