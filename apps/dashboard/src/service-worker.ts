/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />

/**
 * The service worker: what lets a wall screen that reboots without network start at all.
 *
 * - The app shell (the built JavaScript and CSS, and `static/`) is cached when the worker
 *   installs and served from the cache: those files never change under their name.
 * - Wall display pages (`/display/…`) are fetched from the network first, and the last good
 *   answer for each display is kept; without network that answer is served instead, and the
 *   page then shows the newer numbers it kept in IndexedDB (see `lib/live/saved.ts`). A
 *   `?token=` link, as a screen may keep it for its home page, finds the page of its display.
 * - The rating kiosk (`/kiosk`) is kept the same way; its ratings wait in IndexedDB.
 * - Nothing else is touched: the API, the live stream and the other pages always go to the
 *   network, so no one reads stale numbers without the display's banner saying so.
 *
 * A display whose answer is no longer a page (a revoked link: the sign-in redirect) loses its
 * kept copy; the page also deletes these caches itself when the server turns the link away.
 */
import { build, files, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;

const SHELL = `shell-${version}`;
/** The kept display pages; they name the shell files of the version that rendered them. */
const PAGES = `display-pages-${version}`;
const SHELL_FILES = new Set([...build, ...files]);

/** Display pages, and the rating kiosk: a tablet rebooted without network still rates. */
const isKeptPage = (url: URL) => url.pathname.startsWith('/display/') || url.pathname === '/kiosk';

/** The key a display page is kept under: its address without the one-time token. */
function pageKey(url: URL): string {
  const clean = new URL(url);
  clean.searchParams.delete('token');
  clean.searchParams.delete('pair');
  clean.hash = '';
  return clean.href;
}

/**
 * Keeps a display page's answer. A redirect of a plain display address (not a `?token=` link,
 * whose redirect is the sign-in itself) goes to the sign-in page: the display is no longer
 * readable with this browser's session, so nothing of it is kept.
 */
async function keepPage(url: URL, response: Response): Promise<void> {
  const cache = await caches.open(PAGES);
  const key = pageKey(url);
  if (response.ok && response.type === 'basic') await cache.put(key, response);
  else if (
    (response.type === 'opaqueredirect' && !url.searchParams.has('token')) ||
    response.status === 401 ||
    response.status === 403
  ) {
    await cache.delete(key);
  }
}

/** A kept copy of a display page: this address, else any kept page of the same display. */
async function keptPage(url: URL): Promise<Response | undefined> {
  const key = pageKey(url);
  return (
    (await caches.match(key)) ??
    (await caches.match(new URL(url.pathname, url.origin).href, { ignoreSearch: true }))
  );
}

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      await cache.addAll([...SHELL_FILES]);
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      await sw.clients.claim();
      // Keep the displays open right now (the first visit was loaded before this worker ran),
      // and those the previous version kept, refetched so they name this version's files.
      const urls = new Set<string>();
      for (const client of await sw.clients.matchAll({ type: 'window' })) {
        const url = new URL(client.url);
        if (isKeptPage(url)) urls.add(pageKey(url));
      }
      const old = (await caches.keys()).filter((k) => k !== SHELL && k !== PAGES);
      for (const name of old.filter((k) => k.startsWith('display-pages-'))) {
        for (const req of await (await caches.open(name)).keys()) urls.add(req.url);
      }
      let refetched = true;
      for (const url of urls) {
        try {
          await keepPage(new URL(url), await fetch(url, { redirect: 'manual', credentials: 'same-origin' }));
        } catch {
          refetched = false;
        }
      }
      // Offline at activation: the old copies and the files they name stay until next time.
      if (refetched) await Promise.all(old.map((k) => caches.delete(k)));
    })(),
  );
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;

  if (SHELL_FILES.has(url.pathname) || url.pathname.startsWith('/_app/immutable/')) {
    event.respondWith(
      (async () => {
        const cached = await caches.match(request, { ignoreSearch: true });
        return cached ?? fetch(request);
      })(),
    );
    return;
  }

  if (request.mode === 'navigate' && isKeptPage(url)) {
    event.respondWith(
      (async () => {
        try {
          const response = await fetch(request);
          event.waitUntil(keepPage(url, response.clone()));
          return response;
        } catch (err) {
          const kept = await keptPage(url);
          if (kept) return kept;
          throw err;
        }
      })(),
    );
  }
});
