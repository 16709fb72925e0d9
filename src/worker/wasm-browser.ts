/**
 * tfjs in the browser worker: wasm (with the training kernels) when it starts, else cpu. Under Vite the
 * .wasm files must be passed to setWasmPaths as URLs, or setBackend('wasm') silently returns false (DESIGN §6).
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerWasmTrainingKernels } from '../tf/wasm-train';
import type { Backend } from './lab-protocol';

export async function initTrainingBackend(): Promise<{ backend: Backend; note?: string }> {
  try {
    // The threaded build starts its pthreads with importScripts, which a module worker does not have (the
    // page is cross-origin isolated, so tfjs would pick it): use the single-threaded SIMD build.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
    });
    registerWasmTrainingKernels();
    if (await tf.setBackend('wasm')) return { backend: 'wasm' };
  } catch (e) {
    await tf.setBackend('cpu');
    return { backend: 'cpu', note: `wasm failed to start (${e instanceof Error ? e.message : String(e)}); training on cpu is slow` };
  }
  await tf.setBackend('cpu');
  return { backend: 'cpu', note: 'wasm is unavailable; training on cpu is slow' };
}
