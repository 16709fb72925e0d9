import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchLoss, buildProbeNet, gradientNorms, kernelGradients, type ProbeNetOptions } from '../../src/tf/gradients';

/** Tiny nets: depth 8 (one block per stage), widths 2/4/4, 6×6 inputs, 3 classes. */
const TINY = { depth: 8, widths: [2, 4, 4] as const, inputSize: 6, classes: 3, init: 'he' as const, seed: 3 };

function batch(): { x: tf.Tensor4D; labels: tf.Tensor1D } {
  const x = tf.randomNormal([4, 6, 6, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
  return { x, labels: tf.tensor1d([0, 1, 2, 1], 'int32') };
}

describe('per-layer gradients', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => {
    tf.disposeVariables();
  });

  const variants: [string, Partial<ProbeNetOptions>][] = [
    ['residual, BN, option A', { residual: true, batchNorm: true }],
    ['plain, BN', { residual: false, batchNorm: true }],
    ['residual, no BN, option A', { residual: true, batchNorm: false }],
    ['residual, BN, option B', { residual: true, batchNorm: true, shortcut: 'B' }],
  ];
  for (const [name, v] of variants) {
    it(`match central finite differences along the gradient and a random direction: ${name}`, () => {
      const opts = { ...TINY, residual: true, batchNorm: true, ...v } as ProbeNetOptions;
      const { model, graph } = buildProbeNet(opts);
      const { x, labels } = batch();
      const before = tf.memory().numTensors;
      const grads = kernelGradients(model, graph, x, labels);
      expect(grads.size).toBe(graph.nodes.filter((n) => n.op.kind === 'conv' || n.op.kind === 'dense').length);
      // The option-A zero-pad shortcut and BN must pass gradients: every layer's gradient is non-zero.
      let k = 0;
      for (const [id, g] of grads) {
        const layer = model.getLayer(id);
        tf.tidy(() => {
          // getWeights returns the variables themselves: clone, or setWeights would move the base point.
          const w = layer.getWeights().map((t) => t.clone());
          const gNorm = tf.norm(g).dataSync()[0];
          // The option-A zero-pad shortcut and BN must pass gradients: every layer's gradient is non-zero.
          expect(gNorm, id).toBeGreaterThan(0);
          const random = tf.randomNormal(w[0].shape, 0, 1, 'float32', 100 + k++);
          // Along the gradient itself (checks its scale: the derivative must be ‖g‖) and a random direction.
          for (const dir of [g, random]) {
            const unit = tf.div(dir, tf.norm(dir));
            // Small steps: ReLU kinks lie within 1e-3 of the weights along some directions (seen on the
            // option-B projection); float32 noise is ≈ 1e-7 / h, well inside the tolerance.
            const central = (h: number) => {
              const lossWith = (sign: number) => {
                layer.setWeights([tf.add(w[0], tf.mul(unit, sign * h)), ...w.slice(1)]);
                return batchLoss(model, x, labels).dataSync()[0];
              };
              return (lossWith(1) - lossWith(-1)) / (2 * h);
            };
            const fd = central(2.5e-4);
            layer.setWeights(w);
            const analytic = tf.sum(tf.mul(g, unit)).dataSync()[0];
            expect(Math.abs(fd - analytic), `${id}: fd ${fd} vs analytic ${analytic}`).toBeLessThan(0.02 * gNorm + 2e-4);
          }
        });
      }
      tf.dispose([...grads.values()]);
      // Norms come from the same gradients, in graph order, with main-path depth 1…N.
      const norms = gradientNorms(model, graph, x, labels);
      const main = norms.filter((n) => n.path === 'main');
      expect(main.map((n) => n.depth)).toEqual(main.map((_, i) => i + 1));
      expect(main.length).toBe(8);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, labels]);
      model.dispose();
    });
  }

  it('without BN, the graph has no BatchNormalization layers and keeps Keras names', () => {
    const { model } = buildProbeNet({ ...TINY, residual: true, batchNorm: false });
    expect(model.layers.some((l) => l.getClassName() === 'BatchNormalization')).toBe(false);
    expect(model.getLayer('conv2_block1_2_conv')).toBeDefined();
    model.dispose();
  });
});
