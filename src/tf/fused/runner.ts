/**
 * An inference-only executor for a ResNet: the graph of `expand(spec)` run step by step with the model's weights,
 * each BatchNormalization that follows a conv folded into that conv's kernel and bias, and conv + bias + ReLU as
 * one `tf.fused.conv2d` (one kernel on wasm, WebGL and WebGPU). It computes what the LayersModel computes (same
 * output: probabilities or logits as the head says) without tfjs-layers' per-layer bookkeeping.
 *
 * Only for inference: the folded kernels are copies, so training or Grad-CAM's gradients keep using the
 * LayersModel. The runner can also return the last stage's feature map (Grad-CAM's forward pass).
 */
import * as tf from '@tensorflow/tfjs';
import { type ArchSpec, expand, type GraphNode } from '../../core';
import { fmtShape, WeightsMismatchError } from '../errors';
import type { Head } from '../gradcam';
import { type InferencePlan, planInference, type Step } from './plan';
import { releaseWasmTensorData } from './release-kernels';
import { warmUpInput } from './warm-up';
import { activeConvEngine, type ConvEngine, isPointwise, tileFor } from '../wasm-convs';

export interface RunOutput {
  /** The model's output, as `model.predict` gives it. */
  readonly output: tf.Tensor;
  /** The last stage's feature map (the global pooling's input), when asked for. */
  readonly features?: tf.Tensor4D;
}

export interface InferenceRunner {
  /** The model's output for a batch [n, h, w, c]; does not dispose `x`. */
  predict(x: tf.Tensor4D): tf.Tensor;
  /** Output and, with `features: true`, the feature map Grad-CAM reads (the caller disposes both). */
  run(x: tf.Tensor4D, opts?: { readonly features?: boolean }): RunOutput;
  /** Layer name of the feature map (e.g. conv5_block3_out, post_relu); undefined when the graph has no pooling. */
  readonly featureLayer?: string;
  /**
   * The head after the feature map (pooling, dense layers) on the runner's own weights: class probabilities and
   * Grad-CAM without a LayersModel. Undefined when the graph does not end in global pooling and dense layers.
   */
  readonly head?: Head;
  /** The input [h, w, c] of a small warm-up (src/tf/fused/warm-up.ts); the model's own input when none fits. */
  readonly warmUpInput: readonly number[];
  /**
   * One image of zeros through the runner, output read back, so that the first real input does not pay for kernel
   * set-up. `small`: at `warmUpInput` (wasm / CPU, whose set-up does not depend on the size); else full size
   * (WebGL / WebGPU compile per shape). `releaseKernels` (wasm only): each conv's kernel bytes are freed once its
   * XNNPACK operator is set up (src/tf/fused/release-kernels.ts); only for a runner that owns its weights and runs
   * with this backend until disposed. Frees what it makes.
   */
  warmUp(opts?: { readonly small?: boolean; readonly releaseKernels?: boolean }): Promise<void>;
  /** Kernels per forward pass, and how many graph ops were merged away. */
  readonly stats: {
    readonly steps: number;
    readonly merged: number;
    readonly foldedBn: number;
    /** Convs run by Winograd's algorithm (wasm: src/tf/wasm-convs). */
    readonly winograd: number;
    /** 1×1 convs run by our own matrix product (wasm: src/tf/wasm-convs). */
    readonly pointwise: number;
  };
  /** Free the runner's own tensors (the model's weights are untouched). */
  dispose(): void;
}

interface ConvWeights {
  readonly kernel: tf.Tensor4D;
  readonly bias?: tf.Tensor1D;
}
interface BnWeights {
  readonly gamma: tf.Tensor1D;
  readonly beta: tf.Tensor1D;
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
  readonly epsilon: number;
}

/**
 * Where a runner's weights come from: a built LayersModel (copied: the model keeps its own), or decoded weights by
 * `layer/weight` name that the runner takes over (a folded conv's and BN's own tensors are freed once folded, so
 * the folded copy reuses their memory: issue 11, fresh memory is what a load mostly costs on a small machine).
 */
interface WeightSource {
  /** The node's weights in Keras order, checked against the shapes the graph node implies. */
  take(node: GraphNode, names: readonly string[], want: readonly (readonly number[])[]): tf.Tensor[];
  /** Whether the runner owns what `take` returns (else it copies what it keeps). */
  readonly owned: boolean;
}

function checkShapes(node: GraphNode, got: readonly tf.Tensor[], want: readonly (readonly number[])[]): void {
  if (got.length !== want.length) {
    throw new WeightsMismatchError(`layer '${node.id}' has ${got.length} weights; the spec's ${node.op.kind} needs ${want.length}`, node.id);
  }
  got.forEach((w, i) => {
    if (w.shape.length !== want[i].length || w.shape.some((d, j) => d !== want[i][j])) {
      throw new WeightsMismatchError(
        `layer '${node.id}': weight ${i} has shape ${fmtShape(w.shape)} in the model but the spec needs ${fmtShape(want[i])}`,
        node.id,
        want[i],
        w.shape,
      );
    }
  });
}

function modelSource(model: tf.LayersModel): WeightSource {
  return {
    owned: false,
    take(node, _names, want) {
      let layer: tf.layers.Layer;
      try {
        layer = model.getLayer(node.id);
      } catch {
        throw new WeightsMismatchError(`the model has no layer '${node.id}' (${node.op.kind}) that the spec's graph needs`, node.id);
      }
      const got = layer.getWeights();
      checkShapes(node, got, want);
      return got;
    },
  };
}

/** Takes the tensors out of `named` (what is left there was not asked for). */
function namedSource(named: Map<string, tf.Tensor>): WeightSource {
  return {
    owned: true,
    take(node, names, want) {
      const keys = names.map((n) => `${node.id}/${n}`);
      const missing = keys.filter((k) => !named.has(k));
      if (missing.length === keys.length) {
        throw new WeightsMismatchError(`the weights have no layer '${node.id}' (${node.op.kind}) that the spec's graph needs`, node.id);
      }
      if (missing.length) throw new WeightsMismatchError(`the weights have no "${missing[0]}", which the spec's ${node.op.kind} needs`, node.id);
      const got = keys.map((k) => named.get(k)!);
      checkShapes(node, got, want);
      for (const k of keys) named.delete(k);
      return got;
    },
  };
}

const CONV_WEIGHTS = ['kernel', 'bias'];
const BN_WEIGHTS = ['gamma', 'beta', 'moving_mean', 'moving_variance'];

function convWeights(src: WeightSource, node: GraphNode): ConvWeights {
  if (node.op.kind !== 'conv') throw new Error(`${node.id} is not a conv`);
  const { kernel: k, filters, groups, bias } = node.op;
  const cin = node.inShapes[0][2];
  const kshape = [k, k, cin, groups > 1 ? filters / groups : filters];
  const w = src.take(node, bias ? CONV_WEIGHTS : CONV_WEIGHTS.slice(0, 1), bias ? [kshape, [filters]] : [kshape]);
  return { kernel: w[0] as tf.Tensor4D, bias: w[1] as tf.Tensor1D | undefined };
}

function bnWeights(src: WeightSource, node: GraphNode): BnWeights {
  if (node.op.kind !== 'bn') throw new Error(`${node.id} is not a BatchNormalization`);
  const c = [node.outShape[2]];
  const [gamma, beta, mean, variance] = src.take(node, BN_WEIGHTS, [c, c, c, c]) as tf.Tensor1D[];
  return { gamma, beta, mean, variance, epsilon: node.op.epsilon };
}

/**
 * BN(conv(x)) = conv(x) · s + (b − μ) · s + β with s = γ / √(σ² + ε): scale the kernel's output channels by s
 * and take the new bias. For a grouped conv (depthwise kernel [k, k, Cin, Cout/G], see GroupConv2D) output
 * channel g·m + j gathers depthwise channels (g·m + a)·m + j for a < m, so kernel[…, g·m + a, j] scales by s[g·m + j].
 */
export function foldBatchNorm(conv: ConvWeights, bn: BnWeights, groups: number): { kernel: tf.Tensor4D; bias: tf.Tensor1D } {
  return tf.tidy(() => {
    const { scale: s, bias } = batchNormScale(conv.bias, bn);
    let kernel: tf.Tensor4D;
    if (groups > 1) {
      const m = conv.kernel.shape[3];
      const perInput = tf.reshape(tf.tile(tf.reshape(s, [groups, 1, m]), [1, m, 1]), [groups * m, m]);
      kernel = tf.mul(conv.kernel, perInput);
    } else {
      kernel = tf.mul(conv.kernel, s);
    }
    return { kernel, bias };
  });
}

/** A BN after a conv as a per-channel scale s = γ / √(σ² + ε) of the kernel, and the bias (b − μ)·s + β. */
function batchNormScale(convBias: tf.Tensor1D | undefined, bn: BnWeights): { scale: tf.Tensor1D; bias: tf.Tensor1D } {
  return tf.tidy(() => {
    const scale = tf.div(bn.gamma, tf.sqrt(tf.add(bn.variance, bn.epsilon))) as tf.Tensor1D;
    const centred = convBias ? tf.sub(convBias, bn.mean) : tf.neg(bn.mean);
    return { scale, bias: tf.add(tf.mul(centred, scale), bn.beta) as tf.Tensor1D };
  });
}

type Prepared =
  | { readonly kind: 'conv'; readonly kernel: tf.Tensor4D; readonly bias?: tf.Tensor1D }
  /** A 3×3 conv run by Winograd's algorithm on wasm (src/tf/wasm-convs): its filter transformed, the kernel freed. */
  | { readonly kind: 'winograd'; readonly u: tf.Tensor3D; readonly m: 2 | 4; readonly bias?: tf.Tensor1D; readonly engine: ConvEngine }
  /** A 1×1 conv run by our own matrix product on wasm (src/tf/wasm-convs): its filter packed, the kernel freed. */
  | { readonly kind: 'pointwise'; readonly u: tf.Tensor2D; readonly bias?: tf.Tensor1D; readonly engine: ConvEngine }
  | { readonly kind: 'bn'; readonly bn: BnWeights }
  | { readonly kind: 'dense'; readonly kernel: tf.Tensor2D; readonly bias?: tf.Tensor1D }
  | { readonly kind: 'none' };

/**
 * A conv that `engine` runs (by Winograd's algorithm with tile m, or as a 1×1 conv when m is undefined): its kernel
 * transformed or packed, with the following BN's scale applied on the way (no folded kernel is made), and its bias
 * (folded with the BN's). The source's own tensors are freed as elsewhere; nothing else is kept.
 */
function enginePrepared(w: ConvWeights, src: WeightSource, node: GraphNode | undefined, m: 2 | 4 | undefined, engine: ConvEngine): Prepared {
  let bn: BnWeights | undefined;
  let folded: { scale: tf.Tensor1D; bias: tf.Tensor1D } | undefined;
  try {
    if (node) {
      bn = bnWeights(src, node);
      folded = batchNormScale(w.bias, bn);
    }
    const bias = folded ? folded.bias : w.bias && (src.owned ? w.bias : tf.clone(w.bias));
    try {
      if (m) return { kind: 'winograd', u: engine.transformFilter(w.kernel, m, folded?.scale), m, bias, engine };
      return { kind: 'pointwise', u: engine.packPointwise(w.kernel, folded?.scale), bias, engine };
    } catch (e) {
      bias?.dispose(); // the runner's own (folded, cloned or taken over): nothing keeps it now
      throw e;
    }
  } finally {
    folded?.scale.dispose();
    // Without a BN the conv's own bias is the prepared one, so it stays.
    freeTaken(src, { kernel: w.kernel, bias: node ? w.bias : undefined }, bn);
  }
}

/** Frees a conv's and its BN's tensors taken from an owned source once the runner has made its own from them. */
function freeTaken(src: WeightSource, w: ConvWeights, bn: BnWeights | undefined): void {
  if (src.owned) tf.dispose([w.kernel, ...(w.bias ? [w.bias] : []), ...(bn ? [bn.gamma, bn.beta, bn.mean, bn.variance] : [])]);
}

/** The step's weights as the runner's own tensors (folded ones new; the rest the source's own, or clones). */
function prepare(step: Step, src: WeightSource, byId: ReadonlyMap<string, GraphNode>, engine?: ConvEngine): Prepared {
  const node = (id: string) => byId.get(id)!;
  const own = <T extends tf.Tensor>(t: T): T => (src.owned ? t : tf.clone(t));
  switch (step.kind) {
    case 'conv': {
      const w = convWeights(src, node(step.conv));
      const m = engine && tileFor(w.kernel.shape, step.stride, step.pad, step.groups);
      if (engine && (m || isPointwise(w.kernel.shape, step.pad, step.groups))) {
        return enginePrepared(w, src, step.bn ? node(step.bn) : undefined, m, engine);
      }
      if (!step.bn) return { kind: 'conv', kernel: own(w.kernel), bias: w.bias && own(w.bias) };
      let bn: BnWeights | undefined;
      try {
        bn = bnWeights(src, node(step.bn));
        return { kind: 'conv', ...foldBatchNorm(w, bn, step.groups) };
      } finally {
        freeTaken(src, w, bn);
      }
    }
    case 'bn': {
      const b = bnWeights(src, node(step.bn));
      const [gamma, beta, mean, variance] = [b.gamma, b.beta, b.mean, b.variance].map(own);
      return { kind: 'bn', bn: { gamma, beta, mean, variance, epsilon: b.epsilon } };
    }
    case 'dense': {
      const n = node(step.dense);
      if (n.op.kind !== 'dense') throw new Error(`${n.id} is not a dense layer`);
      const [kernel, bias] = src.take(n, CONV_WEIGHTS, [[n.inShapes[0][0], n.op.units], [n.op.units]]);
      return { kind: 'dense', kernel: own(kernel) as tf.Tensor2D, bias: own(bias) as tf.Tensor1D };
    }
    default:
      return { kind: 'none' };
  }
}

function exec(step: Step, w: Prepared, get: (id: string) => tf.Tensor): tf.Tensor {
  switch (step.kind) {
    case 'conv': {
      if (w.kind === 'winograd') return w.engine.conv(get(step.input) as tf.Tensor4D, w.u, w.m, w.bias, step.relu);
      if (w.kind === 'pointwise') return w.engine.pointwise(get(step.input) as tf.Tensor4D, w.u, step.stride, w.bias, step.relu);
      if (w.kind !== 'conv') throw new Error('conv weights missing');
      const x = get(step.input) as tf.Tensor4D;
      // tfjs' ExplicitPadding type (not re-exported by @tensorflow/tfjs) is a mutable 4×2 tuple.
      type Explicit = [[number, number], [number, number], [number, number], [number, number]];
      const pad = typeof step.pad === 'string' ? step.pad : (step.pad as unknown as Explicit);
      if (step.groups === 1) {
        return tf.fused.conv2d({ x, filter: w.kernel, strides: step.stride, pad, bias: w.bias, activation: step.relu ? 'relu' : 'linear' });
      }
      // GroupConv2D's computation (src/tf/layers.ts): one depthwise conv, then the sum within each group.
      return tf.tidy(() => {
        const y = tf.depthwiseConv2d(x, w.kernel, step.stride, pad);
        const [n, h, wd, c] = y.shape;
        const m = w.kernel.shape[3];
        const filters = c / m;
        let out: tf.Tensor = tf.reshape(tf.sum(tf.reshape(y, [n, h, wd, step.groups, m, m]), 4), [n, h, wd, filters]);
        if (w.bias) out = tf.add(out, w.bias);
        return step.relu ? tf.relu(out) : out;
      });
    }
    case 'bn': {
      if (w.kind !== 'bn') throw new Error('BatchNormalization weights missing');
      const { mean, variance, beta, gamma, epsilon } = w.bn;
      return tf.tidy(() => {
        const y = tf.batchNorm(get(step.input), mean, variance, beta, gamma, epsilon);
        return step.relu ? tf.relu(y) : y;
      });
    }
    case 'relu':
      return tf.relu(get(step.input));
    case 'add':
      return tf.tidy(() => {
        const y = tf.add(get(step.inputs[0]), get(step.inputs[1]));
        return step.relu ? tf.relu(y) : y;
      });
    case 'zeropad': {
      const [ph, pw] = step.padding;
      return tf.pad(get(step.input), [
        [0, 0],
        [ph, ph],
        [pw, pw],
        [0, 0],
      ]);
    }
    case 'maxpool':
      return tf.maxPool(get(step.input) as tf.Tensor4D, step.pool, step.stride, 'valid');
    case 'zeroPadShortcut':
      // Option A (He et al. 2015): every stride-th pixel, zero channels each side. A strided slice is exact here
      // (inference needs no gradient, which is why ZeroPadShortcut uses a 1×1 average pool).
      return tf.tidy(() => {
        let x = get(step.input) as tf.Tensor4D;
        const [n, h, wd, c] = x.shape;
        if (step.stride > 1) x = tf.stridedSlice(x, [0, 0, 0, 0], [n, h, wd, c], [1, step.stride, step.stride, 1]) as tf.Tensor4D;
        const [before, after] = step.channelPad;
        return before + after === 0 ? tf.clone(x) : tf.pad(x, [[0, 0], [0, 0], [0, 0], [before, after]]);
      });
    case 'globalPool':
      return step.mode === 'avg' ? tf.mean(get(step.input), [1, 2]) : tf.max(get(step.input), [1, 2]);
    case 'dense': {
      if (w.kind !== 'dense') throw new Error('dense weights missing');
      return tf.tidy(() => {
        const z = tf.fused.matMul({ a: get(step.input) as tf.Tensor2D, b: w.kernel, bias: w.bias });
        return step.activation === 'softmax' ? tf.softmax(z) : step.activation === 'relu' ? tf.relu(z) : z;
      });
    }
  }
}

/** The steps after the feature map when they are a global pooling and dense layers only (a classifier's head). */
function headOf(plan: InferencePlan, weights: readonly Prepared[]): Head | undefined {
  const at = plan.steps.findIndex((s) => s.kind === 'globalPool' && s.input === plan.featuresId);
  const pool = plan.steps[at];
  if (plan.featuresId === undefined || pool?.kind !== 'globalPool') return undefined;
  const denses: { readonly w: Extract<Prepared, { kind: 'dense' }>; readonly activation: 'softmax' | 'linear' | 'relu' }[] = [];
  let from = pool.out;
  for (let i = at + 1; i < plan.steps.length; i++) {
    const step = plan.steps[i];
    const w = weights[i];
    if (step.kind !== 'dense' || step.input !== from || w.kind !== 'dense') return undefined;
    denses.push({ w, activation: step.activation });
    from = step.out;
  }
  const last = denses.at(-1);
  if (!last || from !== plan.outputId) return undefined;
  return {
    layer: plan.featuresId,
    pooling: pool.mode,
    softmax: last.activation === 'softmax',
    classes: last.w.kernel.shape[1],
    logits: (pooled) =>
      tf.tidy(() => {
        let h: tf.Tensor2D = pooled;
        denses.forEach(({ w, activation }, i) => {
          h = tf.fused.matMul({ a: h, b: w.kernel, bias: w.bias }) as tf.Tensor2D;
          if (i === denses.length - 1) return; // logits: the last activation is left out
          if (activation === 'relu') h = tf.relu(h) as tf.Tensor2D;
          else if (activation === 'softmax') h = tf.softmax(h) as tf.Tensor2D;
        });
        return h;
      }),
  };
}

/** Runs a prepared plan; owns the prepared weights. */
class Runner implements InferenceRunner {
  readonly featureLayer?: string;
  readonly head?: Head;
  readonly stats: InferenceRunner['stats'];
  private disposed = false;

  constructor(
    private readonly plan: InferencePlan,
    private readonly weights: readonly Prepared[],
    private readonly inputShape: readonly number[],
    readonly warmUpInput: readonly number[],
  ) {
    this.featureLayer = plan.featuresId;
    this.head = headOf(plan, weights);
    const foldedBn = plan.steps.filter((s) => s.kind === 'conv' && s.bn).length;
    const winograd = weights.filter((w) => w.kind === 'winograd').length;
    const pointwise = weights.filter((w) => w.kind === 'pointwise').length;
    this.stats = { steps: plan.steps.length, merged: plan.merged, foldedBn, winograd, pointwise };
  }

  predict(x: tf.Tensor4D): tf.Tensor {
    return this.run(x).output;
  }

  run(x: tf.Tensor4D, opts: { readonly features?: boolean } = {}): RunOutput {
    if (this.disposed) throw new Error('this inference runner was disposed');
    const want = this.inputShape;
    if (x.rank !== 4 || x.shape.slice(1).some((d, i) => d !== want[i])) {
      throw new RangeError(`the model expects input [batch, ${want.join(', ')}]; got ${fmtShape(x.shape)}`);
    }
    return this.forward(x, opts);
  }

  async warmUp(opts: { readonly small?: boolean; readonly releaseKernels?: boolean } = {}): Promise<void> {
    if (this.disposed) throw new Error('this inference runner was disposed');
    const [h, w, c] = opts.small ? this.warmUpInput : this.inputShape;
    const x = tf.zeros([1, h, w, c]) as tf.Tensor4D;
    // After a conv has run, its operator is set up (tfjs-wasm runs ops synchronously): its kernel is not read again.
    const release = opts.releaseKernels
      ? (i: number) => {
          const step = this.plan.steps[i];
          const w = this.weights[i];
          // Grouped convs run as a depthwise conv and ops around it: only the plain conv's caching is relied on.
          if (step.kind === 'conv' && step.groups === 1 && w.kind === 'conv') releaseWasmTensorData(w.kernel);
        }
      : undefined;
    const { output } = this.forward(x, {}, release);
    try {
      await output.data();
    } finally {
      tf.dispose([x, output]);
    }
  }

  private forward(x: tf.Tensor4D, opts: { readonly features?: boolean }, afterStep?: (i: number) => void): RunOutput {
    const { steps, lastUse, inputId, outputId } = this.plan;
    const keep = opts.features ? this.plan.featuresId : undefined;
    if (opts.features && keep === undefined) throw new Error('this model has no global pooling, so no feature map for Grad-CAM');
    const values = new Map<string, tf.Tensor>([[inputId, x]]);
    const get = (id: string) => values.get(id)!;
    try {
      steps.forEach((step, i) => {
        values.set(step.out, exec(step, this.weights[i], get));
        afterStep?.(i);
        for (const id of step.kind === 'add' ? step.inputs : [step.input]) {
          if (lastUse.get(id) === i && id !== inputId && id !== keep && id !== outputId) {
            values.get(id)?.dispose();
            values.delete(id);
          }
        }
      });
      const output = values.get(outputId)!;
      const features = keep === undefined ? undefined : (values.get(keep) as tf.Tensor4D);
      values.delete(outputId);
      if (keep !== undefined) values.delete(keep);
      return { output, features };
    } finally {
      values.delete(inputId);
      for (const t of values.values()) t.dispose();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposePrepared(this.weights);
  }
}

function disposePrepared(weights: readonly Prepared[]): void {
  for (const w of weights) {
    if (w.kind === 'conv' || w.kind === 'dense') tf.dispose([w.kernel, ...(w.bias ? [w.bias] : [])]);
    else if (w.kind === 'winograd' || w.kind === 'pointwise') tf.dispose([w.u, ...(w.bias ? [w.bias] : [])]);
    else if (w.kind === 'bn') tf.dispose([w.bn.gamma, w.bn.beta, w.bn.mean, w.bn.variance]);
  }
}

function runnerOf(spec: ArchSpec, src: WeightSource, checkExtra: (byId: ReadonlyMap<string, GraphNode>) => void): InferenceRunner {
  const graph = expand(spec);
  const plan = planInference(graph);
  const warmInput = warmUpInput(spec, graph);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  checkExtra(byId);
  const weights: Prepared[] = [];
  const engine = activeConvEngine();
  try {
    for (const step of plan.steps) weights.push(prepare(step, src, byId, engine));
  } catch (e) {
    disposePrepared(weights);
    throw e;
  }
  return new Runner(plan, weights, spec.input, warmInput);
}

/**
 * The inference runner of `spec` with `model`'s weights (a LayersModel built from the same spec, weights
 * loaded). Throws WeightsMismatchError naming the first layer that is missing or has another shape.
 */
export function createInferenceRunner(spec: ArchSpec, model: tf.LayersModel): InferenceRunner {
  return runnerOf(spec, modelSource(model), (byId) => {
    // A layer with weights that the spec's graph does not have (e.g. a fine-tuned fc1 before `predictions`)
    // would be skipped silently, since the classifier's kernel can keep its shape: refuse such a model.
    const extra = model.layers.find((l) => l.countParams() > 0 && !byId.has(l.name));
    if (extra) throw new WeightsMismatchError(`the model has a layer '${extra.name}' with weights that the spec's graph does not have`, extra.name);
  });
}

/**
 * The inference runner of `spec` straight from decoded weights (`layer/weight` → tensor, Keras names, as
 * src/tf/layers-model-weights.ts `decodeNamedWeights` gives them), with no LayersModel: the runner takes every
 * tensor over — folded convs and BNs are freed as they are folded — and on any error frees them all. Every weight
 * must be used: one the graph has no place for is a WeightsMismatchError, as a missing one or another shape is.
 */
export function inferenceRunnerFromWeights(spec: ArchSpec, named: Map<string, tf.Tensor>): InferenceRunner {
  try {
    const runner = runnerOf(spec, namedSource(named), (byId) => {
      for (const key of named.keys()) {
        const layer = key.slice(0, key.lastIndexOf('/'));
        if (!byId.has(layer)) throw new WeightsMismatchError(`the weights have a layer '${layer}' that the spec's graph does not have`, layer);
      }
    });
    const left = [...named.keys()];
    if (left.length) {
      runner.dispose();
      throw new WeightsMismatchError(`${left.length} weights have no place in ${spec.name}, first "${left[0]}"`, left[0].slice(0, left[0].lastIndexOf('/')));
    }
    return runner;
  } finally {
    for (const t of named.values()) t.dispose();
    named.clear();
  }
}
