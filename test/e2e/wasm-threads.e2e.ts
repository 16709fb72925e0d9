/**
 * tfjs-backend-wasm's multi-threaded SIMD build in the model worker of the built app, under its CSP (no blob:
 * scripts) and cross-origin isolation: the pthread scripts come from our origin, the pool has one thread per
 * core (tfjs alone would take half), the backend runs on the heap the worker prepared and touched ahead
 * (src/tf/wasm-memory.ts) and it holds the load and a first classification without growing, 3×3 convs run by
 * Winograd's algorithm with a helper thread of our own origin (src/tf/wasm-convs), the status bar says so, and the
 * classification is still right.
 */
import { expect, test } from 'vitest';
import { IMAGENET_HEAP_BYTES } from '../../src/tf/wasm-memory';
import { baseUrl } from './browser';
import { classifyFiles, classifySession, elephantFile, topOf, waitForModel } from './helpers-classify';

/** Keeps the page's model workers, so a test can ask one for its memory (the `memory` request). */
const WATCH_WORKERS = `(() => {
  const W = globalThis.Worker;
  const seen = (globalThis.__modelWorkers = []);
  globalThis.Worker = class extends W {
    constructor(...a) {
      super(...a);
      if (String(a[0]).includes('model.worker')) seen.push(this);
    }
  };
})();`;

const s = classifySession({ initScript: WATCH_WORKERS });

test('the model worker runs wasm with one thread per core (at most 8) on the prepared heap, shown in the status bar', async () => {
  const { isolated, cores } = await s.page.evaluate(() => ({ isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency }));
  expect(isolated).toBe(true);
  await waitForModel(s.page);
  const status = s.page.getByTestId('backend-status');
  await expect.poll(() => status.textContent()).toMatch(/^Backend: wasm/);
  const threads = Math.min(cores, 8);
  const heapMiB = Math.round((Math.ceil(IMAGENET_HEAP_BYTES / 65536) * 65536) / 2 ** 20);
  expect(await status.textContent()).toBe(
    `Backend: wasm (SIMD, ${threads} thread${threads === 1 ? '' : 's'}, heap of ${heapMiB} MiB prepared, own 1×1 and Winograd 3×3 convs)`,
  );
  if (cores >= 2) expect(threads).toBeGreaterThanOrEqual(2); // this machine: 2 cores → 2 threads, not tfjs' 1
});

test('the pthread scripts are served from our origin, and nothing broke the CSP', async () => {
  // The policy was not widened for them: scripts from our origin only.
  const csp = (await s.page.request.get(`${baseUrl()}/`)).headers()['content-security-policy'] ?? '';
  expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval';/);
  const own = (pattern: RegExp) => s.requests.filter((u) => u.startsWith(baseUrl()) && pattern.test(u));
  expect(own(/\/tfjs-backend-wasm-threaded-simd[^/]*\.worker[^/]*\.js$/)).not.toHaveLength(0);
  expect(own(/\/tfjs-backend-wasm-threaded-simd-[^/.]+\.js$/)).not.toHaveLength(0);
  expect(own(/\/touch-memory\.worker-[^/.]+\.js$/)).not.toHaveLength(0); // the helper that touched the heap
  // The Winograd kernels for a shared heap, and their helper thread (src/tf/wasm-convs), from our origin too.
  expect(own(/\/convs-shared-[^/.]+\.wasm$/)).not.toHaveLength(0);
  expect(own(/\/conv-thread\.worker-[^/.]+\.js$/)).not.toHaveLength(0);
  expect(s.errors.filter((e) => /Content Security Policy|importScripts|is not defined/.test(e))).toEqual([]);
});

test('classification on the threaded backend: elephant.jpg → African_elephant', async () => {
  const card = await classifyFiles(s.page, [elephantFile()]);
  const top = await topOf(card);
  expect(top[0].index).toBe(386);
  expect(top[0].probability).toBeGreaterThan(0.7);
  await expect.poll(() => card.getByTestId('latency').textContent()).toMatch(/\d+ ms on wasm/);
  expect(s.errors).toEqual([]);
});

test('the load and a first classification with Grad-CAM fit the prepared heap: it never had to grow', async () => {
  // After the classification above. The worker answers `memory` with its wasm heap now and as prepared.
  const mem = await s.page.evaluate(
    () =>
      new Promise<{ numTensors: number; wasmHeap?: { bytes: number; prepared: number } }>((resolve) => {
        const w = (globalThis as unknown as { __modelWorkers: Worker[] }).__modelWorkers[0];
        const id = 1e9; // not one of the app's request ids: its client ignores the answer
        const on = (e: MessageEvent) => {
          if (e.data?.id !== id) return;
          w.removeEventListener('message', on);
          resolve(e.data);
        };
        w.addEventListener('message', on);
        w.postMessage({ type: 'memory', id });
      }),
  );
  const prepared = Math.ceil(IMAGENET_HEAP_BYTES / 65536) * 65536;
  expect(mem.wasmHeap).toEqual({ bytes: prepared, prepared });
  expect(mem.numTensors).toBeGreaterThan(0);
});
