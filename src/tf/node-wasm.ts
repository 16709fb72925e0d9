/**
 * Node-only: tfjs on the wasm backend (SIMD, one thread in Node) with the training kernels registered.
 * Used by unit tests and scripts; the browser worker sets wasm paths from Vite `?url` imports instead.
 */
import { initNodeBackend } from './node-backend';
import { registerWasmTrainingKernels } from './wasm-train';

export async function initNodeWasm(): Promise<void> {
  registerWasmTrainingKernels();
  await initNodeBackend('wasm');
}
