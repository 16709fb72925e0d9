/// <reference lib="webworker" />
/**
 * Touches every page of the wasm memory the model worker prepared, on its own thread, then ends
 * (src/tf/wasm-memory.ts: why, and why the touch never changes a value).
 */
import { touchPages } from '../tf/wasm-memory';

declare const self: DedicatedWorkerGlobalScope;

self.onmessage = (e: MessageEvent<WebAssembly.Memory>) => {
  touchPages(e.data.buffer);
  self.close();
};
