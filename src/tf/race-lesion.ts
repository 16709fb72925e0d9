/**
 * The lesion study on the lab race's trained pair (Veit et al. 2016, Sec. 4.1, Fig. 3a: a plain net collapses
 * when one layer is deleted, a residual net barely moves). Test accuracy after deleting each block:
 *  - ResNet-N: the block's addition takes its shortcut alone (the branch set to zero, as src/tf/lesion.ts does
 *    with weights); every block, the downsampling ones keeping their option-A / projection shortcut.
 *  - plain-N: the block is skipped (its output := its input), the closest analogue of deleting a VGG layer;
 *    possible only where the block keeps the shape (not the downsampling blocks).
 * The nets run node by node (eager `layer.apply`) with these substitutions. BN normalises with each test
 * batch's own statistics by default, as the race's evaluation does (TrainingRun.evaluate): after a short race
 * the moving averages (momentum 0.99) still carry much of their initial values. `bn: 'moving'` uses them
 * instead (test-time BN, as Veit et al.).
 */
import * as tf from '@tensorflow/tfjs';
import { type ArchGraph, expand } from '../core';
import type { ImageSet } from '../core/datasets/shapes';
import { dropBatchNorm, labSpec } from '../core/lab/variants';
import { CancelledError } from './errors';
import type { TrainingRun } from './train';

/** Pixel normalisation of the race's inputs (TrainingRun in src/tf/train.ts: (x − 0.5) / 0.25). */
const MEAN = 0.5;
const STD = 0.25;

/**
 * Logits of a model built from `graph`, computed node by node; `substitute` maps a node id to the node whose
 * value it takes instead of computing its own. Does not dispose `x`.
 */
export function runGraph(
  model: tf.LayersModel,
  graph: ArchGraph,
  x: tf.Tensor4D,
  substitute: ReadonlyMap<string, string> = new Map(),
  training = false,
): tf.Tensor {
  return tf.tidy(() => {
    const values = new Map<string, tf.Tensor>([[graph.inputId, x]]);
    for (const n of graph.nodes) {
      if (n.op.kind === 'input') continue;
      const from = substitute.get(n.id);
      if (from !== undefined) {
        const v = values.get(from);
        if (!v) throw new Error(`${n.id} takes the value of ${from}, which is not computed before it`);
        values.set(n.id, v);
        continue;
      }
      const ins = n.inputs.map((i) => values.get(i)!);
      values.set(n.id, model.getLayer(n.id).apply(ins.length === 1 ? ins[0] : ins, { training }) as tf.Tensor);
    }
    return values.get(graph.outputId)!;
  });
}

export type BnMode = 'batch' | 'moving';

/** Top-1 accuracy on a set, in batches. */
export function accuracyOn(
  model: tf.LayersModel,
  graph: ArchGraph,
  set: ImageSet,
  substitute?: ReadonlyMap<string, string>,
  bn: BnMode = 'batch',
  batch = 100,
): number {
  const px = set.size * set.size * 3;
  let correct = 0;
  for (let start = 0; start < set.count; start += batch) {
    const n = Math.min(batch, set.count - start);
    correct += tf.tidy(() => {
      const x = tf.div(tf.sub(tf.tensor4d(set.images.subarray(start * px, (start + n) * px), [n, set.size, set.size, 3]), MEAN), STD) as tf.Tensor4D;
      const pred = tf.argMax(runGraph(model, graph, x, substitute, bn === 'batch'), 1);
      const labels = tf.tensor1d(set.labels.subarray(start, start + n), 'int32');
      return tf.sum(tf.cast(tf.equal(pred, labels), 'float32')).dataSync()[0];
    });
  }
  return correct / set.count;
}

/** The graph a TrainingRun built its model from (as its constructor does). */
export function graphOfRun(run: TrainingRun): ArchGraph {
  const graph = expand(labSpec({ ...run.config.net, inputSize: run.data.size, classes: run.data.classes.length }));
  return run.config.batchNorm === false ? dropBatchNorm(graph) : graph;
}

/** The first `n` images of a set (the race evaluates on its own data). */
export function firstImages(set: ImageSet, n: number): ImageSet {
  const count = Math.min(n, set.count);
  const px = set.size * set.size * 3;
  return { ...set, count, images: set.images.subarray(0, count * px), labels: set.labels.subarray(0, count) };
}

export interface RaceLesionRow {
  readonly block: string;
  readonly downsampling: boolean;
  /** Undefined where the plain block changes the shape and cannot be skipped. */
  readonly plain?: number;
  readonly residual: number;
}

export interface RaceLesionResult {
  readonly intact: { readonly plain: number; readonly residual: number };
  readonly blocks: readonly RaceLesionRow[];
  readonly ms: number;
}

export interface RaceNet {
  readonly model: tf.LayersModel;
  readonly graph: ArchGraph;
}

/** Test accuracy of the intact pair and after deleting each block in turn. */
export async function raceLesion(
  pair: { readonly plain: RaceNet; readonly residual: RaceNet },
  test: ImageSet,
  opts: { signal?: AbortSignal; onBlock?: (done: number, total: number) => void; yieldBetween?: () => Promise<void>; bn?: BnMode } = {},
): Promise<RaceLesionResult> {
  const t0 = performance.now();
  const bn = opts.bn ?? 'batch';
  const intact = {
    plain: accuracyOn(pair.plain.model, pair.plain.graph, test, undefined, bn),
    residual: accuracyOn(pair.residual.model, pair.residual.graph, test, undefined, bn),
  };
  const plainBlocks = new Map(pair.plain.graph.blocks.map((b) => [b.id, b]));
  const rows: RaceLesionRow[] = [];
  const blocks = pair.residual.graph.blocks;
  for (const [i, b] of blocks.entries()) {
    await opts.yieldBetween?.();
    if (opts.signal?.aborted) throw new CancelledError('the lesion study');
    const add = pair.residual.graph.nodes.find((n) => n.block === b.id && n.op.kind === 'add');
    if (!add) throw new Error(`${b.id} of the residual net has no addition`);
    const residual = accuracyOn(pair.residual.model, pair.residual.graph, test, new Map([[add.id, add.inputs[0]]]), bn);
    const p = plainBlocks.get(b.id);
    const sameShape = p && p.inShape.join('x') === p.outShape.join('x');
    const plain = p && sameShape ? accuracyOn(pair.plain.model, pair.plain.graph, test, new Map([[p.outputId, p.inputId]]), bn) : undefined;
    rows.push({ block: b.id, downsampling: b.stride > 1, plain, residual });
    opts.onBlock?.(i + 1, blocks.length);
  }
  return { intact, blocks: rows, ms: performance.now() - t0 };
}
