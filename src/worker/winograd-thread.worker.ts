/// <reference lib="webworker" />
/**
 * A helper thread of the model worker's Winograd engine (src/tf/winograd): it runs its share of each job on the
 * wasm backend's shared heap, woken through the job block (src/tf/winograd/threads.ts), and never returns to its
 * event loop; the model worker ends it with terminate().
 */
import type { WinogradKernels } from '../tf/winograd/engine';
import { helperLoop } from '../tf/winograd/threads';

declare const self: DedicatedWorkerGlobalScope;

export interface WinogradThreadStart {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  /** Byte address of the engine's job block. */
  readonly job: number;
  /** This thread's share: 1 … threads − 1 (the model worker's own thread is 0). */
  readonly index: number;
}

export type WinogradThreadMessage = { readonly ready: true } | { readonly error: string };

self.onmessage = async (e: MessageEvent<WinogradThreadStart>) => {
  const { module, memory, job, index } = e.data;
  let kernels: WinogradKernels;
  try {
    kernels = (await WebAssembly.instantiate(module, { env: { memory } })).exports as unknown as WinogradKernels;
  } catch (err) {
    self.postMessage({ error: err instanceof Error ? err.message : String(err) } satisfies WinogradThreadMessage);
    return;
  }
  helperLoop(
    new Int32Array(memory.buffer),
    job,
    index,
    (thread, threads) => kernels.run(job, thread, threads),
    () => self.postMessage({ ready: true } satisfies WinogradThreadMessage),
  );
};
