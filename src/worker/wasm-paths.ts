/**
 * tfjs-backend-wasm's binaries as the built app serves them: bundled by Vite (`?url`) and handed to setWasmPaths by
 * file name (tfjs-backend-wasm README, "Using bundlers"; otherwise they are fetched from a path the bundle does not
 * serve and tf.setBackend('wasm') resolves to false).
 */
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export const WASM_PATHS: Readonly<Record<string, string>> = {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
};
