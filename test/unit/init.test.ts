import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { labSpec } from '../../src/core/lab/variants';
import { buildModel } from '../../src/tf/build';
import { fans, reinitialize, sampleKernel, targetVariance, TRUNCATED_NORMAL_STD } from '../../src/tf/init';

function variance(t: tf.Tensor): { mean: number; variance: number; maxAbs: number } {
  const v = t.dataSync();
  let s = 0;
  let s2 = 0;
  let m = 0;
  for (const x of v) {
    s += x;
    s2 += x * x;
    m = Math.max(m, Math.abs(x));
  }
  const mean = s / v.length;
  return { mean, variance: s2 / v.length - mean * mean, maxAbs: m };
}

describe('exact He-normal initialisation', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('computes Keras fans for conv and dense kernels', () => {
    expect(fans([3, 3, 64, 128])).toEqual({ fanIn: 576, fanOut: 1152 });
    expect(fans([64, 10])).toEqual({ fanIn: 64, fanOut: 10 });
    expect(targetVariance('glorot', [64, 10])).toBeCloseTo(2 / 74, 12);
  });

  it('the truncation constant is the std of N(0,1) truncated to (−2, 2)', () => {
    // Var = 1 − 2·2·φ(2) / (Φ(2) − Φ(−2)), φ(2) = e^−2/√(2π), Φ(2) − Φ(−2) = erf(√2).
    const phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI);
    const mass = 0.9544997361036416; // erf(√2)
    expect(Math.sqrt(1 - (4 * phi2) / mass)).toBeCloseTo(TRUNCATED_NORMAL_STD, 10);
  });

  it('has variance 2/fan_in (tfjs heNormal has ≈ 0.774×)', () => {
    const shape = [3, 3, 64, 64];
    const target = 2 / 576;
    const ours = tf.tidy(() => variance(sampleKernel('he', shape, 1)));
    const tfjs = tf.tidy(() => variance(tf.initializers.heNormal({ seed: 1 }).apply(shape)));
    // 36,864 samples: the sample variance's relative std is ≈ √(2/n)·0.8 ≈ 0.6 %.
    expect(ours.variance / target).toBeGreaterThan(0.97);
    expect(ours.variance / target).toBeLessThan(1.03);
    expect(Math.abs(ours.mean)).toBeLessThan(0.002);
    // Still truncated at 2σ of the underlying normal.
    expect(ours.maxAbs).toBeLessThanOrEqual((2 * Math.sqrt(target)) / TRUNCATED_NORMAL_STD + 1e-6);
    expect(tfjs.variance / target).toBeGreaterThan(0.74);
    expect(tfjs.variance / target).toBeLessThan(0.81);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const [a, b, c] = tf.tidy(() => [sampleKernel('he', [3, 3, 4, 4], 5), sampleKernel('he', [3, 3, 4, 4], 5), sampleKernel('he', [3, 3, 4, 4], 6)].map((t) => Array.from(t.dataSync())));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('reinitialize gives every conv kernel of a built net the exact He variance, resets BN, scales the classifier', () => {
    const model = buildModel(labSpec({ depth: 20, residual: true }));
    reinitialize(model, { init: 'he', seed: 7, outputScale: 0.1 });
    let n = 0;
    let ratio = 0;
    for (const layer of model.layers) {
      const cls = layer.getClassName();
      if (cls === 'Conv2D') {
        const w = layer.getWeights()[0];
        ratio += variance(w).variance / targetVariance('he', w.shape);
        n++;
      }
      if (cls === 'BatchNormalization') {
        const [gamma, beta, mean, vari] = layer.getWeights().map((t) => Array.from(t.dataSync()));
        expect(new Set([...gamma, ...vari])).toEqual(new Set([1]));
        expect(new Set([...beta, ...mean])).toEqual(new Set([0]));
      }
    }
    expect(n).toBe(19);
    // 19 kernels, 432 to 36,864 weights each: the average ratio is within a few per cent of 1.
    expect(ratio / n).toBeGreaterThan(0.95);
    expect(ratio / n).toBeLessThan(1.05);
    const dense = model.getLayer('predictions').getWeights()[0];
    expect(variance(dense).variance / targetVariance('he', dense.shape)).toBeLessThan(0.02);
    model.dispose();
  });
});
