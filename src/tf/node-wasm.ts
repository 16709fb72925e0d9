/**
 * Node-only: start tfjs on the wasm backend (SIMD, one thread in Node) with the training kernels.
 * Used by unit tests and scripts; the browser worker sets wasm paths from Vite `?url` imports instead.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './wasm-train';

let ready: Promise<void> | undefined;

export function initNodeWasm(): Promise<void> {
  ready ??= (async () => {
    const require = createRequire(import.meta.url);
    // setWasmPaths takes a prefix: the trailing separator matters (DESIGN.md §5).
    setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
    registerWasmTrainingKernels();
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise in Node');
  })();
  return ready;
}
