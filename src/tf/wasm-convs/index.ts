/**
 * The conv engine of the running wasm backend (src/tf/wasm-convs/engine.ts): started once tfjs-backend-wasm runs,
 * from kernels each environment supplies (Node reads wasm/build/, the model worker fetches the built app's copy
 * and starts helper workers), and looked up by the inference runner for each conv it prepares.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type WasmBackendInternals, ConvEngine, type ConvHelpers, type ConvKernels } from './engine';

export { ConvEngine, ConvEngineError, isPointwise, tileFor } from './engine';

export interface ConvEngineSource {
  /** wasm/convs.ts compiled for an unshared (`shared` false) or a shared heap (scripts/build-wasm.mjs). */
  module(shared: boolean): Promise<WebAssembly.Module>;
  /**
   * `count` helper threads running the kernels on `memory` (shared) for the engine whose job block is at `job`
   * (src/tf/wasm-convs/threads.ts `helperLoop`); resolves once all of them wait for jobs. Absent: one thread.
   */
  spawnHelpers?(module: WebAssembly.Module, memory: WebAssembly.Memory, job: number, count: number): Promise<ConvHelpers>;
}

let source: ConvEngineSource | undefined;
let enabled = true;
let engine: ConvEngine | undefined;

/** Where the kernels come from in this environment (before the wasm backend starts). */
export function setConvEngineSource(s: ConvEngineSource): void {
  source = s;
}

/** Runners prepared from now on use our conv kernels (default) or XNNPACK's only (A/B benches and tests). */
export function setConvEngineEnabled(on: boolean): void {
  enabled = on;
}

/** The engine runners prepared now should use: the current wasm backend's, unless disabled. */
export function activeConvEngine(): ConvEngine | undefined {
  return enabled && engine?.isCurrent() ? engine : undefined;
}

interface EmscriptenModule {
  readonly wasmMemory?: WebAssembly.Memory;
  readonly asm?: { readonly memory?: WebAssembly.Memory };
}

/** The heap of tfjs-backend-wasm 4.22's module: the threaded build names it `wasmMemory`, the others export it. */
function backendMemory(backend: WasmBackendInternals): WebAssembly.Memory | undefined {
  const mod = backend.wasm as unknown as EmscriptenModule;
  return mod.wasmMemory ?? mod.asm?.memory;
}

/**
 * Start the engine on the current wasm backend, with `threads` threads in all when the heap is shared and the
 * source can start helpers (they join when ready; jobs run on this thread until then, and stay there if they fail,
 * with a console warning). Resolves to what the status bar shows, or why there is no engine (no SIMD in this
 * browser, no source, another backend).
 */
export async function startConvEngine(threads: number): Promise<{ readonly engine?: ConvEngine; readonly note: string }> {
  if (tf.getBackend() !== 'wasm') return { note: 'own convs: wasm only' };
  if (engine?.isCurrent()) return { engine, note: NOTE };
  if (!source) return { note: 'own convs: no kernels in this environment' };
  const backend = tf.backend() as unknown as WasmBackendInternals;
  const memory = backendMemory(backend);
  if (!memory) return { note: 'own convs: the wasm backend does not show its heap' };
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  let module: WebAssembly.Module;
  let kernels: ConvKernels;
  try {
    module = await source.module(shared);
    kernels = (await WebAssembly.instantiate(module, { env: { memory } })).exports as unknown as ConvKernels;
  } catch (e) {
    // A browser without wasm SIMD cannot compile the kernels (tfjs then runs its non-SIMD build too).
    return { note: `own convs off: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (tf.backend() !== (backend as unknown)) return { note: 'own convs: the backend changed while they started' };
  engine?.dispose();
  const started = new ConvEngine(backend, memory, kernels);
  engine = started;
  if (shared && threads > 1 && source.spawnHelpers) {
    source.spawnHelpers(module, memory, started.jobAddress, threads - 1).then(
      (helpers) => started.attachHelpers(helpers),
      (e: unknown) => console.warn(`own convs stay on one thread: ${e instanceof Error ? e.message : String(e)}`),
    );
  }
  return { engine: started, note: NOTE };
}

/** The status bar's words for a running engine (its threads are the wasm backend's, said before it). */
const NOTE = 'own 1×1 and Winograd 3×3 convs';
