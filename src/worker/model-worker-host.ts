/// <reference lib="webworker" />
/**
 * The model worker's host with its browser settings, loaded by src/worker/model.worker.ts once the worker runs.
 * The wasm binaries are bundled by Vite (`?url`) and handed to tfjs-backend-wasm by file name.
 */
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import { setWasmThreads } from '../tf/backend';
import type { Cache } from './cache-prefetch';
import type { Download } from './download-prefetch';
import { imagenetUrl } from './imagenet-url';
import { ModelHost } from './model-host';
import type { Response } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

/** The host, with the weights cache the worker opened (and may already be reading) and its downloads (one may be under way). */
export function startModelHost(cache: Cache, download?: Download): ModelHost {
  // One wasm thread per logical core (tfjs alone would take half of them: one on a 2-core machine).
  setWasmThreads(Math.max(1, self.navigator.hardwareConcurrency || 1));

  return new ModelHost({
    post: (m: Response, transfer?: Transferable[]) => self.postMessage(m, transfer ?? []),
    wasmPaths: {
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
    },
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
