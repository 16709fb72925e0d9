/**
 * The model worker's convolution kernels (src/tf/wasm-convs): the built app's copies of wasm/build/ (bundled by Vite,
 * `?url`), compiled while the wasm backend starts, and helper threads as workers of our own origin.
 */
import plainUrl from '../../wasm/build/convs.wasm?url';
import sharedUrl from '../../wasm/build/convs-shared.wasm?url';
import type { ConvHelpers } from '../tf/wasm-convs/engine';
import type { ConvEngineSource } from '../tf/wasm-convs';
import type { ConvThreadMessage, ConvThreadStart } from './conv-thread.worker';

/** A helper that has not said it is ready in this long is not waited for (jobs stay on the model worker). */
const START_TIMEOUT_MS = 20_000;

const compiled = new Map<boolean, Promise<WebAssembly.Module>>();

async function compile(url: string): Promise<WebAssembly.Module> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return WebAssembly.compile(await res.arrayBuffer());
}

function startHelper(module: WebAssembly.Module, memory: WebAssembly.Memory, job: number, index: number): Promise<Worker> {
  const worker = new Worker(new URL('./conv-thread.worker.ts', import.meta.url), { type: 'module', name: `conv-thread-${index}` });
  return new Promise<Worker>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      worker.terminate();
      reject(new Error(`conv helper ${index}: ${why}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    worker.onmessage = (e: MessageEvent<ConvThreadMessage>) => {
      if ('error' in e.data) return fail(e.data.error);
      clearTimeout(timer);
      resolve(worker);
    };
    worker.onerror = (e) => fail(e.message || 'the worker failed to start');
    worker.postMessage({ module, memory, job, index } satisfies ConvThreadStart);
  });
}

export const browserConvEngineSource: ConvEngineSource = {
  module(shared) {
    let m = compiled.get(shared);
    if (!m) {
      m = compile(shared ? sharedUrl : plainUrl);
      compiled.set(shared, m);
    }
    return m;
  },
  async spawnHelpers(module, memory, job, count): Promise<ConvHelpers> {
    const started = await Promise.allSettled(Array.from({ length: count }, (_, i) => startHelper(module, memory, job, i + 1)));
    const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      for (const w of workers) w.terminate();
      throw failed.reason;
    }
    return {
      count: workers.length,
      terminate: () => {
        for (const w of workers) w.terminate();
      },
    };
  },
};

/** Compile the kernels this worker will use while tfjs starts (the threaded build's heap is shared). */
export function prefetchConvEngine(): void {
  void browserConvEngineSource.module(self.crossOriginIsolated === true).catch(() => undefined);
}
