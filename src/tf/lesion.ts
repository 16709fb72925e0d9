/**
 * Lesion study (Veit, Wilber & Belongie 2016, "Residual Networks Behave Like Ensembles of Relatively Shallow
 * Networks", NeurIPS, Sec. 4.1 and Fig. 3): delete one residual block at a time at test time and see how the
 * prediction changes. Pure tfjs (Node and the model worker); the model is never rebuilt.
 *
 * Deleting a block = setting its residual branch to exactly zero, by zeroing the weights of the branch's last
 * layer (the input `add` receives besides the shortcut) and restoring them right after the forward pass:
 *  - V1 post-activation (Keras ResNet50/101/152, ResNeXt, CIFAR, torchvision-style): the branch ends in BN,
 *    y = γ·(x − μ)/√(σ² + ε) + β. With γ = β = 0 this is 0·finite + 0 = 0 exactly. The block output is then
 *    relu(shortcut + 0) = relu(shortcut). For an identity shortcut the shortcut is the previous block's output
 *    (or the stem's), itself a ReLU output ≥ 0, so relu(shortcut) = shortcut: the block passes its input on
 *    bit for bit. With a projection shortcut, relu(BN(conv1×1(x))) remains; with an option-A shortcut, the
 *    strided, zero-padded input (≥ 0, so the ReLU changes nothing).
 *  - V2 pre-activation: the branch ends in a convolution (with bias); kernel = bias = 0 gives exactly 0, and
 *    the block output is shortcut + 0 = shortcut (no ReLU after the addition).
 * The plain twin has no shortcut: deleting its blocks is not a lesion in this sense, and they are not listed.
 */
import * as tf from '@tensorflow/tfjs';
import type { ArchGraph, ShortcutKind } from '../core';
import { type Prediction, predictProbs, topK } from './classify';
import { CancelledError } from './errors';

/** A block that can be deleted, in the graph's (the diagram's) block order. */
export interface LesionBlock {
  /** Keras block name, `conv3_block2`. */
  readonly block: string;
  readonly shortcut: Exclude<ShortcutKind, 'none'>;
  /** Stride 2 (the spatial size halves): the blocks Veit et al. found to matter on ImageNet. */
  readonly downsampling: boolean;
  /** The layer whose weights are zeroed: the residual branch's last layer. */
  readonly branchLayer: string;
}

export interface LesionEntry extends LesionBlock {
  /** Top-1 with this block deleted. */
  readonly top: Prediction;
  /** Probability of the original top-1 class with this block deleted. */
  readonly baseProbability: number;
}

export interface LesionResult {
  /** Top-1 of the intact network. */
  readonly base: Prediction;
  readonly blocks: readonly LesionEntry[];
  /** Milliseconds for all forward passes (intact + one per block). */
  readonly ms: number;
}

/** A block that cannot be deleted this way (no add, or a branch ending in something unexpected). */
export class LesionError extends Error {
  override name = 'LesionError';
}

/** The deletable blocks of a graph: every block with a shortcut, in block order. */
export function lesionBlocks(graph: ArchGraph): LesionBlock[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const out: LesionBlock[] = [];
  for (const b of graph.blocks) {
    if (b.shortcut === 'none') continue;
    const add = graph.nodes.find((n) => n.block === b.id && n.op.kind === 'add');
    if (!add) throw new LesionError(`block ${b.id} has a ${b.shortcut} shortcut but no add node`);
    // Keras Add()([shortcut, x]): inputs[1] is the residual branch.
    const last = byId.get(add.inputs[1]);
    if (!last || (last.op.kind !== 'bn' && last.op.kind !== 'conv')) {
      throw new LesionError(`the residual branch of ${b.id} ends in ${last?.op.kind ?? 'nothing'} (${add.inputs[1]}); expected bn or conv`);
    }
    out.push({ block: b.id, shortcut: b.shortcut, downsampling: b.stride > 1, branchLayer: last.id });
  }
  return out;
}

/** Weights of a branch-ending layer that make its output exactly zero. */
function zeroedVariables(model: tf.LayersModel, block: LesionBlock) {
  const layer = model.getLayer(block.branchLayer);
  // BN: gamma and beta (the moving statistics stay); conv: kernel and bias.
  const keep = /\/(gamma|beta|kernel|bias)$/;
  const vars = layer.weights.filter((v) => keep.test(v.originalName));
  if (vars.length === 0) throw new LesionError(`layer ${block.branchLayer} of ${block.block} has no gamma/beta or kernel/bias to zero`);
  return vars;
}

/**
 * Run `fn` with `block` deleted, then restore the weights (also when `fn` throws). `fn` must be synchronous,
 * so no other request can run on the model while a block is deleted.
 */
export function withBlockDeleted<T>(model: tf.LayersModel, block: LesionBlock, fn: () => T): T {
  const vars = zeroedVariables(model, block);
  // tf.clone shares the data and holds a reference to it, so the values survive the variable's reassignment.
  const saved = vars.map((v) => tf.clone(v.read()));
  try {
    for (const v of vars) {
      const zero = tf.zerosLike(v.read());
      v.write(zero);
      zero.dispose();
    }
    return fn();
  } finally {
    for (const [i, v] of vars.entries()) v.write(saved[i]);
    tf.dispose(saved);
  }
}

/** Probabilities as a tensor (sync), so the forward pass happens while a block is deleted. */
function probsTensor(model: tf.LayersModel, input: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => {
    const out = model.predict(input) as tf.Tensor;
    const last = model.layers[model.layers.length - 1].getConfig().activation;
    return tf.reshape(last === 'softmax' ? out : tf.softmax(out), [-1]) as tf.Tensor1D;
  });
}

export interface LesionOptions {
  readonly signal?: AbortSignal;
  /** After each block (done = 1…total). */
  readonly onBlock?: (done: number, total: number, entry: LesionEntry) => void;
  /** Class names in output order (the weights' labels); default by class count (src/tf/classify.ts). */
  readonly labels?: readonly string[];
  /** Let queued messages (a cancel) in between blocks: a macrotask in the worker. */
  readonly yieldBetween?: () => Promise<void>;
}

/**
 * The lesion study on one preprocessed image: the intact top-1, then each block deleted in turn. Does not
 * dispose `input`; leaves no tensors behind and the weights as they were.
 */
export async function lesionStudy(model: tf.LayersModel, graph: ArchGraph, input: tf.Tensor4D, opts: LesionOptions = {}): Promise<LesionResult> {
  const blocks = lesionBlocks(graph);
  if (blocks.length === 0) throw new LesionError(`${graph.name} has no residual blocks to delete (a plain network has no shortcuts)`);
  const check = () => {
    if (opts.signal?.aborted) throw new CancelledError('the lesion study');
  };
  const t0 = performance.now();
  const baseProbs = await predictProbs(model, input);
  const base = topK(baseProbs, 1, opts.labels)[0];
  const entries: LesionEntry[] = [];
  for (const [i, b] of blocks.entries()) {
    await opts.yieldBetween?.();
    check();
    const t = withBlockDeleted(model, b, () => probsTensor(model, input));
    let probs: Float32Array;
    try {
      probs = (await t.data()) as Float32Array;
    } finally {
      t.dispose();
    }
    const entry: LesionEntry = { ...b, top: topK(probs, 1, opts.labels)[0], baseProbability: probs[base.index] };
    entries.push(entry);
    opts.onBlock?.(i + 1, blocks.length, entry);
  }
  return { base, blocks: entries, ms: performance.now() - t0 };
}

/** The CLI's `--json` shape of one image's lesion study (`baseProbability`: the original top-1's). */
export function lesionJson(image: string, r: LesionResult) {
  const p = (x: Prediction) => ({ index: x.index, label: x.label, probability: x.probability });
  return {
    image,
    base: p(r.base),
    blocks: r.blocks.map((b) => ({ block: b.block, shortcut: b.shortcut, top: p(b.top), baseProbability: b.baseProbability })),
  };
}
