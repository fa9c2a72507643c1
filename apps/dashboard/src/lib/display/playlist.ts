/**
 * A wall display's playlist: the slides one link rotates through, each with its duration, as
 * written in the URL — `?playlist=overview:20,league:15,children:10`.
 *
 * | slide      | shows                                                                 |
 * | ---------- | --------------------------------------------------------------------- |
 * | `overview` | the unit's page: big numbers, the day's curve, the top of its league   |
 * | `tiles`    | the big numbers alone, with the 766 index, hours, open and waiting     |
 * | `league`   | the whole league of its children, a page at a time                     |
 * | `curve`    | the day's (or the days') curve across the screen                       |
 * | `children` | each child in turn, its big numbers                                    |
 * | `scorecard`| the unit's 766 points this month, its five groups, points lost and at stake (skipped without data) |
 * | `alerts`   | the children below a threshold now (skipped when there are none)      |
 *
 * `?rotate=20` (the older form) is `tiles:20,league:20,curve:20,children:20`. `?playlist=12`
 * plays the saved playlist 12, made by a city or district viewer at `/playlists/{unit}`.
 */
export const SLIDE_KINDS = [
  'overview',
  'tiles',
  'league',
  'curve',
  'children',
  'scorecard',
  'alerts',
] as const;
export type SlideKind = (typeof SLIDE_KINDS)[number];

export interface Slide {
  kind: SlideKind;
  /** How long each screen of the slide stays up (a league page, a child). */
  seconds: number;
}

export const MIN_SECONDS = 5;
export const MAX_SECONDS = 3600;
export const DEFAULT_SECONDS = 15;
/** More would be a typo, not a playlist. */
export const MAX_SLIDES = 20;

const seconds = (raw: string | undefined): number => {
  const n = raw === undefined || raw === '' ? DEFAULT_SECONDS : Number(raw);
  if (!Number.isFinite(n)) return DEFAULT_SECONDS;
  return Math.min(MAX_SECONDS, Math.max(MIN_SECONDS, Math.round(n)));
};

/** The slides of a `playlist` parameter; unknown slides are left out, durations kept in range. */
export function parsePlaylist(text: string | null | undefined): Slide[] {
  if (!text) return [];
  const out: Slide[] = [];
  for (const part of text.split(',')) {
    const [kind, secs, ...rest] = part.trim().toLowerCase().split(':');
    if (rest.length > 0 || !(SLIDE_KINDS as readonly string[]).includes(kind)) continue;
    out.push({ kind: kind as SlideKind, seconds: seconds(secs) });
    if (out.length === MAX_SLIDES) break;
  }
  return out;
}

/** The slides a display's URL asks for: `playlist`, else the older `rotate`, else none (no rotation). */
export function playlistFromUrl(params: URLSearchParams): Slide[] {
  const slides = parsePlaylist(params.get('playlist'));
  if (slides.length > 0) return slides;
  const rotate = Number(params.get('rotate') ?? 0);
  if (!Number.isFinite(rotate) || rotate <= 0) return [];
  const s = seconds(String(rotate));
  return (['tiles', 'league', 'curve', 'children'] as const).map((kind) => ({ kind, seconds: s }));
}

/** A saved playlist as the display reads it (`GET /display/playlist/{id}`). */
export interface SavedPlaylist {
  id: number;
  unitCode: string;
  name: string;
  slides: string;
  updatedAt: string;
}

/** The id of a saved playlist when the `playlist` parameter names one (`?playlist=12`), else null. */
export function savedPlaylistId(params: URLSearchParams): number | null {
  const p = params.get('playlist');
  return p && /^\d{1,9}$/.test(p) ? Number(p) : null;
}

/** Reads a saved playlist; null when it is gone, not this viewer's, or the network is down. */
export async function fetchPlaylist(f: typeof fetch, id: number): Promise<SavedPlaylist | null> {
  try {
    const res = await f(`/display/playlist/${id}`, { headers: { accept: 'application/json' } });
    return res.ok ? ((await res.json()) as SavedPlaylist) : null;
  } catch {
    return null;
  }
}

/** The playlist as written in a URL: `overview:20,league:15`. */
export function formatPlaylist(slides: readonly Slide[]): string {
  return slides.map((s) => `${s.kind}:${s.seconds}`).join(',');
}
