import {
  createPlaylist,
  deletePlaylist,
  getPlaylist,
  listPlaylists,
  resolveUnit,
  updatePlaylist,
} from '@motcua/db';
import { error, fail, redirect } from '@sveltejs/kit';
import { formatPlaylist, MAX_SECONDS, MIN_SECONDS, SLIDE_KINDS, type Slide } from '$lib/display/playlist.ts';
import { audit } from '$lib/server/admin.ts';
import { mayMakePlaylists, mayManage } from '$lib/server/playlists.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

const MAX_NAME = 80;

/** The viewer and the unit, checked: signed in, a city or district viewer, the unit in its subtree. */
function scope(event: Pick<RequestEvent, 'locals' | 'params' | 'url'>) {
  const viewer = event.locals.viewer;
  if (!viewer) redirect(303, `/?next=${encodeURIComponent(event.url.pathname)}`);
  const runtime = getRuntime();
  const code = event.params.code;
  const unit = code.includes('/') ? null : resolveUnit(runtime.tree, code);
  if (!unit) error(404, { message: `unit ${code}: unknown`, code: 'not_found' });
  if (!mayMakePlaylists(viewer) || !mayManage(runtime.tree, viewer, code)) {
    error(403, {
      message: `unit ${code}: playlists are made by city and district viewers, for their own units`,
      code: 'forbidden',
    });
  }
  return { viewer, runtime, unit };
}

/** The slides a form sends: for each kind, `on-{kind}` when ticked and `sec-{kind}` its seconds. */
function slidesOf(form: FormData): Slide[] | string {
  const slides: Slide[] = [];
  for (const kind of SLIDE_KINDS) {
    if (form.get(`on-${kind}`) === null) continue;
    const seconds = Number(form.get(`sec-${kind}`));
    if (!Number.isInteger(seconds) || seconds < MIN_SECONDS || seconds > MAX_SECONDS) return 'seconds';
    slides.push({ kind, seconds });
  }
  return slides.length > 0 ? slides : 'empty';
}

function nameOf(form: FormData): string | null {
  const name = String(form.get('name') ?? '').trim();
  return name.length > 0 && name.length <= MAX_NAME ? name : null;
}

export const load: PageServerLoad = async (event) => {
  const { runtime, unit } = scope(event);
  const playlists = await listPlaylists(runtime.db, [unit.code]);
  return {
    unit,
    playlists: playlists.map(({ id, name, slides, updatedAt }) => ({
      id,
      name,
      slides,
      updatedAt: updatedAt.toISOString(),
    })),
  };
};

/** A playlist of this page's unit, or a 404 (another unit's id is not found here either). */
async function own(unitCode: string, form: FormData) {
  const id = Number(form.get('id'));
  const playlist = Number.isInteger(id) ? await getPlaylist(getRuntime().db, id) : null;
  if (!playlist || playlist.unitCode !== unitCode)
    error(404, { message: 'playlist: unknown', code: 'not_found' });
  return playlist;
}

// Form actions are POSTs that SvelteKit refuses from another origin (kit.csrf), and every one
// checks the viewer's scope again here.
export const actions: Actions = {
  create: async (event) => {
    const { viewer, runtime, unit } = scope(event);
    const form = await event.request.formData();
    const name = nameOf(form);
    const slides = slidesOf(form);
    if (!name) return fail(400, { error: 'name' as const });
    if (typeof slides === 'string') return fail(400, { error: slides });
    const created = await createPlaylist(runtime.db, {
      unitCode: unit.code,
      name,
      slides: formatPlaylist(slides),
      createdBy: viewer.id,
    });
    await audit(event, {
      action: 'playlist.create',
      subject: `#${created.id}`,
      unitCode: unit.code,
      detail: { name, slides: created.slides },
    });
    return { saved: true };
  },
  update: async (event) => {
    const { runtime, unit } = scope(event);
    const form = await event.request.formData();
    const playlist = await own(unit.code, form);
    const name = nameOf(form);
    const slides = slidesOf(form);
    if (!name) return fail(400, { error: 'name' as const, id: playlist.id });
    if (typeof slides === 'string') return fail(400, { error: slides, id: playlist.id });
    await updatePlaylist(runtime.db, playlist.id, { name, slides: formatPlaylist(slides) });
    await audit(event, {
      action: 'playlist.update',
      subject: `#${playlist.id}`,
      unitCode: unit.code,
      detail: { name, slides: formatPlaylist(slides) },
    });
    return { saved: true };
  },
  delete: async (event) => {
    const { runtime, unit } = scope(event);
    const form = await event.request.formData();
    const playlist = await own(unit.code, form);
    if (await deletePlaylist(runtime.db, playlist.id)) {
      await audit(event, {
        action: 'playlist.delete',
        subject: `#${playlist.id}`,
        unitCode: unit.code,
        detail: { name: playlist.name },
      });
    }
    return { deleted: true };
  },
};
