/**
 * Our convolution kernels on the wasm heap (src/tf/wasm-convs, kernels wasm/convs.ts): 3×3 convs by Winograd's
 * algorithm, F(2×2) and F(4×4), against tfjs' own fused conv2d over shapes that cut tiles short (odd sizes, h ≠ w,
 * smaller than a tile, batches); 1×1 convs, strided or not, over pixel counts that are not multiples of the product's
 * four rows; with and without bias and ReLU, and a BN's scale folded in; which convs qualify; no tensor leaks; the
 * inference runner uses them for ResNet50's 16 3×3 and 36 1×1 convs; and jobs split between two threads on a shared
 * heap (the model worker's helpers, src/tf/wasm-convs/threads.ts) give what one thread gives, to the bit.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/tf/build';
import { createInferenceRunner } from '../../src/tf/fused/runner';
import { imagenetResNet50Spec } from '../../src/tf/imagenet';
import { initNodeWasm } from '../../src/tf/node-wasm';
import { activeConvEngine, type ConvEngine, ConvEngineError, isPointwise, setConvEngineEnabled, tileFor } from '../../src/tf/wasm-convs';
import type { ConvKernels } from '../../src/tf/wasm-convs/engine';
import { JOB_BYTES, JOB_KIND, SCRATCH_BYTES_PER_THREAD, tilesOf, writeJob } from '../../src/tf/wasm-convs/job';
import { awaitHelpers, postJob, stopHelpers } from '../../src/tf/wasm-convs/threads';

let engine: ConvEngine;
beforeAll(async () => {
  await initNodeWasm();
  const e = activeConvEngine();
  if (!e) throw new Error('no Winograd engine on the Node wasm backend');
  engine = e;
});

/** max |a − b| over max(1, max |b|). */
function relErr(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / Math.max(1, tf.max(tf.abs(b)).dataSync()[0]));
}

describe('Winograd convs equal tfjs conv2d', () => {
  const shapes: readonly (readonly [number, number, number, number, number])[] = [
    // n, h, w, c, co
    [1, 56, 56, 64, 64],
    [1, 7, 7, 512, 512],
    [2, 13, 9, 8, 16],
    [1, 1, 1, 4, 8],
    [1, 2, 3, 4, 8],
    [3, 5, 6, 12, 24],
  ];
  for (const m of [2, 4] as const) {
    for (const [n, h, w, c, co] of shapes) {
      it(`F(${m}×${m}, 3×3) on [${n}, ${h}, ${w}, ${c}] → ${co}: within ${m === 4 ? '3e-5' : '1e-5'} of the output's scale, nothing leaks`, () => {
        const x = tf.randomNormal([n, h, w, c], 0, 1, 'float32', n * h + c) as tf.Tensor4D;
        const filter = tf.randomNormal([3, 3, c, co], 0, Math.sqrt(2 / (9 * c)), 'float32', co + w) as tf.Tensor4D;
        const bias = tf.randomNormal([co], 0, 1, 'float32', 7) as tf.Tensor1D;
        const before = tf.memory().numTensors;
        const u = engine.transformFilter(filter, m);
        for (const [b, relu] of [[bias, true], [undefined, false], [bias, false]] as const) {
          const want = tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias: b, activation: relu ? 'relu' : 'linear' });
          const got = engine.conv(x, u, m, b, relu);
          expect(got.shape).toEqual([n, h, w, co]);
          expect(relErr(got, want)).toBeLessThan(m === 4 ? 3e-5 : 1e-5);
          tf.dispose([got, want]);
        }
        u.dispose();
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([x, filter, bias]);
      });
    }
  }

  it("a scale folded into the transform (a BN's γ / √(σ² + ε)) equals the scaled filter's conv", () => {
    const x = tf.randomNormal([1, 9, 9, 16], 0, 1, 'float32', 11) as tf.Tensor4D;
    const filter = tf.randomNormal([3, 3, 16, 32], 0, 0.1, 'float32', 12) as tf.Tensor4D;
    const scale = tf.randomUniform([32], 0.2, 3, 'float32', 13) as tf.Tensor1D;
    const scaled = tf.mul(filter, scale) as tf.Tensor4D;
    for (const m of [2, 4] as const) {
      const u = engine.transformFilter(filter, m, scale);
      const got = engine.conv(x, u, m, undefined, false);
      const want = tf.conv2d(x, scaled, 1, 'same');
      expect(relErr(got, want)).toBeLessThan(1e-5);
      tf.dispose([u, got, want]);
    }
    expect(() => engine.transformFilter(filter, 4, tf.ones([16]) as tf.Tensor1D)).toThrow(/scale of 16 for 32/);
    tf.dispose([x, filter, scale, scaled]);
  });

  const pointwiseShapes: readonly (readonly [number, number, number, number, number, number])[] = [
    // n, h, w, c, co, stride
    [1, 56, 56, 64, 256, 1],
    [1, 14, 14, 1024, 256, 1],
    [1, 28, 28, 256, 512, 2], // Keras' conv3_block1_1_conv and _0_conv
    [2, 7, 9, 12, 16, 2],
    [1, 15, 15, 32, 64, 2],
    [1, 5, 5, 8, 8, 1],
    [1, 1, 1, 4, 8, 1],
    [3, 2, 3, 6, 24, 3],
  ];
  for (const [n, h, w, c, co, stride] of pointwiseShapes) {
    it(`1×1 on [${n}, ${h}, ${w}, ${c}] → ${co}, stride ${stride}: within 1e-5 of the output's scale, nothing leaks`, () => {
      const x = tf.randomNormal([n, h, w, c], 0, 1, 'float32', n * h + c) as tf.Tensor4D;
      const filter = tf.randomNormal([1, 1, c, co], 0, Math.sqrt(2 / c), 'float32', co + w) as tf.Tensor4D;
      const bias = tf.randomNormal([co], 0, 1, 'float32', 5) as tf.Tensor1D;
      const scale = tf.randomUniform([co], 0.2, 3, 'float32', 6) as tf.Tensor1D;
      const scaled = tf.mul(filter, scale) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const u = engine.packPointwise(filter);
      const us = engine.packPointwise(filter, scale);
      for (const [b, relu, packed, f] of [
        [bias, true, u, filter],
        [undefined, false, u, filter],
        [bias, false, us, scaled],
      ] as const) {
        const want = tf.fused.conv2d({ x, filter: f, strides: stride, pad: 'same', bias: b, activation: relu ? 'relu' : 'linear' });
        const got = engine.pointwise(x, packed, stride, b, relu);
        expect(got.shape).toEqual(want.shape);
        expect(relErr(got, want)).toBeLessThan(1e-5);
        tf.dispose([got, want]);
      }
      tf.dispose([u, us]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, filter, bias, scale, scaled]);
    });
  }

  it('refuses an input the transformed filter does not fit, naming both shapes', () => {
    const filter = tf.zeros([3, 3, 8, 8]) as tf.Tensor4D;
    const u = engine.transformFilter(filter, 4);
    const x = tf.zeros([1, 4, 4, 12]) as tf.Tensor4D;
    expect(() => engine.conv(x, u, 4, undefined, false)).toThrow(ConvEngineError);
    expect(() => engine.conv(x, u, 4, undefined, false)).toThrow(/\[1, 4, 4, 12\].*\[36, 8, 8\]/);
    expect(() => engine.conv(tf.zeros([1, 4, 4, 8]) as tf.Tensor4D, u, 2, undefined, false)).toThrow(/F\(2×2/);
    const p = engine.packPointwise(tf.zeros([1, 1, 8, 16]) as tf.Tensor4D);
    expect(() => engine.pointwise(x, p, 1, undefined, false)).toThrow(/\[1, 4, 4, 12\] with stride 1 .*\[8, 16\]/);
    tf.dispose([filter, u, x, p]);
  });
});

describe('which convs run by Winograd', () => {
  it('3×3, stride 1, padded by one, no groups, channels in fours and eights; the larger tile up to 128 × 128', () => {
    expect(tileFor([3, 3, 64, 64], 1, 'same', 1)).toBe(4);
    expect(tileFor([3, 3, 128, 128], 1, 'same', 1)).toBe(4);
    expect(tileFor([3, 3, 256, 256], 1, 'same', 1)).toBe(2);
    expect(tileFor([3, 3, 512, 512], 1, 'same', 1)).toBe(2);
    expect(tileFor([3, 3, 64, 64], 1, [[0, 0], [1, 1], [1, 1], [0, 0]], 1)).toBe(4);
    expect(tileFor([3, 3, 64, 64], 2, 'same', 1)).toBeUndefined(); // strided
    expect(tileFor([3, 3, 64, 64], 1, 'valid', 1)).toBeUndefined();
    expect(tileFor([3, 3, 64, 64], 1, [[0, 0], [0, 2], [1, 1], [0, 0]], 1)).toBeUndefined();
    expect(tileFor([3, 3, 4, 128], 1, 'same', 32)).toBeUndefined(); // ResNeXt's grouped conv
    expect(tileFor([3, 3, 3, 16], 1, 'same', 1)).toBeUndefined(); // a CIFAR stem: RGB
    expect(tileFor([3, 3, 16, 12], 1, 'same', 1)).toBeUndefined();
    expect(tileFor([1, 1, 64, 64], 1, 'same', 1)).toBeUndefined();
    expect(tileFor([7, 7, 3, 64], 1, 'same', 1)).toBeUndefined();
  });

  it('1×1, any stride, no groups, no padding, output channels in eights', () => {
    expect(isPointwise([1, 1, 64, 256], 'same', 1)).toBe(true);
    expect(isPointwise([1, 1, 3, 8], 'valid', 1)).toBe(true);
    expect(isPointwise([1, 1, 64, 256], [[0, 0], [0, 0], [0, 0], [0, 0]], 1)).toBe(true);
    expect(isPointwise([1, 1, 64, 256], [[0, 0], [1, 1], [1, 1], [0, 0]], 1)).toBe(false);
    expect(isPointwise([1, 1, 64, 12], 'same', 1)).toBe(false);
    expect(isPointwise([1, 1, 8, 64], 'same', 8)).toBe(false);
    expect(isPointwise([3, 3, 64, 64], 'same', 1)).toBe(false);
  });

  it('the ResNet50 runner runs its 16 3×3 convs by Winograd and 36 1×1 convs, none when disabled; outputs agree within 1e-4', () => {
    // Keras' ResNet50 strides its blocks' first 1×1 conv, so all 16 3×3 convs have stride 1.
    const spec = { ...imagenetResNet50Spec(), input: [64, 64, 3] as const };
    const model = buildModel(spec);
    const x = tf.randomNormal([1, 64, 64, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const wino = createInferenceRunner(spec, model);
    setConvEngineEnabled(false);
    const direct = createInferenceRunner(spec, model);
    setConvEngineEnabled(true);
    expect(wino.stats.winograd).toBe(16);
    expect(wino.stats.pointwise).toBe(36);
    expect(direct.stats.winograd + direct.stats.pointwise).toBe(0);
    const a = wino.predict(x);
    const b = direct.predict(x);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBeLessThan(1e-4);
    tf.dispose([a, b, x]);
    wino.dispose();
    direct.dispose();
    model.dispose();
  });
});

describe('jobs on two threads (a shared heap, as in the browser)', () => {
  const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
  let helper: Worker | undefined;
  afterAll(async () => {
    await helper?.terminate();
  });

  it("the helper takes its tiles, pixels or output channels; every output equals one thread's to the bit", async () => {
    const module = new WebAssembly.Module(readFileSync(new URL('../../wasm/build/convs-shared.wasm', import.meta.url)));
    const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as ConvKernels;
    const f32 = new Float32Array(memory.buffer);
    // A bump allocator over the shared memory, large enough for every job below.
    let top = 1024;
    const alloc = (bytes: number) => {
      const at = top;
      top += Math.ceil(bytes / 64) * 64;
      return at;
    };
    const [n, h, w, c, co] = [2, 11, 10, 16, 48] as const;
    const job = alloc(JOB_BYTES);
    const scratch = alloc(SCRATCH_BYTES_PER_THREAD * 2);
    const x = alloc(n * h * w * c * 4);
    const g = alloc(9 * c * co * 4);
    const u = alloc(36 * c * co * 4);
    const bias = alloc(co * 4);
    const v = alloc(2 * 36 * tilesOf(n, h, w, 2) * c * 4); // a transformed input per thread (the most: F(2×2))
    const mm = alloc(36 * tilesOf(n, h, w, 2) * co * 4);
    const y1 = alloc(n * h * w * co * 4);
    const y2 = alloc(n * h * w * co * 4);
    let seed = 1;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return (seed / 2 ** 31) * 2 - 1;
    };
    for (const [at, count] of [[x, n * h * w * c], [g, 9 * c * co], [bias, co]]) for (let i = 0; i < count; i++) f32[at / 4 + i] = rand();
    const heap = new Int32Array(memory.buffer);
    helper = new Worker(
      // The helper is TypeScript: tsx's require hook is registered in its thread before it is loaded.
      `require('tsx/cjs/api').register(); require(${JSON.stringify(fileURLToPath(new URL('../helpers/conv-helper.ts', import.meta.url)))});`,
      { eval: true, workerData: { module, memory, job, index: 1 } },
    );
    await new Promise<void>((resolve, reject) => {
      helper!.once('message', () => resolve());
      helper!.once('error', reject);
    });

    const common = { n, w, c, u, bias, relu: true, v, mm, scratch, x } as const;
    // [name, job, output floats, how the work splits (wasm/convs.ts `run`)]
    const jobs = [
      ['F(4×4) on 11×10, 48 channels: tiles', { ...common, kind: JOB_KIND.winograd, m: 4, stride: 1, h, co }, n * h * w * co],
      ['F(2×2) on 2×10: output channels', { ...common, kind: JOB_KIND.winograd, m: 2, stride: 1, h: 2, co }, n * 2 * w * co],
      ['1×1 stride 2: pixels', { ...common, kind: JOB_KIND.pointwise, m: 0, stride: 2, h, co: 24 }, n * 6 * 5 * 24],
      ['1×1 stride 5: output channels', { ...common, kind: JOB_KIND.pointwise, m: 0, stride: 5, h, co }, n * 3 * 2 * co],
    ] as const;
    for (const [name, spec, size] of jobs) {
      if (spec.kind === JOB_KIND.winograd) kernels.transformFilter(g, c, spec.co, spec.m, u, scratch, 0);
      else kernels.packPointwise(g, c, spec.co, u, 0);
      f32.fill(0, y1 / 4, y1 / 4 + size);
      f32.fill(0, y2 / 4, y2 / 4 + size);
      writeJob(heap, job, { ...spec, y: y1, threads: 1 });
      kernels.run(job, 0, 1);
      writeJob(heap, job, { ...spec, y: y2, threads: 2 });
      postJob(heap, job);
      kernels.run(job, 0, 2);
      expect(awaitHelpers(heap, job, 1, 60_000), name).toBe(true);
      const one = f32.slice(y1 / 4, y1 / 4 + size);
      const two = f32.slice(y2 / 4, y2 / 4 + size);
      expect(Array.from(two), name).toEqual(Array.from(one));
      // Nothing was left to the zeros the outputs started from (ReLU makes some zeros: not most).
      expect(two.filter((z) => z !== 0).length, name).toBeGreaterThan(size / 4);
    }
    const exited = new Promise((resolve) => helper!.once('exit', resolve));
    stopHelpers(heap, job);
    await exited;
    helper = undefined;
  }, 120_000);
});
