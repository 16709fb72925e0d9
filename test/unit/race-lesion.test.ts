/**
 * The race's lesion study (src/tf/race-lesion.ts): the node-by-node executor equals predict, its residual
 * deletion equals the weight-zeroing one of src/tf/lesion.ts, the plain net skips only shape-keeping blocks,
 * and a short trained race gives one accuracy per block with no tensors left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expand } from '../../src/core';
import { generateShapeSet } from '../../src/core/datasets/shapes';
import { labSpec } from '../../src/core/lab/variants';
import { buildModel } from '../../src/tf/build';
import { lesionBlocks, withBlockDeleted } from '../../src/tf/lesion';
import { initNodeWasm } from '../../src/tf/node-wasm';
import { firstImages, graphOfRun, raceLesion, runGraph } from '../../src/tf/race-lesion';
import { TrainingRun } from '../../src/tf/train';

beforeAll(async () => {
  await initNodeWasm();
});

const net = (residual: boolean) => {
  const graph = expand(labSpec({ depth: 20, residual, widths: [8, 16, 32], inputSize: 16, classes: 10 }));
  return { graph, model: buildModel(graph) };
};

describe('race lesion', () => {
  it('the executor equals predict; deleting a residual block equals zeroing its branch', async () => {
    const r = net(true);
    const x = tf.randomNormal([4, 16, 16, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const close = async (a: tf.Tensor, b: tf.Tensor) => {
      const [da, db] = [await a.data(), await b.data()];
      tf.dispose([a, b]);
      return Math.max(...Array.from(da, (v, i) => Math.abs(v - db[i])));
    };
    expect(await close(runGraph(r.model, r.graph, x), r.model.predict(x) as tf.Tensor)).toBeLessThan(1e-5);
    for (const lb of lesionBlocks(r.graph).filter((b) => ['conv2_block2', 'conv3_block1', 'conv4_block3'].includes(b.block))) {
      const add = r.graph.nodes.find((n) => n.block === lb.block && n.op.kind === 'add')!;
      const viaGraph = runGraph(r.model, r.graph, x, new Map([[add.id, add.inputs[0]]]));
      const viaWeights = withBlockDeleted(r.model, lb, () => r.model.predict(x) as tf.Tensor);
      expect(await close(viaGraph, viaWeights), lb.block).toBeLessThan(1e-5);
    }
    x.dispose();
    r.model.dispose();
  });

  it('a short race: intact and per-block accuracy on its images for both nets; plain skips only shape-keeping blocks', { timeout: 600_000 }, async () => {
    const train = generateShapeSet({ count: 640, size: 16, seed: 1 });
    // The race's own images: after a race this short, held-out accuracy is near chance (measured 0.15).
    const test = firstImages(train, 320);
    const run = (residual: boolean) =>
      new TrainingRun(
        {
          net: { depth: 20, residual, widths: [8, 16, 32] },
          init: 'he',
          seed: 1,
          batchSize: 32,
          schedule: { learningRate: 2e-3, warmupSteps: 10, totalSteps: 100, decay: 'cosine' },
          optimizer: 'adam',
          outputScale: 0.1,
        },
        train,
      );
    const runs = { plain: run(false), residual: run(true) };
    for (let s = 0; s < 100; s++) {
      runs.plain.next();
      runs.residual.next();
    }
    const before = tf.memory().numTensors;
    const graphOf = (residual: boolean) => expand(labSpec({ depth: 20, residual, widths: [8, 16, 32], inputSize: 16, classes: 10 }));
    expect(graphOfRun(runs.residual)).toEqual(graphOf(true));
    expect(graphOfRun(runs.plain)).toEqual(graphOf(false));
    const progress: number[] = [];
    const r = await raceLesion(
      { plain: { model: runs.plain.trainer.model, graph: graphOf(false) }, residual: { model: runs.residual.trainer.model, graph: graphOf(true) } },
      test,
      { onBlock: (d) => progress.push(d) },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(r.blocks.map((b) => b.block)).toEqual(graphOf(true).blocks.map((b) => b.id));
    expect(r.blocks.filter((b) => b.plain === undefined).map((b) => b.block)).toEqual(['conv3_block1', 'conv4_block1']);
    for (const b of r.blocks) {
      expect(b.residual).toBeGreaterThanOrEqual(0);
      expect(b.residual).toBeLessThanOrEqual(1);
    }
    // Well above chance (10 classes) when intact: the nets learned something.
    expect(r.intact.residual).toBeGreaterThan(0.25);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(
      `intact plain ${r.intact.plain.toFixed(3)} residual ${r.intact.residual.toFixed(3)}; mean after one deletion: plain ${mean(
        r.blocks.filter((b) => b.plain !== undefined).map((b) => b.plain!),
      ).toFixed(3)}, residual ${mean(r.blocks.map((b) => b.residual)).toFixed(3)}\n${r.blocks
        .map((b) => `${b.block} plain ${b.plain?.toFixed(3) ?? '—'} residual ${b.residual.toFixed(3)}`)
        .join('\n')}`,
    );
    runs.plain.dispose();
    runs.residual.dispose();
  });
});
