/**
 * Running exported ONNX files in the tests: onnxruntime-web's wasm backend in Node (onnxruntime-node's install
 * script downloads a binary), one thread. Extra outputs (intermediate layers) are added to a copy of the model so
 * features can be compared, not only a softmax that hides differences.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { onnx } from '../../../src/export/onnx/proto';

ort.env.wasm.numThreads = 1;

/** The model with more graph outputs (any tensor name: our layer names). */
export function withOutputs(bytes: Uint8Array, names: readonly string[]): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph!;
  const have = new Set(graph.output!.map((o) => o.name));
  for (const name of names) {
    if (!have.has(name)) graph.output!.push({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } });
  }
  return onnx.ModelProto.encode(model).finish();
}

/** Run on an NCHW float32 input named `input`; returns every requested output. */
export async function runOnnx(
  bytes: Uint8Array,
  input: Float32Array,
  dims: readonly number[],
  outputs: readonly string[],
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all' = 'all',
): Promise<Map<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(withOutputs(bytes, outputs), { executionProviders: ['wasm'], graphOptimizationLevel });
  try {
    const result = await session.run({ input: new ort.Tensor('float32', input, [...dims]) }, [...outputs]);
    return new Map(outputs.map((n) => [n, result[n]]));
  } finally {
    await session.release();
  }
}

/** NHWC tensor → NCHW data (tfjs layout → ONNX layout). 2-D tensors pass through. */
export function toNchw(t: tf.Tensor): Float32Array {
  return tf.tidy(() => (t.rank === 4 ? tf.transpose(t, [0, 3, 1, 2]) : t).dataSync() as Float32Array);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(d)) return Number.NaN;
    if (d > m) m = d;
  }
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
