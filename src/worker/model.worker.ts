/// <reference lib="webworker" />
/**
 * The model worker: tfjs model building, weight loading, inference and Grad-CAM off the UI thread.
 *
 * This entry is small on purpose: it opens the weights cache and, when the page started the worker for Classify
 * (its name says so, src/worker/client.ts), starts reading the default ImageNet weights from IndexedDB at once,
 * while the host and tfjs (≈ 1.3 MB) load (src/worker/model-worker-host.ts), and prepares the wasm heap that model
 * will fill (src/tf/wasm-memory.ts). Any model worker asks meanwhile for a WebGPU adapter and for the WebGL
 * renderer, the backend choice's questions (src/tf/gpu-probe.ts). A helper worker (src/worker/startup-helper.ts)
 * reads the cached weights into memory, off this thread. Requests that arrive meanwhile wait.
 */
import { WeightsCache } from '../tf/cache';
import { probeWebglEarly, probeWebglRenderer, probeWebgpuEarly, webgpuProblem } from '../tf/gpu-probe';
import { DEFAULT_IMAGENET_PRECISION, imagenetCacheKey } from '../tf/imagenet-precision';
import { discardPreparedWasmMemory, IMAGENET_HEAP_BYTES, prepareWasmMemory } from '../tf/wasm-memory';
import { type Cache, prefetchingCache } from './cache-prefetch';
import { prefetchingDownload } from './download-prefetch';
import { startupHelper } from './startup-helper';
import { imagenetUrl } from './imagenet-url';
import { CLASSIFY_WORKER_NAME } from './client-names';
import type { Request, Response } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

// The backend choice's questions, asked while tfjs loads (src/tf/gpu-probe.ts). The WebGL context is made on this
// thread while it waits for its code: on a helper's thread it cost a third thread at the start (startup-helper.ts).
const webgpu = probeWebgpuEarly();
probeWebglEarly(async () => probeWebglRenderer());
if (self.name === CLASSIFY_WORKER_NAME) {
  // The heap the ImageNet model will fill, touched on another core while tfjs loads (src/tf/wasm-memory.ts) —
  // unless a hardware WebGPU adapter answers: the automatic choice then does not run on wasm.
  prepareWasmMemory(IMAGENET_HEAP_BYTES, () => new Worker(new URL('./touch-memory.worker.ts', import.meta.url), { type: 'module', name: 'touch-memory' }));
  void webgpu.then((facts) => {
    if (!webgpuProblem(facts, false).reason) discardPreparedWasmMemory();
  });
}
// Reading the cached weights would block this thread while the host loads: a helper reads them (startup-helper.ts).
const reader =
  self.name === CLASSIFY_WORKER_NAME
    ? startupHelper(() => new Worker(new URL('./startup-helper.worker.ts', import.meta.url), { type: 'module', name: 'startup-helper' }))
    : undefined;
const stored = new WeightsCache(undefined, undefined, (blob) => (reader ? reader.readBlob(blob) : blob.arrayBuffer()));
// The early read: the helper reads the row itself (else this thread does, through the helper's Blob read).
const early: Cache = reader
  ? { available: stored.available, get: (k) => reader.cached(k).catch(() => stored.get(k)), put: (k, a) => stored.put(k, a) }
  : stored;
const prefetching = self.name === CLASSIFY_WORKER_NAME ? prefetchingCache(early, imagenetCacheKey(DEFAULT_IMAGENET_PRECISION)) : undefined;
// The reader's job is the start's: it ends once the early read is done (later reads run on this thread).
void (prefetching?.prefetched ?? Promise.resolve()).then(() => reader?.release());
// Not in IndexedDB: Classify's first load downloads the weights, so the download starts now (src/worker/download-prefetch.ts).
const download = prefetching && prefetchingDownload(imagenetUrl(DEFAULT_IMAGENET_PRECISION), prefetching.prefetched.then((found) => !found));
const waiting: Request[] = [];
self.onmessage = (e: MessageEvent<Request>) => {
  waiting.push(e.data);
};

// The backend's code first: when the page's `init` is already here, the backend starts before the rest of the host's
// code is parsed and run (src/worker/backend-start.ts).
import('./backend-start')
  .then(async ({ startBackend }) => {
    const init = waiting.find((r): r is Extract<Request, { type: 'init' }> => r.type === 'init');
    // A GPU backend asked for by name: the heap prepared for wasm is let go now, not once the choice settles.
    if (init?.backend === 'webgl' || init?.backend === 'webgpu') discardPreparedWasmMemory();
    const early = init && startBackend(init.backend);
    return { early, ...(await import('./model-worker-host')) };
  })
  .then(
    ({ startModelHost, early }) => {
      const host = startModelHost(prefetching ?? stored, download, early);
      self.onmessage = (e: MessageEvent<Request>) => {
        void host.handle(e.data);
      };
      for (const req of waiting.splice(0)) void host.handle(req);
    },
    (e: unknown) => {
      // Without the host every request fails, each with the reason.
      const error = { name: 'WorkerError', message: `the model worker could not load its code: ${e instanceof Error ? e.message : String(e)}` };
      const refuse = (req: Request) => self.postMessage({ type: 'error', id: req.id, error } satisfies Response);
      self.onmessage = (ev: MessageEvent<Request>) => refuse(ev.data);
      for (const req of waiting.splice(0)) refuse(req);
    },
  );
