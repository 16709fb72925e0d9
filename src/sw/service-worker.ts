/// <reference lib="webworker" />
/**
 * The app's service worker (issue 11: "offline after the first visit still works"). The weights live in IndexedDB;
 * this keeps the rest — the page and its code — so that a visit without a network still opens the app.
 * - Installing: caches the page and every built file but the few optional large ones (onnxruntime's 14 MB wasm,
 *   h5wasm), named by the build (scripts/vite-plugin-service-worker.ts fills in ASSETS and VERSION).
 * - The page (navigations): the network first, so an update is seen at once; the cached page when it fails.
 * - Built files (`assets/`, content-hashed names, so never stale): the cache first; a miss is fetched and kept,
 *   which is how the optional large files get there once used.
 * - Anything else (weights, model URLs a user types, other origins): not touched.
 * Activating a new version drops the old version's cache.
 */
declare const self: ServiceWorkerGlobalScope;

/** Filled in by the build: the built files to cache when installing, paths relative to the app's base. */
declare const ASSETS: readonly string[];
/** Filled in by the build: differs whenever ASSETS does. */
declare const VERSION: string;

const CACHE = `resnet-explorer-${VERSION}`;
const base = new URL('./', self.location.href);
const PAGE = new URL('./', base).href;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll([PAGE, ...ASSETS.map((a) => new URL(a, base).href)]);
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
    const cached = await caches.match(PAGE, { ignoreVary: true });
    if (cached) return cached;
    throw e;
  }
}

async function builtFile(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  // ignoreVary: the server says `Vary: Origin`, and a module script's request has an Origin header where the
  // install's did not; the files are content-hashed, the same whoever asks.
  const hit = await cache.match(request, { ignoreVary: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== base.origin) return;
  if (request.mode === 'navigate' && url.pathname === new URL(PAGE).pathname) event.respondWith(page(request));
  else if (url.pathname.startsWith(new URL('assets/', base).pathname)) event.respondWith(builtFile(request));
});

export {};
