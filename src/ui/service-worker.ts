/**
 * Registers the app's service worker (src/sw/service-worker.ts: the page and its code cached, so the app opens
 * offline after a first visit; the weights are in IndexedDB). Only in a build (the dev server has no sw.js) and
 * once. Installing it fetches and compiles the app's files again (≈ 6.5 MB), which on a first visit competed with
 * the model's start and the first prediction (0.95 → 1.7 s when registered at ready, issue 11), so it waits until
 * the start is over: Classify's first result (or a while after its model is ready), or the page loaded and idle in
 * any other view.
 */
let registered = false;
let timer: ReturnType<typeof setTimeout> | undefined;

function register(): void {
  if (timer !== undefined) clearTimeout(timer);
  // A build (mode production, whatever NODE_ENV says: the e2e tests build with NODE_ENV=test) has sw.js.
  if (registered || import.meta.env.MODE !== 'production' || !('serviceWorker' in navigator)) return;
  registered = true;
  // A refusal (private window, no https) leaves the app as it was: online only.
  navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`).catch(() => undefined);
}

function whenIdle(): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(register, { timeout: 5_000 });
  else register();
}

/** Classify showed a result: register once the page is idle (the first time; later results change nothing). */
export function registerServiceWorker(): void {
  if (!registered) whenIdle();
}

/** Classify's model is ready: register in a while, unless a first result does it sooner. */
export function registerServiceWorkerSoon(delayMs = 15_000): void {
  if (!registered && timer === undefined) timer = setTimeout(whenIdle, delayMs);
}

/** Another view: register once the page has loaded and the browser is idle. */
export function registerServiceWorkerWhenIdle(): void {
  if (document.readyState === 'complete') whenIdle();
  else window.addEventListener('load', whenIdle, { once: true });
}
