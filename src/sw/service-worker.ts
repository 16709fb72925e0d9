/// <reference lib="webworker" />
/**
 * The app's service worker (issue 11: "offline after the first visit still works"). The weights live in IndexedDB;
 * this keeps the rest — the page and its code — so that a visit without a network still opens the app.
 *
 * It stays out of the way of a normal visit (a first version that answered every request itself made reloads
 * 5–41 % slower on a 2-core machine): requests are routed by the browser with the Static Routing API
 * (`InstallEvent.addRoutes`, https://w3c.github.io/ServiceWorker/#dom-installevent-addroutes; Chromium 123+), so
 * this script does not even start for them:
 * - built files (`assets/`, content-hashed names, never stale): from the cache this worker filled when it
 *   installed; a file not there (the optional large ones, a newer build's) comes from the network;
 * - the page (navigations): the network and this worker race; offline the network fails and the cached page
 *   answers;
 * - anything else (weights, model URLs a user types, other origins): the network.
 * Where the Static Routing API is missing, the fetch handler below does the same for the page and the built files.
 *
 * Installing caches the page and the built files the build listed (scripts/vite-plugin-service-worker.ts fills in
 * ASSETS and VERSION), all but the few optional large ones. Activating a new version drops the old version's cache.
 * (Chromium keeps a V8 code cache for scripts cached while a service worker installs,
 * https://v8.dev/blog/code-caching-for-devs#use-service-worker-caches, but a trace showed the model worker's module
 * scripts compiled in full again on the next visit: no start-up time is won that way.)
 */
declare const self: ServiceWorkerGlobalScope;

/** Filled in by the build: the built files to cache when installing, paths relative to the app's base. */
declare const ASSETS: readonly string[];
/** Filled in by the build: differs whenever ASSETS does. */
declare const VERSION: string;

const CACHE = `resnet-explorer-${VERSION}`;
const base = new URL('./', self.location.href);
const PAGE = base.href;
const ASSETS_PATH = new URL('assets/', base).pathname;

/** The Static Routing API's install event (not yet in TypeScript's lib.webworker). */
interface RoutingInstallEvent extends ExtendableEvent {
  addRoutes?(rules: readonly object[]): Promise<void>;
}

/**
 * A copy to keep: the server's `Vary: Origin` dropped. A module script's request carries an Origin header the
 * install's request did not, and a cached response that varies on it would never match; these files are the same
 * whoever asks.
 */
async function keepable(url: string): Promise<Response> {
  const response = await fetch(url, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`could not cache ${url}: HTTP ${response.status}`);
  const headers = new Headers(response.headers);
  headers.delete('vary');
  return new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers });
}

self.addEventListener('install', (event: RoutingInstallEvent) => {
  event.waitUntil(
    (async () => {
      if (event.addRoutes) {
        await event.addRoutes([
          { condition: { urlPattern: new URLPattern({ pathname: `${ASSETS_PATH}*` }) }, source: { cacheName: CACHE } },
          { condition: { requestMode: 'navigate' }, source: 'race-network-and-fetch-handler' },
          { condition: { urlPattern: new URLPattern({}) }, source: 'network' },
        ]);
      }
      const cache = await caches.open(CACHE);
      const urls = [PAGE, ...ASSETS.map((a) => new URL(a, base).href)];
      await Promise.all(urls.map(async (url) => cache.put(url, await keepable(url))));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith('resnet-explorer-') && name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

async function page(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (e) {
    // Offline: the page as cached (its query only picks a view, which the app reads itself).
    const cached = await caches.match(PAGE, { cacheName: CACHE });
    if (cached) return cached;
    throw e;
  }
}

async function builtFile(request: Request): Promise<Response> {
  const hit = await caches.match(request.url, { cacheName: CACHE });
  return hit ?? fetch(request);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== base.origin) return;
  if (request.mode === 'navigate' && url.pathname === new URL(PAGE).pathname) event.respondWith(page(request));
  else if (url.pathname.startsWith(ASSETS_PATH)) event.respondWith(builtFile(request));
});

export {};
