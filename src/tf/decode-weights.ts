/**
 * Weights bytes → tensors, faster than tfjs-core's io.decodeWeights for the float16 ImageNet copy (issue 11:
 * decoding 25.6M half floats was a large part of the reload → ready time). tfjs 4.22 (tfjs-core
 * src/io/io_utils.ts, decodeWeight) copies every weight's bytes out of the buffer, rebuilds its three float16
 * lookup tables for every weight and does three table reads per value. Here:
 *   - one 65,536-entry table built once from the same tables (fox-toolkit, "Fast Half Float Conversions",
 *     J. van der Zijp 2008, as tfjs uses), one read per value: the same bits as tfjs for every half float.
 *     Chromium 156's native Float16Array → Float32Array conversion was no faster (25.7M values: 0.88 s vs the
 *     table's 0.85 s, busy machine, medians of 5) and may change a NaN's payload, so it is not used;
 *   - a float16 weight aligned in the buffer is read through a view, not a copy; on the wasm backend it is
 *     written straight into its tensor's memory in the wasm heap.
 * Any other kind of weight (uint8/uint16 quantization, int32, bool, string) goes through tfjs' own decoder.
 */
import * as tf from '@tensorflow/tfjs';
import { WeightsFormatError } from './errors';

type Spec = tf.io.WeightsManifestEntry;

/** tfjs' three tables (io_utils.ts computeFloat16MantisaTable / ExponentTable / OffsetTable). */
function float16Tables() {
  const mantissa = new Uint32Array(2048);
  for (let i = 1; i < 1024; i++) {
    let m = i << 13;
    let e = 0;
    while ((m & 0x00800000) === 0) {
      e -= 0x00800000;
      m <<= 1;
    }
    m &= ~0x00800000;
    e += 0x38800000;
    mantissa[i] = m | e;
  }
  for (let i = 1024; i < 2048; i++) mantissa[i] = 0x38000000 + ((i - 1024) << 13);
  const exponent = new Uint32Array(64);
  exponent[31] = 0x47800000;
  exponent[32] = 0x80000000;
  exponent[63] = 0xc7800000;
  for (let i = 1; i < 31; i++) exponent[i] = i << 23;
  for (let i = 33; i < 63; i++) exponent[i] = 0x80000000 + ((i - 32) << 23);
  const offset = new Uint32Array(64).fill(1024);
  offset[0] = offset[32] = 0;
  return { mantissa, exponent, offset };
}

let lut: Uint32Array | undefined;

/** float32 bits of every float16 bit pattern (256 KB, built on first use). */
function float16Lut(): Uint32Array {
  if (lut) return lut;
  const { mantissa, exponent, offset } = float16Tables();
  lut = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) lut[h] = mantissa[offset[h >> 10] + (h & 0x3ff)] + exponent[h >> 10];
  return lut;
}

/** float16 → float32 with the lookup table: bit for bit what tfjs' decoder gives, NaN payloads included. */
export function float16ToFloat32(half: Uint16Array, out: Float32Array = new Float32Array(half.length)): Float32Array {
  if (out.length !== half.length) throw new RangeError(`float16 decode: ${half.length} values into an array of ${out.length}`);
  const table = float16Lut();
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < half.length; i++) bits[i] = table[half[i]];
  return out;
}

/** The parts of tfjs-backend-wasm's BackendWasm used to write a tensor in place (tfjs 4.22 backend_wasm.ts). */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

/**
 * On the wasm backend, a float16 weight is decoded straight into the tensor's memory in the wasm heap: no
 * float32 copy in JavaScript first (issue 11: 102 MB of fresh memory for ResNet50, and on a small machine
 * first-touching fresh memory is what a load's phases mostly cost). Undefined on other backends.
 */
function float16IntoBackend(half: Uint16Array, shape: number[]): tf.Tensor | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend() as unknown as Partial<WasmHeapBackend>;
  if (typeof backend.makeOutput !== 'function' || typeof backend.typedArrayFromHeap !== 'function') return undefined;
  const info = backend.makeOutput(shape, 'float32'); // malloc only: the values are written below
  // The view is taken after the allocation (which may grow the heap) and filled before any other.
  float16ToFloat32(half, backend.typedArrayFromHeap(info));
  return tf.engine().makeTensorFromTensorInfo(info);
}

const isFloat16 = (s: Spec) => s.dtype === 'float32' && s.quantization?.dtype === 'float16';
const isPlainFloat32 = (s: Spec) => s.dtype === 'float32' && s.quantization === undefined;

/** Bytes of one weight in the buffer (strings have none fixed: callers hand those to tfjs). */
function byteLength(s: Spec): number {
  const n = tf.util.sizeFromShape(s.shape);
  if (s.quantization) return n * (s.quantization.dtype === 'uint8' ? 1 : 2);
  return n * (s.dtype === 'bool' ? 1 : 4);
}

/** Like tf.io.decodeWeights: same names, shapes, dtypes and bits. The caller disposes the tensors. */
export function decodeWeights(data: tf.io.WeightData, specs: readonly Spec[]): tf.NamedTensorMap {
  if (specs.some((s) => s.dtype === 'string')) return tf.io.decodeWeights(data, [...specs]);
  const buffer = data instanceof ArrayBuffer ? data : tf.io.concatenateArrayBuffers(data);
  const out: tf.NamedTensorMap = {};
  let offset = 0;
  try {
    for (const s of specs) {
      const bytes = byteLength(s);
      if (offset + bytes > buffer.byteLength) {
        throw new WeightsFormatError(`weight "${s.name}" ${JSON.stringify(s.shape)} needs bytes ${offset}–${offset + bytes}; the weight data has only ${buffer.byteLength}.`);
      }
      const n = bytes / (isFloat16(s) ? 2 : 4);
      let values: Float32Array | undefined;
      // A view needs the offset aligned to the element size; otherwise copy the bytes first (as tfjs always does).
      if (isFloat16(s)) {
        const half = offset % 2 === 0 ? new Uint16Array(buffer, offset, n) : new Uint16Array(buffer.slice(offset, offset + bytes));
        const inHeap = float16IntoBackend(half, s.shape);
        if (inHeap) {
          out[s.name] = inHeap;
          offset += bytes;
          continue;
        }
        values = float16ToFloat32(half);
      }
      // tf.tensor keeps the array on the cpu backend: copied, so the model never aliases the artifacts' buffer.
      else if (isPlainFloat32(s)) values = new Float32Array(buffer.slice(offset, offset + bytes));
      out[s.name] = values ? tf.tensor(values, s.shape, 'float32') : tf.io.decodeWeights(buffer.slice(offset, offset + bytes), [s])[s.name];
      offset += bytes;
    }
  } catch (e) {
    tf.dispose(out);
    throw e;
  }
  return out;
}
