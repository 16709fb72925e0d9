/**
 * Registers the app's service worker (src/sw/service-worker.ts: the page and its code cached, so the app opens
 * offline after a first visit; the weights are in IndexedDB). Only in a build (the dev server has no sw.js) and
 * once: its installation downloads the app's files again, so it waits until the start is over — Classify's first
 * model ready, or the page loaded and idle elsewhere.
 */
let registered = false;

export function registerServiceWorker(): void {
  // A build (mode production, whatever NODE_ENV says: the e2e tests build with NODE_ENV=test) has sw.js.
  if (registered || import.meta.env.MODE !== 'production' || !('serviceWorker' in navigator)) return;
  registered = true;
  // A refusal (private window, no https) leaves the app as it was: online only.
  navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`).catch(() => undefined);
}

/** Register once the page has loaded and the browser is idle. */
export function registerServiceWorkerWhenIdle(): void {
  const idle = () => (typeof requestIdleCallback === 'function' ? requestIdleCallback(registerServiceWorker, { timeout: 10_000 }) : registerServiceWorker());
  if (document.readyState === 'complete') idle();
  else window.addEventListener('load', idle, { once: true });
}
