/**
 * A Node worker_threads stand-in for src/worker/winograd-thread.worker.ts (test/unit/winograd.test.ts): the same
 * helper loop on a shared memory; 'ready' when it waits for jobs; it exits when the job block says stop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WinogradKernels } from '../../src/tf/winograd/engine';
import { helperLoop } from '../../src/tf/winograd/threads';

const { module, memory, job, index } = workerData as { module: WebAssembly.Module; memory: WebAssembly.Memory; job: number; index: number };
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as WinogradKernels;
helperLoop(
  new Int32Array(memory.buffer),
  job,
  index,
  (thread, threads) => kernels.run(job, thread, threads),
  () => parentPort!.postMessage('ready'),
);
