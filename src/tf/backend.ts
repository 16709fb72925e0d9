/**
 * Choose the fastest working tfjs backend: webgpu → webgl → wasm → cpu, recording why each one before the
 * chosen one was passed over (shown in the status bar). Software GPUs (SwiftShader: WebGPU fallback adapter,
 * WebGL "SwiftShader" renderer) are skipped by the automatic choice because wasm beats them 10–60× on ResNet50
 * (scripts/bench-classify.ts on a 2-core machine without GPU: wasm ≈ 0.3 s per image, SwiftShader WebGL ≈ 3.3 s,
 * WebGPU fallback adapter ≈ 18 s), but the user can still pick them explicitly.
 *
 * Runs in the model worker (and in Node for tests, where only wasm/cpu exist). The wasm binaries' URLs are
 * passed in by the caller (Vite `?url` imports in the worker; a file path prefix in Node).
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import { BACKENDS, type BackendName } from './backend-names';
import { SOFTWARE_RENDERER, takeWebglProbe, takeWebgpuProbe, webgpuProblem } from './gpu-probe';
import { preparedWasmMemoryUsed } from './wasm-memory';
import { startConvEngine } from './wasm-convs';

export { BACKENDS, type BackendName, isBackendName } from './backend-names';

export interface BackendAttempt {
  readonly name: BackendName;
  readonly ok: boolean;
  /** Why it was not used (absent for the chosen one). */
  readonly reason?: string;
  /** Adapter / renderer description when known. */
  readonly detail?: string;
}

export interface BackendChoice {
  readonly name: BackendName;
  readonly attempts: readonly BackendAttempt[];
  /** wasm only: the threads tfjs-backend-wasm's XNNPACK pool uses (1 = the single-threaded build). */
  readonly wasmThreads?: number;
}

/** Wasm binaries: a directory prefix ending in '/', or a map from file name to URL. */
export type WasmPaths = string | Record<string, string>;

let wasmPathsSet = false;
let wasmThreads: number | undefined;

/**
 * Run wasm on tfjs-backend-wasm's multi-threaded SIMD build with `n` threads (call before the wasm backend
 * starts; it keeps its pool). tfjs' own default is hardwareConcurrency / 2 (`init_with_threads_count` in its
 * backend.cc), i.e. one thread on a 2-core machine. The threaded build needs SharedArrayBuffer (the page
 * cross-origin isolated: COOP + COEP; without it tfjs takes the single-threaded build) and its two pthread
 * scripts, which the app's build serves from our origin (scripts/vite-plugin-wasm-threads.ts). Not called: the
 * single-threaded build, as before.
 */
export function setWasmThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`wasm threads must be a positive integer, got ${n}`);
  wasmThreads = n;
}

/**
 * tfjs-backend-wasm caps its pool at min(requested, 8, hardwareConcurrency / 2) (`init_with_threads_count` in
 * its backend.cc, which reads the cores once at wasm start-up through emscripten_num_logical_cores, i.e.
 * navigator.hardwareConcurrency): one thread on a 2-core machine whatever setThreadsCount asks (tfjs issue
 * #6081). While the backend starts, the worker reports twice its cores, so the cap becomes the cores themselves.
 */
async function liftCoreCap<T>(start: () => Promise<T>): Promise<T> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const cores = nav?.hardwareConcurrency;
  if (wasmThreads === undefined || !nav || !cores) return start();
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { value: cores * 2, configurable: true });
  } catch {
    return start(); // a navigator that cannot be shadowed keeps tfjs' cap
  }
  try {
    return await start();
  } finally {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency; // the prototype's getter again
  }
}

/** What the status bar says about a running wasm backend: SIMD or not, threads, why only one. */
async function wasmDetail(): Promise<{ detail: string; threads: number }> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  let threads = 1;
  try {
    threads = getThreadsCount();
  } catch {
    // Older or foreign wasm backends do not report it.
  }
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  const why = threads === 1 && wasmThreads !== undefined && wasmThreads > 1 && isolated === false ? ': not cross-origin isolated' : '';
  const heap = preparedWasmMemoryUsed();
  const prepared = heap > 0 ? `, heap of ${Math.round(heap / 2 ** 20)} MiB prepared` : '';
  return { detail: `${simd ? 'SIMD, ' : ''}${threads} thread${threads === 1 ? '' : 's'}${why}${prepared}`, threads };
}

/** The WebGL renderer string once the webgl backend is active. */
function webglRenderer(): string | undefined {
  try {
    const backend = tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } };
    const gl = backend.gpgpu?.gl;
    if (!gl) return undefined;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch {
    return undefined;
  }
}

/**
 * Register a GPU backend on first use. In the built app's workers tfjs comes without them (src/tf/tfjs-lean.ts):
 * they are separate chunks, fetched only on a machine where they are tried.
 */
async function registerBackend(name: BackendName): Promise<void> {
  if (tf.findBackendFactory(name)) return;
  if (name === 'webgpu') await import('./gpu-backends/webgpu');
  else if (name === 'webgl') await import('./gpu-backends/webgl');
}

async function trySet(name: BackendName): Promise<string | undefined> {
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return `tf.setBackend('${name}') returned false`;
    await tf.ready();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export interface ChooseOptions {
  /** Try only this backend (and fall back from it in the usual order if it fails). */
  readonly prefer?: BackendName;
  readonly wasmPaths?: WasmPaths;
  /**
   * Extra condition a started backend must meet (e.g. the lab needs every training kernel): a reason string
   * rejects it and the choice moves on to the next backend, with that reason recorded.
   */
  readonly accept?: (name: BackendName) => string | undefined;
}

/**
 * Pick and activate a backend. With `prefer`, that one is tried first and software GPUs are allowed for it
 * (the user asked); the rest follow in the usual order.
 */
export async function chooseBackend(opts: ChooseOptions = {}): Promise<BackendChoice> {
  if (opts.wasmPaths && !wasmPathsSet) {
    setWasmPaths(opts.wasmPaths as string);
    wasmPathsSet = true;
  }
  // Without setWasmThreads, the single-threaded SIMD build (the threaded one would start a pool of pthread
  // workers for one thread: tfjs' default is hardwareConcurrency / 2).
  if (wasmThreads === undefined) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  else setThreadsCount(wasmThreads);
  const order: BackendName[] = opts.prefer ? [opts.prefer, ...BACKENDS.filter((b) => b !== opts.prefer)] : [...BACKENDS];
  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    const explicit = name === opts.prefer;
    let detail: string | undefined;
    if (name === 'webgpu') {
      const p = webgpuProblem(await takeWebgpuProbe(), explicit);
      detail = p.detail;
      if (p.reason) {
        attempts.push({ name, ok: false, reason: p.reason, detail });
        continue;
      }
    }
    if (name === 'webgl' && !explicit) {
      const renderer = await takeWebglProbe();
      if (renderer && SOFTWARE_RENDERER.test(renderer)) {
        attempts.push({ name, ok: false, reason: `software WebGL renderer (${renderer}): slower than wasm`, detail: renderer });
        continue;
      }
    }
    if (name === 'wasm' && !wasmPathsSet && typeof window !== 'undefined') {
      attempts.push({ name, ok: false, reason: 'wasm binaries not configured (setWasmPaths)' });
      continue;
    }
    const notLoaded = await registerBackend(name).then(
      () => undefined,
      (e: unknown) => `could not load the ${name} backend: ${e instanceof Error ? e.message : String(e)}`,
    );
    if (notLoaded || !tf.findBackendFactory(name)) {
      attempts.push({ name, ok: false, reason: notLoaded ?? `the ${name} backend is not available in this environment` });
      continue;
    }
    const err = name === 'wasm' ? await liftCoreCap(() => trySet(name)) : await trySet(name);
    if (err) {
      attempts.push({ name, ok: false, reason: err });
      continue;
    }
    if (name === 'webgl') {
      detail = webglRenderer();
      if (!explicit && detail && SOFTWARE_RENDERER.test(detail)) {
        attempts.push({ name, ok: false, reason: `software WebGL renderer (${detail}): slower than wasm`, detail });
        continue;
      }
    }
    const refused = opts.accept?.(name);
    if (refused) {
      attempts.push({ name, ok: false, reason: refused, detail });
      continue;
    }
    if (name === 'wasm') {
      const w = await wasmDetail();
      // Where the environment supplies the kernels (the model worker, Node), 1×1 and 3×3 convs run by our own kernels (src/tf/wasm-convs).
      const { engine, note } = await startConvEngine(w.threads);
      attempts.push({ name, ok: true, detail: engine ? `${w.detail}, ${note}` : w.detail });
      return { name, attempts, wasmThreads: w.threads };
    }
    attempts.push({ name, ok: true, detail });
    return { name, attempts };
  }
  throw new Error(`no tfjs backend works here: ${attempts.map((a) => `${a.name}: ${a.reason}`).join('; ')}`);
}
