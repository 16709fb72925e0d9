/**
 * The lab's backend check gives the same numbers on cpu and wasm (the browser e2e compares webgl and webgpu
 * with wasm the same way), reads back asynchronously like the synchronous path, and leaks nothing.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { generateShapeSet } from '../../src/core/datasets';
import { CHECK, runBackendCheck } from '../../src/tf/backend-check';
import { initNodeBackend } from '../../src/tf/node-backend';
import { type RunConfig, TrainingRun } from '../../src/tf/train';
import { registerWasmTrainingKernels } from '../../src/tf/wasm-train';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('backend check', () => {
  it('cpu and wasm agree to 1e-5 on the losses and per-layer gradient norms; no tensors leak', async () => {
    registerWasmTrainingKernels();
    await initNodeBackend('wasm');
    const before = tf.memory().numTensors;
    const wasm = await runBackendCheck();
    expect(tf.memory().numTensors).toBe(before);
    await initNodeBackend('cpu');
    const cpu = await runBackendCheck();
    expect(wasm.backend).toBe('wasm');
    expect(cpu.backend).toBe('cpu');
    expect(wasm.losses).toHaveLength(CHECK.steps);
    expect(wasm.gradients.map((g) => g.id)).toEqual(cpu.gradients.map((g) => g.id));
    // ResNet-8: conv1 + 3 blocks × 2 convs + dense; option A adds no weighted layer.
    expect(wasm.gradients).toHaveLength(8);
    for (let i = 0; i < CHECK.steps; i++) expect(rel(wasm.losses[i], cpu.losses[i])).toBeLessThan(1e-5);
    for (const [i, g] of wasm.gradients.entries()) expect(rel(g.norm, cpu.gradients[i].norm)).toBeLessThan(1e-5);
    // The steps change the loss (zero gradients would repeat it).
    expect(rel(wasm.losses[2], wasm.losses[0])).toBeGreaterThan(1e-3);
  }, 60_000);

  it('nextAsync gives the same losses as next', async () => {
    await initNodeBackend('wasm');
    const data = generateShapeSet({ count: 32, size: 8, seed: 2 });
    const config: RunConfig = {
      net: { depth: 8, residual: true, widths: [4, 8, 16] },
      init: 'he',
      seed: 3,
      batchSize: 8,
      schedule: { learningRate: 1e-3, warmupSteps: 0, totalSteps: 4, decay: 'constant' },
      optimizer: 'adam',
      outputScale: 0.1,
    };
    const a = new TrainingRun(config, data);
    const b = new TrainingRun(config, data);
    for (let s = 0; s < 4; s++) {
      const sync = a.next();
      const async = await b.nextAsync();
      expect(async).toEqual(sync);
    }
    a.dispose();
    b.dispose();
  });
});

describe('learning-rate updates reach the optimizer', () => {
  it('SGD momentum follows the schedule (tfjs SGD ignores an assigned learningRate field) and frees its scalars', async () => {
    await initNodeBackend('wasm');
    const data = generateShapeSet({ count: 16, size: 8, seed: 2 });
    const before = tf.memory().numTensors;
    const run = new TrainingRun(
      {
        net: { depth: 8, residual: true, widths: [4, 8, 16] },
        init: 'he',
        seed: 3,
        batchSize: 8,
        schedule: { learningRate: 0.1, warmupSteps: 4, totalSteps: 8, decay: 'paper' },
        optimizer: 'sgd',
        outputScale: 0.1,
      },
      data,
    );
    // SGD updates with the scalar c = −lr; read it after each step's update.
    const c = () => (run.trainer.optimizer as unknown as { c: tf.Scalar }).c.dataSync()[0];
    const seen: number[] = [];
    for (let s = 0; s < 8; s++) {
      const r = run.next();
      expect(c()).toBeCloseTo(-r.learningRate, 7);
      seen.push(r.learningRate);
    }
    expect(seen.map((x) => +x.toFixed(6))).toEqual([0.025, 0.05, 0.075, 0.1, 0.01, 0.01, 0.001, 0.001]);
    run.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
