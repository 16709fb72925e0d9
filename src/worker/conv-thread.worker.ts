/// <reference lib="webworker" />
/**
 * A helper thread of the model worker's conv engine (src/tf/wasm-convs): it runs its share of each job on the
 * wasm backend's shared heap, woken through the job block (src/tf/wasm-convs/threads.ts), and never returns to its
 * event loop; the model worker ends it with terminate().
 */
import type { ConvKernels } from '../tf/wasm-convs/engine';
import { helperLoop } from '../tf/wasm-convs/threads';

declare const self: DedicatedWorkerGlobalScope;

export interface ConvThreadStart {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  /** Byte address of the engine's job block. */
  readonly job: number;
  /** This thread's share: 1 … threads − 1 (the model worker's own thread is 0). */
  readonly index: number;
}

export type ConvThreadMessage = { readonly ready: true } | { readonly error: string };

self.onmessage = async (e: MessageEvent<ConvThreadStart>) => {
  const { module, memory, job, index } = e.data;
  let kernels: ConvKernels;
  try {
    kernels = (await WebAssembly.instantiate(module, { env: { memory } })).exports as unknown as ConvKernels;
  } catch (err) {
    self.postMessage({ error: err instanceof Error ? err.message : String(err) } satisfies ConvThreadMessage);
    return;
  }
  helperLoop(
    new Int32Array(memory.buffer),
    job,
    index,
    (thread, threads) => kernels.run(job, thread, threads),
    () => self.postMessage({ ready: true } satisfies ConvThreadMessage),
  );
};
