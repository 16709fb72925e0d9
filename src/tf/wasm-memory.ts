/**
 * The wasm heap, made and touched before tfjs-backend-wasm starts (issue 11). On a small VM the first write to each
 * new page of memory costs more than the work done there (≈ 3.5 ms per MB on the 2-core test machine; the ImageNet
 * ResNet50's weights, folded and packed filters and activations spent ≈ 0.7 s of a 2.2 s reload on it). So the model
 * worker's entry makes the threaded build's shared memory at the size the model will need, and a helper worker
 * touches its pages on another core while tfjs loads; the backend then starts on that memory:
 * scripts/vite-plugin-wasm-threads.ts hands it to the emscripten factory as `Module.wasmMemory`, which the factory
 * uses instead of making its own (wasm-out/tfjs-backend-wasm-threaded-simd.js, `if(Module["wasmMemory"])`).
 *
 * No tfjs here: the worker entry that calls this must stay small.
 */

/** WebAssembly's page: 64 KiB. */
const WASM_PAGE = 65536;
/** The threaded build's memory maximum (its factory: 4294967296 / 65536 pages); the import must match it. */
const MAX_PAGES = 65536;
/** The operating system's page, the unit of a first touch. */
const OS_PAGE = 4096;

/** The ImageNet ResNet50's parameters (Keras Applications' ResNet50 with its top; checked against the graph). */
export const IMAGENET_RESNET50_PARAMS = 25_636_712;

/**
 * Floats the ImageNet ResNet50's 3×3 filters take beyond their own size once transformed for Winograd's algorithm
 * (src/tf/wasm-convs/engine.ts `tileFor`): F(4×4, 3×3) keeps 36 values per 9 taps for conv2's three 64-channel and
 * conv3's four 128-channel filters, F(2×2, 3×3) 16 per 9 for conv4's six 256- and conv5's three 512-channel ones.
 */
export const IMAGENET_WINOGRAD_EXTRA = 3 * 64 * 64 * 27 + 4 * 128 * 128 * 27 + 6 * 256 * 256 * 7 + 3 * 512 * 512 * 7;

/**
 * What the ImageNet ResNet50 fills in the heap by its first classification: each conv's filter once, in the form its
 * kernel runs it — packed for our 1×1 product, transformed for Winograd's 3×3 (src/tf/wasm-convs), as tfjs keeps
 * the 7×7 stem's and the classifier's —, plus 96 MiB for a full-size pass with Grad-CAM (≈ 36 MiB), the load's
 * weights still being decoded and folded, and emscripten's own. The heap's high-water mark, measured in Node, is
 * 161 MiB after the warm-up and 197 MiB after a first classification with Grad-CAM (205 / 243 MiB when the 1×1 convs
 * ran on XNNPACK, which keeps two copies of a filter: tfjs' transposed one, conv2d_impl.cc
 * `CachedInfo::transposed_filter`, and its packed one; 203 / 236 MiB with XNNPACK's 3×3 convs too);
 * test/unit/wasm-heap.test.ts checks this size against it. A heap prepared too small grows into untouched pages:
 * with 32 MiB of room instead of 64, the first prediction's Grad-CAM took 55–110 ms instead of 25–45.
 */
export const IMAGENET_HEAP_BYTES = 4 * (IMAGENET_RESNET50_PARAMS + IMAGENET_WINOGRAD_EXTRA) + (96 << 20);

interface Prepared {
  readonly memory: WebAssembly.Memory;
  readonly helper?: Pick<Worker, 'postMessage' | 'terminate'>;
}

let prepared: Prepared | undefined;
/** Bytes of the prepared memory the backend took (0: none taken). */
let usedBytes = 0;
/** The prepared memory the backend took. */
let taken: WebAssembly.Memory | undefined;

/**
 * Make a shared wasm memory of at least `bytes` and hand it to the worker `touch()` starts (src/worker/
 * touch-memory.worker.ts). Needs cross-origin isolation (shared memory, as the threaded build does); otherwise, or
 * when the memory cannot be had, does nothing (false) and the backend makes its own memory as usual.
 */
export function prepareWasmMemory(bytes: number, touch: () => Pick<Worker, 'postMessage' | 'terminate'> | undefined): boolean {
  if (prepared || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true) return false;
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / WASM_PAGE), maximum: MAX_PAGES, shared: true });
  } catch {
    return false; // e.g. the address space for a 4 GiB maximum is not there
  }
  let helper: Prepared['helper'];
  try {
    helper = touch();
    helper?.postMessage(memory);
  } catch {
    helper = undefined; // untouched, the memory still saves the heap's growth steps
  }
  prepared = { memory, helper };
  return true;
}

/**
 * The prepared memory, once: the threaded wasm backend's start takes it (via the build plugin). Undefined when none
 * was prepared or it was taken or discarded already.
 */
export function takePreparedWasmMemory(): WebAssembly.Memory | undefined {
  const p = prepared;
  prepared = undefined;
  if (p) {
    usedBytes = p.memory.buffer.byteLength;
    taken = p.memory;
  }
  return p?.memory;
}

/**
 * Bytes of the wasm heap the backend runs on now, when it took the prepared memory: more than
 * `preparedWasmMemoryUsed()` once the heap had to grow past what was prepared (into untouched pages).
 */
export function wasmHeapBytes(): number | undefined {
  return taken?.buffer.byteLength;
}

/**
 * Drop a prepared memory the backend did not take (a GPU backend or the single-threaded wasm build was chosen): its
 * helper stops and the memory is left to the garbage collector.
 */
export function discardPreparedWasmMemory(): void {
  prepared?.helper?.terminate();
  prepared = undefined;
}

/** Bytes of prepared memory the wasm backend runs on (0 when it made its own). */
export function preparedWasmMemoryUsed(): number {
  return usedBytes;
}

/**
 * Make every page of `buffer` resident, from the start (where the allocator puts the weights first) to the end.
 * Each touch is an atomic add of 0 on the page's first word: the page is written, so it is faulted in, but a value
 * another thread has already stored there stays as it is (the model worker allocates while this runs).
 */
export function touchPages(buffer: ArrayBufferLike): void {
  const words = new Int32Array(buffer);
  const stride = OS_PAGE / 4;
  for (let i = 0; i < words.length; i += stride) Atomics.add(words, i, 0);
}
