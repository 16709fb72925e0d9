/// <reference lib="webworker" />
/**
 * The model worker: tfjs model building, weight loading, inference and Grad-CAM off the UI thread.
 * The wasm binaries are bundled by Vite (`?url`) and handed to tfjs-backend-wasm by file name.
 */
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { setWasmThreads } from '../tf/backend';
import { WeightsCache } from '../tf/cache';
import { IMAGENET_RESNET50_PUBLIC_PATH } from '../tf/imagenet';
import { ModelHost } from './model-host';
import type { Request, Response } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

// One wasm thread per logical core (tfjs alone would take half of them: one on a 2-core machine).
setWasmThreads(Math.max(1, self.navigator.hardwareConcurrency || 1));

const host = new ModelHost({
  post: (m: Response, transfer?: Transferable[]) => self.postMessage(m, transfer ?? []),
  wasmPaths: {
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
  },
  imagenetUrl: new URL(import.meta.env.BASE_URL + IMAGENET_RESNET50_PUBLIC_PATH, self.location.href).href,
  cache: new WeightsCache(),
  // h5wasm (≈4.8 MB with its embedded wasm) is fetched only when someone loads an .h5 file.
  loadH5: async (model, bytes, mode, source) => {
    const [{ readKerasH5 }, { assignKerasWeights }] = await Promise.all([import('../tf/h5/keras-h5'), import('../tf/h5/model-weights')]);
    assignKerasWeights(model, await readKerasH5(new Uint8Array(bytes), source), mode);
  },
});

self.onmessage = (e: MessageEvent<Request>) => {
  void host.handle(e.data);
};
