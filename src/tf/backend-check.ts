/**
 * The lab's backend check: the same seeded few training steps of a tiny ResNet on whatever backend is active,
 * so backends can be compared number for number (the lab's backend panel and test/e2e/lab-backends.e2e.ts).
 * The net exercises every op training uses: conv forward/backprop, BN in training mode and its gradient, the
 * option-A shortcut (1×1 average pool, stride 2, then zero channel padding) and the dense head.
 * SGD with momentum, not Adam: Adam's first update is ≈ lr·sign(g), so a gradient component near 0 could
 * flip between backends and turn a 1e-7 difference into a 2·lr one; SGD's update is linear in the gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { generateShapeSet } from '../core/datasets/shapes';
import { gradientNormsAsync, type LayerGradient, probeGraph } from './gradients';
import { type RunConfig, TrainingRun } from './train';

export const CHECK = {
  depth: 8,
  widths: [4, 8, 16] as const,
  size: 8,
  batch: 8,
  steps: 3,
  seed: 1,
  learningRate: 0.05,
} as const;

export interface BackendCheckResult {
  readonly backend: string;
  /** Loss of each of the CHECK.steps steps (before each step's update). */
  readonly losses: readonly number[];
  /** Per-layer gradient norms at initialisation on the first batch (the gradient-flow probe). */
  readonly gradients: readonly LayerGradient[];
  /** Wall time of the whole check (includes shader compilation on GPU backends). */
  readonly ms: number;
  /** Steps per second after the first step (the first one compiles shaders / warms up). */
  readonly stepsPerSecond: number;
}

/** Run the check on the active backend (asynchronous read-backs: works on WebGPU too). Leaves no tensors behind. */
export async function runBackendCheck(): Promise<BackendCheckResult> {
  const t0 = performance.now();
  const data = generateShapeSet({ count: 64, size: CHECK.size, seed: CHECK.seed });
  const config: RunConfig = {
    net: { depth: CHECK.depth, residual: true, widths: CHECK.widths, shortcut: 'A' },
    init: 'he',
    seed: CHECK.seed,
    batchSize: CHECK.batch,
    schedule: { learningRate: CHECK.learningRate, warmupSteps: 0, totalSteps: CHECK.steps, decay: 'constant' },
    optimizer: 'sgd',
    outputScale: 1,
  };
  const run = new TrainingRun(config, data);
  try {
    const graph = probeGraph({ ...config.net, inputSize: CHECK.size, classes: data.classes.length, batchNorm: true, init: 'he', seed: CHECK.seed });
    const pixels = CHECK.size * CHECK.size * 3;
    const x = tf.tidy(() =>
      tf.div(tf.sub(tf.tensor4d(data.images.subarray(0, CHECK.batch * pixels), [CHECK.batch, CHECK.size, CHECK.size, 3]), 0.5), 0.25),
    ) as tf.Tensor4D;
    const labels = tf.tensor1d(data.labels.subarray(0, CHECK.batch), 'int32');
    let gradients: LayerGradient[];
    try {
      gradients = await gradientNormsAsync(run.trainer.model, graph, x, labels);
    } finally {
      tf.dispose([x, labels]);
    }
    const losses: number[] = [];
    let afterFirst = 0;
    for (let s = 0; s < CHECK.steps; s++) {
      losses.push((await run.nextAsync()).loss);
      if (s === 0) afterFirst = performance.now();
    }
    const end = performance.now();
    return {
      backend: tf.getBackend(),
      losses,
      gradients,
      ms: end - t0,
      stepsPerSecond: CHECK.steps > 1 ? ((CHECK.steps - 1) * 1000) / (end - afterFirst) : 0,
    };
  } finally {
    run.dispose();
  }
}
