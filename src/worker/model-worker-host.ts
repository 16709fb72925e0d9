/// <reference lib="webworker" />
/**
 * The model worker's host with its browser settings, loaded by src/worker/model.worker.ts once the worker runs.
 * The wasm binaries are bundled by Vite (`?url`, src/worker/wasm-paths.ts) and handed to tfjs-backend-wasm by file name.
 */
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import { type EarlyBackend, configureWasm } from './backend-start';
import type { Cache } from './cache-prefetch';
import type { Download } from './download-prefetch';
import { workerJpegDecoder } from './image';
import { imagenetUrl } from './imagenet-url';
import { ModelHost } from './model-host';
import { WASM_PATHS } from './wasm-paths';
import type { Response } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

/**
 * The host, with the weights cache the worker opened (and may already be reading), its downloads (one may be under
 * way) and the backend start its entry made, if any.
 */
export function startModelHost(cache: Cache, download?: Download, early?: EarlyBackend): ModelHost {
  configureWasm();
  // The JPEG decoder's wasm (140 kB) is fetched and compiled now, off this thread, not when the first photo comes.
  void workerJpegDecoder();

  return new ModelHost({
    post: (m: Response, transfer?: Transferable[]) => self.postMessage(m, transfer ?? []),
    wasmPaths: WASM_PATHS,
    earlyBackend: early,
    imagenetUrl,
    cache,
    download,
    // Keras .h5: src/tf/weights-source.ts imports h5wasm (≈4.8 MB with its wasm) only when someone loads one.
    // onnxruntime-web (wasm only, its JS glue bundled; 73 kB + 14 MB wasm) is fetched only when chosen as the
    // engine. Its .wasm is served from our origin like tfjs' (CSP: 'self' + 'wasm-unsafe-eval'); its pthread
    // workers are this same chunk (same origin, worker-src 'self').
    ort: { load: () => import('onnxruntime-web/wasm'), wasmUrl: new URL(ortWasm, self.location.href).href },
  });
}
