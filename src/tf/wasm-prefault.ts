/**
 * Fresh memory, touched in advance. On a small VM the first write to each new page of the wasm heap costs far
 * more than the arithmetic done there (issue 11; measured in Node on this 2-core machine, ImageNet ResNet50:
 * decoding the weights 0.50 s and XNNPACK's warm-up packing 0.83 s into new memory, 0.09 s and 0.25 s into memory
 * touched before; touching 300 MB took 0.94 s). The load spends that while it waits for the download anyway: a
 * block is allocated in the wasm heap, one byte per 4 KiB page written, in slices that let the download's chunks
 * be handled between them, and freed, so the allocator hands the same pages to the weights and the packed filters.
 */
import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm's module used here (emscripten's malloc/free and heap view). */
interface WasmModule {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAPU8: Uint8Array;
}

const PAGE = 4096;
const SLICE = 16 << 20;

/** A macrotask, so that fetch and IndexedDB callbacks run between slices. */
const nextTask = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * Touch up to `bytes` of fresh wasm heap while `until` is pending; resolves (with the bytes touched) once the
 * block is freed again. Does nothing off the wasm backend or when the allocation fails.
 */
export async function prefaultWasmHeap(bytes: number, until: Promise<unknown>): Promise<number> {
  if (tf.getBackend() !== 'wasm') return 0;
  const wasm = (tf.backend() as unknown as { wasm?: Partial<WasmModule> }).wasm;
  if (typeof wasm?._malloc !== 'function' || typeof wasm._free !== 'function') return 0;
  // A heap already that large was touched before: by a previous load, or as a prepared memory (./wasm-memory.ts).
  if ((wasm.HEAPU8?.length ?? 0) >= bytes) return 0;
  let settled = false;
  const done = () => {
    settled = true;
  };
  until.then(done, done);
  await nextTask(); // `until` may already be settled
  if (settled) return 0;
  const ptr = wasm._malloc(bytes);
  if (!ptr) return 0;
  let touched = 0;
  try {
    while (touched < bytes && !settled) {
      // The view is read again each time: another request may have grown the heap meanwhile.
      const heap = wasm.HEAPU8 as Uint8Array;
      const end = Math.min(bytes, touched + SLICE);
      for (let i = ptr + touched; i < ptr + end; i += PAGE) heap[i] = 0;
      touched = end;
      await nextTask();
    }
  } finally {
    wasm._free(ptr);
  }
  return touched;
}
