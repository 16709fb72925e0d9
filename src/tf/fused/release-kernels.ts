/**
 * Frees the heap bytes of conv kernels that tfjs-backend-wasm no longer reads (issue 11: the memory a start-up
 * fills is what it mostly waits for on a small machine, and what a phone runs out of).
 *
 * On wasm a conv's first run sets up an XNNPACK operator for its kernel and caches it, keyed by the kernel tensor
 * and the conv's padding, strides and channels (tfjs-backend-wasm 4.22 `conv2d_impl.cc`: the cache entry keeps its
 * own transposed copy of the kernel, and XNNPACK its packed one). Every later run with the same key uses the cached
 * operator and never reads the kernel tensor's bytes again; disposing the tensor deletes the operator. So once a
 * runner's warm-up has set up every conv, its kernels' ≈ 100 MB (ResNet50) are dead weight in the heap. Freed as
 * each conv is set up, their space takes the next convs' packed copies: the heap's high-water mark after the
 * warm-up falls from 285 to 203 MiB (test/unit/wasm-heap.test.ts; the outputs stay the same to the bit:
 * test/unit/release-kernels.test.ts).
 *
 * This reaches into the backend's bookkeeping (`dataIdMap`: `{ id, memoryOffset, shape, dtype, refCount }`; the
 * module's `_malloc` / `_free`; backend_wasm.ts in tfjs-backend-wasm 4.22): the tensor stays a tensor, its memory
 * becomes a 4-byte placeholder that its eventual dispose frees. Only a tensor nothing else shares (refCount 1) is
 * released, only on the wasm backend, and anything unexpected leaves the tensor as it is. A released kernel must
 * never be read: the runner that releases its kernels runs every conv with the key of its warm-up (the warm-up's
 * input is chosen so every conv pads alike, src/tf/fused/warm-up.ts), and a backend switch rebuilds the model from
 * its LayersModel's weights, not from the runner's.
 */
import * as tf from '@tensorflow/tfjs';

interface WasmBackendInternals {
  readonly dataIdMap?: { get(dataId: object): { memoryOffset?: unknown; refCount?: unknown } | undefined };
  readonly wasm?: { _malloc?(bytes: number): number; _free?(ptr: number): void };
}

/** Free `t`'s bytes in the wasm heap, leaving a placeholder; false (and `t` untouched) where that is not safe. */
export function releaseWasmTensorData(t: tf.Tensor): boolean {
  if (tf.getBackend() !== 'wasm' || t.isDisposed) return false;
  const backend = tf.backend() as unknown as WasmBackendInternals;
  const data = backend.dataIdMap?.get(t.dataId);
  const wasm = backend.wasm;
  if (!data || typeof data.memoryOffset !== 'number' || data.refCount !== 1 || !wasm?._malloc || !wasm._free) return false;
  const placeholder = wasm._malloc(4) >>> 0;
  if (!placeholder) return false;
  wasm._free(data.memoryOffset);
  data.memoryOffset = placeholder;
  return true;
}
