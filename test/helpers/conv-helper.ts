/**
 * A Node worker_threads stand-in for src/worker/conv-thread.worker.ts (test/unit/wasm-convs.test.ts): the same
 * helper loop on a shared memory; 'ready' when it waits for jobs; it exits when the job block says stop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ConvKernels } from '../../src/tf/wasm-convs/engine';
import { helperLoop } from '../../src/tf/wasm-convs/threads';

const { module, memory, job, index } = workerData as { module: WebAssembly.Module; memory: WebAssembly.Memory; job: number; index: number };
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as ConvKernels;
helperLoop(
  new Int32Array(memory.buffer),
  job,
  index,
  (thread, threads) => kernels.run(job, thread, threads),
  () => parentPort!.postMessage('ready'),
);
