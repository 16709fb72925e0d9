/**
 * Node: our conv kernels from wasm/build/ (compiled by scripts/build-wasm.mjs, which `npm ci` and every npm
 * script that runs code call). Node runs tfjs-backend-wasm's single-threaded build, so the unshared build, one thread.
 */
import { readFile } from 'node:fs/promises';
import type { ConvEngineSource } from './wasm-convs';

export const nodeConvEngineSource: ConvEngineSource = {
  async module(shared) {
    const url = new URL(`../../wasm/build/convs${shared ? '-shared' : ''}.wasm`, import.meta.url);
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(await readFile(url));
    } catch {
      throw new Error(`${url.pathname} is missing: run \`node scripts/build-wasm.mjs\` (npm ci runs it)`);
    }
    return WebAssembly.compile(bytes);
  },
};
