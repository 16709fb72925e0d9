/**
 * Fine-tuning the last stage after the head (Keras' two-phase transfer-learning recipe,
 * https://keras.io/guides/transfer_learning/ "Fine-tuning"): unfreeze the top of the base — here every layer
 * from the first `conv5_*` layer to the global pooling — and train it with the head at a learning rate 10×
 * smaller, BatchNormalization kept in inference mode (the guide: call the base with `training=False`, so BN
 * uses and keeps its moving mean and variance; its gamma and beta still train, as in the guide).
 *
 * Efficiency: the frozen part (conv1…conv4) is run once per image by `extractDataset({stage: true})`, which
 * keeps the last stage's input (ResNet50: conv4_block6_out, [14, 14, 1024]); only conv5 + pooling + head run
 * per step. Training happens on copies of the stage's layers (same configs and names, weights copied), so the
 * base is untouched; the result's `build` puts trained copies into a combined model (`combinedModel(…, stage)`).
 */
import * as tf from '@tensorflow/tfjs';
import { CancelledError } from './errors';
import {
  BestKeeper,
  checkPatience,
  type EpochLog,
  type ExampleSet,
  type HeadParams,
  headLogits,
  lossAndAccuracy,
  rng,
  type StageBuilder,
  shuffled,
  splitAtPooling,
  type TrainedHead,
  yieldToEvents,
} from './finetune';
import { epochLog } from './finetune-options';
import { trainingProblem } from './training-kernels';

export const STAGE_PREFIX = 'conv5_';

export class StageError extends Error {
  override readonly name = 'StageError';
}

function inbound(t: tf.SymbolicTensor): tf.SymbolicTensor[] {
  const node = (t.sourceLayer as unknown as { inboundNodes: { inputTensors: tf.SymbolicTensor[] }[] }).inboundNodes[t.nodeIndex];
  return node?.inputTensors ?? [];
}

interface Cut {
  /** The last stage's input in the base (ResNet50: conv4_block6_out). */
  readonly cut: tf.SymbolicTensor;
  /** The base's layers from the first conv5 layer to the pooling, in the base's (topological) order. */
  readonly layers: readonly tf.layers.Layer[];
  /** Each layer's output tensor in the base. */
  readonly outputs: ReadonlyMap<tf.layers.Layer, tf.SymbolicTensor>;
  readonly pooled: tf.SymbolicTensor;
}

const cuts = new WeakMap<tf.LayersModel, Cut>();

/** Where the last stage starts: the input of the first layer named `conv5_*`, and the layers up to the pooling. */
export function stageCut(base: tf.LayersModel): Cut {
  const hit = cuts.get(base);
  if (hit) return hit;
  const first = base.layers.find((l) => l.name.startsWith(STAGE_PREFIX));
  if (!first) throw new StageError(`${base.name} has no layer named ${STAGE_PREFIX}…: fine-tuning the last stage needs a ResNet with a conv5 stage (Keras names).`);
  const cut = inbound(first.output as tf.SymbolicTensor)[0];
  const { pooled } = splitAtPooling(base);
  const outputs = new Map<tf.layers.Layer, tf.SymbolicTensor>();
  const stack = [pooled];
  while (stack.length) {
    const t = stack.pop()!;
    if (t.id === cut.id) continue;
    const l = t.sourceLayer as tf.layers.Layer;
    if (outputs.has(l)) continue;
    if (l.getClassName() === 'InputLayer') {
      throw new StageError(`${base.name}'s last stage is not fed only by ${cut.sourceLayer.name}: ${l.name} reaches the pooling without it.`);
    }
    outputs.set(l, t);
    stack.push(...inbound(t));
  }
  const layers = base.layers.filter((l) => outputs.has(l));
  const c = { cut, layers, outputs, pooled };
  cuts.set(base, c);
  return c;
}

/** Names of the layers `finetuneStage` trains (ResNet50: conv5_block1_1_conv … avg_pool). */
export function stageLayerNames(base: tf.LayersModel): string[] {
  return stageCut(base).layers.map((l) => l.name);
}

type FromConfig = [unknown, (cls: unknown, config: tf.serialization.ConfigDict) => tf.layers.Layer];

/** New layers with the stage's configs (and names), applied to `input`; weights from `weights` or the base. */
export function copyStage(
  base: tf.LayersModel,
  input: tf.SymbolicTensor,
  weights?: readonly (readonly tf.Tensor[])[],
): { output: tf.SymbolicTensor; layers: tf.layers.Layer[] } {
  const c = stageCut(base);
  const map = new Map<number, tf.SymbolicTensor>([[c.cut.id, input]]);
  const registry = tf.serialization.SerializationMap.getMap().classNameMap as unknown as Record<string, FromConfig>;
  const made: tf.layers.Layer[] = [];
  try {
    for (const l of c.layers) {
      const entry = registry[l.getClassName()];
      if (!entry) throw new StageError(`cannot copy layer ${l.name}: tfjs has no class ${l.getClassName()}`);
      const copy = entry[1](entry[0], l.getConfig());
      made.push(copy);
      const ins = inbound(c.outputs.get(l)!).map((t) => {
        const m = map.get(t.id);
        if (!m) throw new StageError(`layer ${l.name} takes ${t.name}, which is outside the last stage`);
        return m;
      });
      map.set(c.outputs.get(l)!.id, copy.apply(ins.length === 1 ? ins[0] : ins) as tf.SymbolicTensor);
    }
    made.forEach((copy, i) => {
      const w = weights ? weights[i] : c.layers[i].getWeights();
      if (w.length) copy.setWeights([...w]);
    });
  } catch (e) {
    for (const l of made) {
      try {
        l.dispose();
      } catch {
        // never applied: it holds no weights
      }
    }
    throw e;
  }
  return { output: map.get(c.pooled.id)!, layers: made };
}

/** A trained last stage: each stage layer's weights (all of them, BN moving statistics included), layer order. */
export interface FinetunedStage {
  readonly layerNames: readonly string[];
  readonly weights: readonly (readonly tf.Tensor[])[];
  /** For `combinedModel(base, head, name, stage)`. */
  readonly build: StageBuilder;
}

export function disposeStage(s: FinetunedStage): void {
  tf.dispose(s.weights.flat());
}

export interface StageOptions {
  /** Passes over the cached stage inputs (default 1). */
  readonly epochs?: number;
  /** Default 8. */
  readonly batchSize?: number;
  /** Adam's learning rate; default 1e-4, 10× below the head's default 1e-3 (the two-phase recipe's smaller step). */
  readonly learningRate?: number;
  readonly seed?: number;
  /**
   * Early stopping on validation loss, as the head's (`FinetuneOptions.patience`: Keras EarlyStopping with
   * restore_best_weights): stop after this many epochs without a lower loss and keep the best epoch's conv5 and
   * head. 0 (default): every epoch runs and the last one's weights are kept.
   */
  readonly patience?: number;
  readonly signal?: AbortSignal;
  readonly onBatch?: (done: number, total: number, epoch: number) => void;
  readonly onEpoch?: (log: EpochLog) => void;
}

export const STAGE_DEFAULTS = { epochs: 1, batchSize: 8, learningRate: 1e-4, seed: 42, patience: 0 } as const;

export interface StageResult {
  readonly head: TrainedHead;
  readonly stage: FinetunedStage;
  /** Validation loss and accuracy of the head alone (before this phase); absent without a validation set. */
  readonly before?: { readonly valLoss: number; readonly valAccuracy: number };
  readonly history: readonly EpochLog[];
  readonly msPerEpoch: number;
}

/** Pooled features of stage inputs through `top`, in batches (inference; BN in inference mode). */
function pooledOf(top: tf.LayersModel, x: tf.Tensor, batch: number): tf.Tensor2D {
  return tf.tidy(() => {
    const n = x.shape[0];
    const parts: tf.Tensor[] = [];
    for (let s = 0; s < n; s += batch) parts.push(top.apply(tf.slice(x, s, Math.min(batch, n - s)), { training: false }) as tf.Tensor);
    return (parts.length === 1 ? parts[0] : tf.concat(parts, 0)) as tf.Tensor2D;
  });
}

/**
 * Train the base's last stage and `head` together on cached stage inputs (`extractDataset({stage: true})`),
 * BN in inference mode, seeded Adam. Progress per batch and epoch, `signal` cancels between batches
 * (CancelledError; nothing leaks). Returns new head and stage weights; the caller disposes them
 * (`disposeHead`, `disposeStage`). Does not touch `base`, `head` or the data.
 */
export async function finetuneStage(
  base: tf.LayersModel,
  head: HeadParams,
  data: { readonly train: ExampleSet; readonly val?: ExampleSet },
  numClasses: number,
  opts: StageOptions = {},
): Promise<StageResult> {
  const o = { ...STAGE_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as Required<Omit<StageOptions, 'signal' | 'onBatch' | 'onEpoch'>>;
  if (!Number.isInteger(o.epochs) || o.epochs < 1 || o.epochs > 100) throw new RangeError(`stage epochs must be an integer in 1…100; got ${o.epochs}`);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new RangeError(`batch size must be a positive integer; got ${o.batchSize}`);
  if (!(o.learningRate > 0 && o.learningRate <= 1)) throw new RangeError(`learning rate must be in (0, 1]; got ${o.learningRate}`);
  checkPatience(o.patience, !!data.val && data.val.labels.length > 0);
  const problem = trainingProblem(tf.getBackend());
  if (problem) throw new StageError(`${problem} (the wasm backend needs registerWasmTrainingKernels, src/tf/wasm-train)`);
  const { train, val } = data;
  const c = stageCut(base);
  const want = c.cut.shape.slice(1);
  if (train.x.rank !== 4 || want.some((d, i) => d !== null && d !== train.x.shape[i + 1])) {
    throw new RangeError(`stage inputs must be [n, ${want.join(', ')}] (extractDataset with stage: true); got [${train.x.shape.join(', ')}]`);
  }
  if (train.labels.length !== train.x.shape[0] || train.labels.length === 0) throw new RangeError(`${train.x.shape[0]} stage inputs but ${train.labels.length} labels`);
  const input = tf.input({ shape: want as number[] });
  const copy = copyStage(base, input);
  const top = tf.model({ inputs: input, outputs: copy.output, name: `${base.name}_stage` });
  const headVars = head.weights.map((w) => tf.variable(w, true));
  const stageVars = top.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.adam(o.learningRate);
  const random = rng(o.seed + 2);
  const hasVal = !!val && val.labels.length > 0;
  const evalVal = async () => {
    const f = pooledOf(top, val!.x, o.batchSize);
    try {
      return await lossAndAccuracy(() => headLogits(head.kind, head.dropout, headVars, f), val!.labels, numClasses);
    } finally {
      f.dispose();
    }
  };
  const history: EpochLog[] = [];
  const keeper = new BestKeeper(o.patience);
  const trained = [...stageVars, ...headVars];
  let stoppedEarly = false;
  const n = train.labels.length;
  const batches = Math.ceil(n / o.batchSize);
  try {
    const b = hasVal ? await evalVal() : undefined;
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const t0 = performance.now();
      const order = shuffled(
        Array.from({ length: n }, (_, i) => i),
        random,
      );
      let lossSum = 0;
      let correct = 0;
      for (let k = 0; k < batches; k++) {
        if (opts.signal?.aborted) throw new CancelledError('fine-tuning the last stage');
        const idx = order.slice(k * o.batchSize, (k + 1) * o.batchSize);
        const dropSeed = Math.floor(random() * 2 ** 31);
        const stats = tf.tidy(() => {
          const xb = tf.gather(train.x, tf.tensor1d(idx, 'int32'));
          const yb = tf.oneHot(tf.tensor1d(idx.map((i) => train.labels[i]), 'int32'), numClasses);
          let hits: tf.Tensor | undefined;
          const loss = optimizer.minimize(
            () => {
              // training: false keeps BatchNormalization in inference mode (moving statistics used, not updated).
              const f = top.apply(xb, { training: false }) as tf.Tensor2D;
              const logits = headLogits(head.kind, head.dropout, headVars, f, dropSeed);
              hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(yb, 1)), 'float32')));
              return tf.losses.softmaxCrossEntropy(yb, logits) as tf.Scalar;
            },
            true,
            [...stageVars, ...headVars],
          )!;
          const out = tf.stack([tf.mul(loss, idx.length), hits!]);
          hits!.dispose();
          return out;
        });
        const [l, cc] = await stats.data();
        stats.dispose();
        lossSum += l;
        correct += cc;
        opts.onBatch?.(k + 1, batches, epoch);
        await yieldToEvents();
      }
      const v = hasVal ? await evalVal() : undefined;
      const log = epochLog(epoch, o.epochs, { lossSum, correct, n }, v, t0);
      history.push(log);
      opts.onEpoch?.(log);
      if (keeper.update(epoch, v?.loss, trained) && epoch < o.epochs) {
        stoppedEarly = true;
        break;
      }
    }
    if (opts.signal?.aborted) throw new CancelledError('fine-tuning the last stage');
    // The best epoch's values back into the variables the weights are read from (BN statistics never change).
    keeper.saved?.forEach((t, i) => {
      trained[i].assign(t);
    });
    const weights = copy.layers.map((l) => l.getWeights().map((w) => tf.clone(w)));
    const stage: FinetunedStage = {
      layerNames: copy.layers.map((l) => l.name),
      weights,
      build: (b2) => copyStage(b2, stageCut(b2).cut, weights),
    };
    return {
      head: {
        kind: head.kind,
        dropout: head.dropout,
        weights: headVars.map((v) => tf.clone(v)),
        history,
        bestEpoch: o.patience > 0 ? keeper.bestEpoch : history.length,
        stoppedEarly,
      },
      stage,
      ...(b ? { before: { valLoss: b.loss, valAccuracy: b.accuracy } } : {}),
      history,
      msPerEpoch: history.reduce((a, l) => a + l.ms, 0) / history.length,
    };
  } finally {
    keeper.dispose();
    optimizer.dispose();
    tf.dispose(headVars);
    top.dispose();
  }
}

/** Pooled features of stage inputs ([n, h, w, c]) through a fine-tuned stage (inference), in batches; the caller disposes. */
export function stagePooled(base: tf.LayersModel, stage: FinetunedStage, x: tf.Tensor, batch = 8): tf.Tensor2D {
  const c = stageCut(base);
  const input = tf.input({ shape: c.cut.shape.slice(1) as number[] });
  const copy = copyStage(base, input, stage.weights);
  const top = tf.model({ inputs: input, outputs: copy.output });
  try {
    return pooledOf(top, x, batch);
  } finally {
    top.dispose();
  }
}
