/**
 * Our weights decoder (src/tf/decode-weights.ts) against tfjs-core's io.decodeWeights, the reference: every
 * float16 bit pattern, the real ImageNet ResNet50 files in each precision, weights at odd offsets and of other
 * kinds, too-short data; bit for bit, and no tensor left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeWeights, float16ToFloat32 } from '../../src/tf/decode-weights';
import { WeightsFormatError } from '../../src/tf/errors';
import { IMAGENET_PRECISIONS } from '../../src/tf/imagenet-precision';
import { initNodeBackend } from '../../src/tf/node-backend';
import { imagenetResNet50Json, readLayersModel } from '../../src/tf/node-io';
import { requireWeights, SKIP_WEIGHTS } from '../helpers/fixtures';

type Spec = tf.io.WeightsManifestEntry;

const bitsOf = (t: tf.Tensor) => {
  const d = t.dataSync();
  return d instanceof Float32Array ? new Uint32Array(d.buffer, d.byteOffset, d.length) : d;
};

/** Both decoders on the same input: same names, shapes, dtypes and bits. */
function expectSameAsTfjs(data: ArrayBuffer, specs: Spec[]) {
  const before = tf.memory().numTensors;
  const ours = decodeWeights(data, specs);
  const ref = tf.io.decodeWeights(data, specs);
  expect(Object.keys(ours)).toEqual(Object.keys(ref));
  for (const name of Object.keys(ref)) {
    expect(ours[name].shape, name).toEqual(ref[name].shape);
    expect(ours[name].dtype, name).toBe(ref[name].dtype);
    // toEqual on 25M elements is slow: compare the bits with a loop, name the first difference.
    const a = bitsOf(ours[name]);
    const b = bitsOf(ref[name]);
    let first = -1;
    for (let i = 0; i < b.length && first < 0; i++) if (a[i] !== b[i]) first = i;
    expect(first, `${name}: first differing element`).toBe(-1);
  }
  tf.dispose([ours, ref]);
  expect(tf.memory().numTensors).toBe(before);
}

describe('float16 → float32', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const every = Uint16Array.from({ length: 65536 }, (_, h) => h);
  const spec: Spec[] = [{ name: 'h', shape: [65536], dtype: 'float32', quantization: { dtype: 'float16' } }];

  it('the lookup table gives tfjs’ bits for all 65,536 half floats (NaN payloads, ±0, ±Inf, subnormals)', () => {
    const ref = tf.io.decodeWeights(every.slice().buffer, spec).h;
    const want = bitsOf(ref);
    ref.dispose();
    const got = new Uint32Array(float16ToFloat32(every).buffer);
    expect(got).toEqual(want);
    // Spot checks the reference could get wrong the same way: 1.0, -2.0, the smallest subnormal, +Inf.
    const f = float16ToFloat32(Uint16Array.of(0x3c00, 0xc000, 0x0001, 0x7c00));
    expect([...f]).toEqual([1, -2, 2 ** -24, Number.POSITIVE_INFINITY]);
  });

  it('rejects an output of another length', () => {
    expect(() => float16ToFloat32(every, new Float32Array(3))).toThrow(/65536 values into an array of 3/);
  });
});

describe('decodeWeights', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('decodes mixed kinds at unaligned offsets exactly as tfjs does', () => {
    // bool (1 byte) first puts the float16 weight at an odd offset and the float32 after it at offset 7.
    const specs: Spec[] = [
      { name: 'b', shape: [1], dtype: 'bool' },
      { name: 'h', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'f', shape: [2], dtype: 'float32' },
      { name: 'q', shape: [2], dtype: 'float32', quantization: { dtype: 'uint8', min: -1, scale: 0.5 } },
      { name: 'i', shape: [1], dtype: 'int32' },
      { name: 'h2', shape: [2, 1], dtype: 'float32', quantization: { dtype: 'float16' } },
    ];
    const bytes = new Uint8Array(1 + 6 + 8 + 2 + 4 + 4);
    const dv = new DataView(bytes.buffer);
    dv.setUint8(0, 1);
    for (const [k, h] of [0x3c00, 0xbc00, 0x3555].entries()) dv.setUint16(1 + 2 * k, h, true);
    dv.setFloat32(7, Math.PI, true);
    dv.setFloat32(11, -1e-30, true);
    bytes.set([3, 250], 15);
    dv.setInt32(17, -7, true);
    dv.setUint16(21, 0x0001, true);
    dv.setUint16(23, 0xfbff, true);
    expectSameAsTfjs(bytes.buffer, specs);
    const h = decodeWeights(bytes.buffer, specs);
    expect([...h.h.dataSync()]).toEqual([1, -1, Math.fround(0.333251953125)]);
    tf.dispose(h);
  });

  it('throws WeightsFormatError naming the weight when the data is too short, and frees what it decoded', () => {
    const specs: Spec[] = [
      { name: 'a', shape: [2], dtype: 'float32' },
      { name: 'conv/kernel', shape: [3, 3], dtype: 'float32', quantization: { dtype: 'float16' } },
    ];
    const before = tf.memory().numTensors;
    expect(() => decodeWeights(new ArrayBuffer(8 + 10), specs)).toThrow(WeightsFormatError);
    expect(() => decodeWeights(new ArrayBuffer(8 + 10), specs)).toThrow(/"conv\/kernel" \[3,3\] needs bytes 8–26; the weight data has only 18/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accepts weight data split into several buffers', () => {
    const specs: Spec[] = [{ name: 'h', shape: [4], dtype: 'float32', quantization: { dtype: 'float16' } }];
    const parts = [Uint16Array.of(0x3c00).buffer, Uint16Array.of(0x4000, 0x4200, 0x4400).buffer];
    const t = decodeWeights(parts, specs);
    expect([...t.h.dataSync()]).toEqual([1, 2, 3, 4]);
    tf.dispose(t);
  });
});

describe.skipIf(SKIP_WEIGHTS)('decodeWeights on the ImageNet ResNet50 files', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const p of IMAGENET_PRECISIONS) {
    it(`${p}: every weight bit for bit as tfjs decodes it`, { timeout: 300_000 }, async () => {
      requireWeights();
      const a = await readLayersModel(imagenetResNet50Json(p));
      expectSameAsTfjs(a.weightData as ArrayBuffer, a.weightSpecs!);
    });
  }
});

describe.skipIf(SKIP_WEIGHTS)('on the wasm backend, float16 is decoded straight into the tensors in the wasm heap', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it('the same bits as tfjs for the float16 ImageNet ResNet50, and nothing left behind', { timeout: 300_000 }, async () => {
    requireWeights();
    expect(tf.getBackend()).toBe('wasm');
    const a = await readLayersModel(imagenetResNet50Json('float16'));
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8;
    const t = decodeWeights(a.weightData as ArrayBuffer, a.weightSpecs!.slice(0, 2));
    // The values sit in the heap where the tensor's own memory is: a view of them reads the decoded floats.
    const kernel = t[a.weightSpecs![0].name];
    const offset = (tf.backend() as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } } }).dataIdMap.get(kernel.dataId).memoryOffset;
    expect([...new Float32Array(heap().buffer, offset, 4)]).toEqual([...kernel.dataSync().slice(0, 4)]);
    tf.dispose(t);
    expectSameAsTfjs(a.weightData as ArrayBuffer, a.weightSpecs!);
  });

  it('mixed kinds at unaligned offsets, and a short buffer frees what it decoded', () => {
    const specs: Spec[] = [
      { name: 'b', shape: [1], dtype: 'bool' },
      { name: 'h', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'f', shape: [2], dtype: 'float32' },
    ];
    const bytes = new Uint8Array(1 + 6 + 8);
    const dv = new DataView(bytes.buffer);
    for (const [k, h] of [0x3c00, 0xbc00, 0x7e01].entries()) dv.setUint16(1 + 2 * k, h, true);
    dv.setFloat32(7, Math.PI, true);
    expectSameAsTfjs(bytes.buffer, specs);
    const before = tf.memory().numTensors;
    expect(() => decodeWeights(bytes.buffer.slice(0, 10), specs)).toThrow(WeightsFormatError);
    expect(tf.memory().numTensors).toBe(before);
  });
});
