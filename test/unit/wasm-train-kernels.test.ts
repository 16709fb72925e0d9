import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeWasm } from '../../src/tf/node-wasm';

/** Deterministic values in [-1, 1) (a small LCG) so cpu and wasm see the same inputs. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  readonly name: string;
  readonly x: [number, number, number, number];
  readonly filter: [number, number, number, number];
  readonly stride: number;
  readonly pad: Pad;
}

const CASES: readonly Case[] = [
  { name: '3×3 s1 same', x: [2, 9, 9, 3], filter: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { name: '3×3 s2 same, even (asymmetric pad)', x: [2, 8, 8, 3], filter: [3, 3, 3, 5], stride: 2, pad: 'same' },
  { name: '3×3 s2 same, odd', x: [3, 7, 7, 2], filter: [3, 3, 2, 4], stride: 2, pad: 'same' },
  { name: '3×3 s2 valid, even (unused last row)', x: [2, 8, 8, 4], filter: [3, 3, 4, 3], stride: 2, pad: 'valid' },
  { name: '3×3 s2 valid, odd', x: [2, 9, 9, 3], filter: [3, 3, 3, 3], stride: 2, pad: 'valid' },
  { name: '1×1 s2 valid (projection shortcut)', x: [4, 8, 8, 6], filter: [1, 1, 6, 12], stride: 2, pad: 'valid' },
  { name: '5×5 s1 valid, non-square', x: [2, 10, 7, 3], filter: [5, 5, 3, 2], stride: 1, pad: 'valid' },
  { name: '7×7 s2 valid (ImageNet stem after pad)', x: [1, 21, 21, 3], filter: [7, 7, 3, 8], stride: 2, pad: 'valid' },
  { name: '3×3 s2 explicit pad 1', x: [2, 8, 8, 3], filter: [3, 3, 3, 4], stride: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
  { name: '3×3 s1 CIFAR size, batch 8', x: [8, 32, 32, 16], filter: [3, 3, 16, 16], stride: 1, pad: 'same' },
];

function outShape(c: Case): [number, number, number, number] {
  const side = (n: number, k: number, p: readonly [number, number] | undefined) => {
    if (c.pad === 'same') return Math.ceil(n / c.stride);
    const [a, b] = p ?? [0, 0];
    return Math.floor((n + a + b - k) / c.stride) + 1;
  };
  const pad = Array.isArray(c.pad) ? c.pad : undefined;
  return [c.x[0], side(c.x[1], c.filter[0], pad?.[1]), side(c.x[2], c.filter[1], pad?.[2]), c.filter[3]];
}

function run(kernel: 'Conv2DBackpropFilter' | 'Conv2DBackpropInput', c: Case): { data: Float32Array; shape: number[] } {
  const dyShape = outShape(c);
  const dy = tf.tensor4d(values(dyShape.reduce((a, b) => a * b), 7), dyShape);
  const base = { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
  let out: tf.Tensor;
  if (kernel === 'Conv2DBackpropFilter') {
    const x = tf.tensor4d(values(c.x.reduce((a, b) => a * b), 1), c.x);
    out = tf.engine().runKernel(kernel, { x, dy }, { ...base, filterShape: c.filter } as never) as tf.Tensor;
    x.dispose();
  } else {
    const filter = tf.tensor4d(values(c.filter.reduce((a, b) => a * b), 3), c.filter);
    out = tf.engine().runKernel(kernel, { dy, filter }, { ...base, inputShape: c.x } as never) as tf.Tensor;
    filter.dispose();
  }
  const result = { data: out.dataSync() as Float32Array, shape: out.shape };
  out.dispose();
  dy.dispose();
  return result;
}

/** Float64 reference: dW = Σ xpad·dy and dx = Σ dy·W over the forward conv's index map (pad top/left as tfjs). */
function reference(kernel: 'Conv2DBackpropFilter' | 'Conv2DBackpropInput', c: Case): { exact: Float64Array; absSum: Float64Array } {
  const [b, h, w, ci] = c.x;
  const [kh, kw, , co] = c.filter;
  const [, oh, ow] = outShape(c);
  const s = c.stride;
  let top = 0;
  let left = 0;
  if (c.pad === 'same') {
    top = Math.floor(Math.max((oh - 1) * s + kh - h, 0) / 2);
    left = Math.floor(Math.max((ow - 1) * s + kw - w, 0) / 2);
  } else if (Array.isArray(c.pad)) {
    top = c.pad[1][0];
    left = c.pad[2][0];
  }
  const dy = values(b * oh * ow * co, 7);
  const x = values(b * h * w * ci, 1);
  const f = values(kh * kw * ci * co, 3);
  const out = new Float64Array(kernel === 'Conv2DBackpropFilter' ? kh * kw * ci * co : b * h * w * ci);
  const abs = new Float64Array(out.length);
  const acc = (k: number, v: number) => {
    out[k] += v;
    abs[k] += Math.abs(v);
  };
  for (let n = 0; n < b; n++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            const r = y * s + i - top;
            const q = xx * s + j - left;
            if (r < 0 || r >= h || q < 0 || q >= w) continue;
            for (let a = 0; a < ci; a++)
              for (let o = 0; o < co; o++) {
                const g = dy[((n * oh + y) * ow + xx) * co + o];
                if (kernel === 'Conv2DBackpropFilter') acc(((i * kw + j) * ci + a) * co + o, x[((n * h + r) * w + q) * ci + a] * g);
                else acc(((n * h + r) * w + q) * ci + a, f[((i * kw + j) * ci + a) * co + o] * g);
              }
          }
  return { exact: out, absSum: abs };
}

/**
 * Largest error of each sum relative to the sum of its terms' magnitudes, Σ|x·dy|: the measure float32
 * accumulation is bounded by (any summation order), so long sums are not penalised for their length.
 */
function sumRelErr(a: Float32Array, b: Float32Array | Float64Array, absSum: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    const e = Math.abs(a[i] - b[i]);
    worst = Math.max(worst, absSum[i] > 0 ? e / absSum[i] : e);
  }
  return worst;
}

/** Largest |a − b| relative to the largest |b| (sums of many products: compare at the scale of the output). */
function relErr(a: Float32Array, b: Float32Array | Float64Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

describe('wasm training kernels agree with the cpu backend', () => {
  beforeAll(async () => {
    await initNodeWasm();
  });

  for (const kernel of ['Conv2DBackpropFilter', 'Conv2DBackpropInput'] as const) {
    for (const c of CASES) {
      it(`${kernel}: ${c.name}`, async () => {
        await tf.setBackend('cpu');
        const ref = run(kernel, c);
        await tf.setBackend('wasm');
        const before = tf.memory().numTensors;
        const got = run(kernel, c);
        expect(tf.memory().numTensors).toBe(before);
        expect(got.shape).toEqual(ref.shape);
        const { exact, absSum } = reference(kernel, c);
        // Within 1e-6 of cpu and of a float64 reference, measured against each sum's Σ|terms|.
        expect(sumRelErr(got.data, ref.data, absSum)).toBeLessThan(1e-6);
        expect(sumRelErr(got.data, exact, absSum)).toBeLessThan(1e-6);
        // And plain relative error at the output's scale: 1e-6 unless the sum has thousands of terms.
        expect(relErr(got.data, ref.data)).toBeLessThan(c.x[0] * c.x[1] * c.x[2] > 4096 ? 1e-5 : 1e-6);
      });
    }
  }

  const TILES: readonly [number[], number[], 'float32' | 'int32' | 'bool'][] = [
    [[1, 1, 1, 16], [32, 8, 8, 1], 'float32'], // the BatchNorm gradient's shape
    [[2, 3, 1, 5], [2, 1, 4, 3], 'float32'],
    [[3, 4], [5, 2], 'int32'],
    [[7], [3], 'bool'],
    [[2, 1, 3], [1, 1, 1], 'float32'],
    [[2, 2], [0, 3], 'float32'],
  ];
  for (const [shape, reps, dtype] of TILES) {
    it(`Tile [${shape}] × [${reps}] ${dtype} equals cpu exactly`, async () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const make = () => {
        const v = values(n, 5);
        if (dtype === 'float32') return tf.tensor(v, shape);
        if (dtype === 'bool') return tf.tensor(Array.from(v, (x) => x > 0), shape, dtype);
        return tf.tensor(Array.from(v, (x) => Math.round(x * 100)), shape, dtype);
      };
      const tileOn = async (backend: string) => {
        await tf.setBackend(backend);
        const x = make();
        const before = tf.memory().numTensors;
        const y = tf.tile(x, reps);
        const out = { data: Array.from(y.dataSync()), shape: y.shape, dtype: y.dtype };
        y.dispose();
        expect(tf.memory().numTensors).toBe(before);
        x.dispose();
        return out;
      };
      const ref = await tileOn('cpu');
      expect(await tileOn('wasm')).toEqual(ref);
    });
  }

  it('a conv layer trains on wasm: gradients match cpu end to end', async () => {
    const grads = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(values(2 * 8 * 8 * 3, 11), [2, 8, 8, 3]);
        const w1 = tf.tensor4d(values(3 * 3 * 3 * 4, 12), [3, 3, 3, 4]);
        const w2 = tf.tensor4d(values(3 * 3 * 4 * 2, 13), [3, 3, 4, 2]);
        const f = (a: tf.Tensor4D, b: tf.Tensor4D) =>
          tf.sum(tf.square(tf.conv2d(tf.relu(tf.conv2d(x, a, 2, 'same')), b, 1, 'valid')));
        const [g1, g2] = tf.grads(f as (...args: tf.Tensor[]) => tf.Tensor)([w1, w2]);
        return [g1.dataSync() as Float32Array, g2.dataSync() as Float32Array];
      });
    };
    const ref = await grads('cpu');
    const got = await grads('wasm');
    expect(relErr(got[0], ref[0])).toBeLessThan(1e-6);
    expect(relErr(got[1], ref[1])).toBeLessThan(1e-6);
  });
});
