/**
 * Every kernel a lab training step runs is registered on webgl and webgpu in tfjs 4.22 (so the lab can train
 * there), and on wasm only once our training kernels are registered. The kernel list is re-derived here with
 * tf.profile on cpu over every lab variant, so it cannot drift from what training really runs.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateShapeSet } from '../../src/core/datasets';
import { initNodeBackend } from '../../src/tf/node-backend';
import { TrainingRun } from '../../src/tf/train';
import { missingTrainingKernels, TRAINING_KERNELS, trainingProblem } from '../../src/tf/training-kernels';
import { registerWasmTrainingKernels } from '../../src/tf/wasm-train';

describe('training kernels', () => {
  beforeAll(async () => {
    await initNodeBackend('cpu');
  });

  it('TRAINING_KERNELS is exactly what training steps of every lab variant run', async () => {
    const data = generateShapeSet({ count: 16, size: 8, seed: 1 });
    const seen = new Set<string>();
    for (const residual of [true, false])
      for (const batchNorm of [true, false])
        for (const shortcut of ['A', 'B'] as const)
          for (const optimizer of ['adam', 'sgd'] as const) {
            const run = new TrainingRun(
              {
                net: { depth: 8, residual, widths: [4, 8, 16], shortcut },
                init: 'he',
                seed: 1,
                batchSize: 4,
                schedule: { learningRate: 0.01, warmupSteps: 0, totalSteps: 2, decay: 'constant' },
                optimizer,
                outputScale: 0.1,
                batchNorm,
              },
              data,
            );
            const p = await tf.profile(() => {
              run.next();
            });
            // Names ending in __op are custom-gradient scopes, not kernels.
            for (const k of p.kernelNames) if (!k.endsWith('__op')) seen.add(k);
            run.dispose();
          }
    expect([...seen].sort()).toEqual([...TRAINING_KERNELS].sort());
  }, 60_000);

  it('webgl and webgpu have every training kernel', () => {
    expect(missingTrainingKernels('webgl')).toEqual([]);
    expect(missingTrainingKernels('webgpu')).toEqual([]);
    expect(trainingProblem('webgpu')).toBeUndefined();
  });

  it('wasm as shipped cannot train (no Conv2DBackpropFilter); with our kernels it can', () => {
    expect(missingTrainingKernels('wasm')).toEqual(['Conv2DBackpropFilter']);
    expect(trainingProblem('wasm')).toMatch(/^cannot train here: tfjs 4\.22\.\d+ has no Conv2DBackpropFilter kernel for wasm$/);
    registerWasmTrainingKernels();
    expect(missingTrainingKernels('wasm')).toEqual([]);
    // Only wasm gets them: the GPU backends keep their own kernels.
    expect(tf.getKernel('Conv2DBackpropFilter', 'webgl')?.kernelFunc).not.toBe(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc);
  });
});
