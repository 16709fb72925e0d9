/// <reference lib="webworker" />
/**
 * The model worker's backend start, apart from the rest of its code (issue 11): tfjs-core, the wasm backend and the
 * choice between backends, without tfjs-layers and the host. The worker's entry loads this first and, when the
 * page's `init` request is already waiting, starts the backend before the host's ≈ 0.5 MB more of code is parsed and
 * run, so the wasm module's compilation and its pthreads' start-up happen meanwhile. The host takes that start for
 * its first `init` (src/worker/model-host.ts).
 */
import '@tensorflow/tfjs-backend-cpu'; // the choice's last resort, registered before it can be needed
import { type BackendChoice, type BackendName, chooseBackend, setWasmThreads } from '../tf/backend';
import { setConvEngineSource } from '../tf/wasm-convs';
import { WASM_PATHS } from './wasm-paths';
import { browserConvEngineSource, prefetchConvEngine } from './conv-engine-source';

declare const self: DedicatedWorkerGlobalScope;

/**
 * The model worker's wasm settings: one wasm thread per logical core (tfjs alone would take half of them: one on a
 * 2-core machine), and 1×1 and 3×3 convs by our own kernels on as many threads, compiled from now on.
 */
export function configureWasm(): void {
  setWasmThreads(Math.max(1, self.navigator.hardwareConcurrency || 1));
  setConvEngineSource(browserConvEngineSource);
  prefetchConvEngine();
}

export interface EarlyBackend {
  readonly prefer?: BackendName;
  readonly choice: Promise<BackendChoice>;
}

export function startBackend(prefer?: BackendName): EarlyBackend {
  configureWasm();
  const choice = chooseBackend({ prefer, wasmPaths: WASM_PATHS });
  choice.catch(() => undefined); // the host's `init` reports a failure
  return { prefer, choice };
}
