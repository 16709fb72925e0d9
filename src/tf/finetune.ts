/**
 * Transfer learning: a new softmax head on a pretrained classifier's pooled features (Keras' "feature
 * extraction" recipe). The base is frozen: each labelled image goes once through the model up to its global
 * pooling (ResNet50: `avg_pool`, 2048-d), optionally also flipped left-right, and only the new Dense head
 * trains, with Adam on the cached features (milliseconds per epoch instead of a forward pass per image).
 *
 * Ownership: the feature extractor and the combined model are built from the base's own layers (no copy of
 * its 23.5M weights). Disposing the combined model disposes those shared layers, so keep one of the two:
 * `adoptCombined` frees the base's old classifier when the combined model takes over, `releaseCombined`
 * frees only the new head when the base stays. Runs in Node (tests) and in the model worker.
 */
import * as tf from '@tensorflow/tfjs';
import { type ArchSpec, DROPOUT_LAYER_NAME, type HeadSpec, HIDDEN_LAYER_NAME } from '../core';
import { CancelledError } from './errors';
import { type EpochLog, epochLog, FINETUNE_DEFAULTS, type FinetuneOptions, HEAD_KINDS, type HeadKind, HIDDEN_UNITS } from './finetune-options';
import { preprocess } from './preprocess';

export {
  type EpochLog,
  FINETUNE_DEFAULTS,
  type FinetuneOptions,
  HEAD_KINDS,
  type HeadKind,
  HIDDEN_UNITS,
} from './finetune-options';

/** A head's architecture and weights: `weights` in layer order ([kernel, bias] per Dense; Dropout has none). */
export interface HeadParams {
  readonly kind: HeadKind;
  readonly dropout: number;
  /** dense: [predictions kernel [d, N], bias [N]]; dense2048: [fc1 kernel [d, 2048], fc1 bias, predictions kernel [2048, N], bias]. */
  readonly weights: readonly tf.Tensor[];
}

/** The trained head. The caller disposes it (`disposeHead`). */
export interface TrainedHead extends HeadParams {
  readonly history: readonly EpochLog[];
  /** 1-based epoch whose weights these are: the lowest validation loss with early stopping, else the last. */
  readonly bestEpoch: number;
  /** True when early stopping ended training before `epochs`. */
  readonly stoppedEarly: boolean;
}

export function disposeHead(h: Pick<HeadParams, 'weights'>): void {
  tf.dispose([...h.weights]);
}

/** Number of classes a head predicts. */
export function headClasses(h: Pick<HeadParams, 'weights'>): number {
  return h.weights[h.weights.length - 1].shape[0];
}

/** Deterministic PRNG (mulberry32): the same seed gives the same split, shuffles and therefore the same head. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates with a seeded PRNG. */
export function shuffled<T>(xs: readonly T[], random: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Split image indices into training and validation, per class so each class keeps ≥ 1 training image and
 * (when it has ≥ 2 images and the split is > 0) ≥ 1 validation image. Deterministic for a seed.
 *
 * `keys` (content hashes, src/core/finetune-hygiene.ts) keep identical files of a class on the same side:
 * the class's distinct files are shuffled as groups and whole groups go to validation until it holds
 * round(n × split) images or more (at least one group stays in training). Without keys every image is its own
 * group, which is the same split as before keys existed.
 */
export function splitIndices(
  labels: readonly number[],
  validationSplit: number,
  seed: number,
  keys?: readonly (string | undefined)[],
): { train: number[]; val: number[] } {
  if (!(validationSplit >= 0 && validationSplit < 1)) {
    throw new RangeError(`validation split must be in [0, 1); got ${validationSplit}`);
  }
  const random = rng(seed);
  const byClass = new Map<number, number[]>();
  labels.forEach((l, i) => {
    byClass.set(l, [...(byClass.get(l) ?? []), i]);
  });
  const train: number[] = [];
  const val: number[] = [];
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(cls)!;
    const groups = new Map<string, number[]>();
    for (const i of members) {
      const k = keys?.[i] ?? `#${i}`;
      groups.set(k, [...(groups.get(k) ?? []), i]);
    }
    const order = shuffled([...groups.values()], random);
    const n = members.length;
    const nVal = validationSplit === 0 || order.length < 2 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * validationSplit)));
    let taken = 0;
    let g = 0;
    for (; g < order.length - 1 && taken < nVal; g++) {
      val.push(...order[g]);
      taken += order[g].length;
    }
    for (; g < order.length; g++) train.push(...order[g]);
  }
  return { train: train.sort((a, b) => a - b), val: val.sort((a, b) => a - b) };
}

const POOLING = new Set(['GlobalAveragePooling2D', 'GlobalMaxPooling2D']);
const HEAD_LAYER = new Set(['Dense', 'Dropout']);

/** The tensors feeding the layer that produced `t`. */
function inboundOf(t: tf.SymbolicTensor): tf.SymbolicTensor[] {
  const node = (t.sourceLayer as unknown as { inboundNodes: { inputTensors: tf.SymbolicTensor[] }[] }).inboundNodes[t.nodeIndex];
  return node?.inputTensors ?? [];
}

/**
 * A classifier's global pooling output (ResNet50: `avg_pool`) and the head layers after it (Dense and
 * Dropout only: one Dense for Keras' own classifiers, fc1 + dropout + predictions for a dense2048 head).
 */
export function splitAtPooling(model: tf.LayersModel): { pooled: tf.SymbolicTensor; head: tf.layers.Layer[] } {
  const head: tf.layers.Layer[] = [];
  let t: tf.SymbolicTensor | undefined = model.outputs[0];
  while (t && HEAD_LAYER.has(t.sourceLayer.getClassName()) && head.length < 4) {
    head.unshift(t.sourceLayer as tf.layers.Layer);
    const inb = inboundOf(t);
    t = inb.length === 1 ? inb[0] : undefined;
  }
  const cls = t?.sourceLayer.getClassName();
  if (!t || !cls || !POOLING.has(cls) || head.length === 0 || head[head.length - 1].getClassName() !== 'Dense') {
    throw new Error(
      `fine-tuning needs a classifier ending in global pooling (avg_pool) and Dense layers; ${model.name} ends in ${cls ?? 'something else'} → ${
        head.map((l) => l.getClassName()).join(' → ') || model.layers.at(-1)?.getClassName() || 'nothing'
      }.`,
    );
  }
  return { pooled: t, head };
}

function poolingOutput(model: tf.LayersModel): tf.SymbolicTensor {
  return splitAtPooling(model).pooled;
}

const extractors = new WeakMap<tf.LayersModel, tf.LayersModel>();

/**
 * The base model up to its global pooling (ResNet50: `avg_pool`, [batch, 2048]), sharing the base's layers.
 * Never dispose it (that would dispose the base's layers); it lives as long as the base.
 */
export function featureExtractor(base: tf.LayersModel): tf.LayersModel {
  let m = extractors.get(base);
  if (!m) {
    m = tf.model({ inputs: base.inputs, outputs: poolingOutput(base), name: `${base.name}_features` });
    extractors.set(base, m);
  }
  return m;
}

/** Width of the pooled features (2048 for ResNet50). */
export function featureSize(base: tf.LayersModel): number {
  return poolingOutput(base).shape[1] as number;
}

/** Let queued messages (a cancel) run: a macrotask, not a microtask. */
export const yieldToEvents = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * The model's input for one image [H, W, 3] (0…255), preprocessed as the Classify view does (centre crop, the
 * family's normalisation): [1, H', W', 3], or [2, …] with its mirror image second when `flip`.
 */
export function modelBatch(spec: Pick<ArchSpec, 'input' | 'preprocessing'>, pixels: tf.Tensor3D, flip = false): tf.Tensor4D {
  return tf.tidy(() => {
    const x = preprocess(pixels, spec, 'center-crop');
    // Normalisation is per channel, so mirroring the normalised input equals normalising the mirror.
    return (flip ? tf.concat([x, tf.reverse(x, 2)], 0) : x) as tf.Tensor4D;
  });
}

/**
 * Pooled features of one image [H, W, 3] (0…255), preprocessed as the Classify view does (centre crop, the
 * family's normalisation): [1, d], or [2, d] with its mirror image second when `flip`. Does not dispose `pixels`.
 */
export function imageFeatures(
  extractor: tf.LayersModel,
  spec: Pick<ArchSpec, 'input' | 'preprocessing'>,
  pixels: tf.Tensor3D,
  flip = false,
): tf.Tensor2D {
  return tf.tidy(() => extractor.predict(modelBatch(spec, pixels, flip)) as tf.Tensor2D);
}

export interface ExampleSet {
  /** [n, d] pooled features (or [n, h, w, c] stage inputs for `finetuneStage`). */
  readonly x: tf.Tensor;
  readonly labels: readonly number[];
  /** Image name of each row (a mirrored row repeats its image's name); absent when unknown. */
  readonly names?: readonly string[];
}

function checkTrainInput(train: ExampleSet, numClasses: number, o: Required<FinetuneOptions>): void {
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new RangeError(`fine-tuning needs at least 2 classes; got ${numClasses}`);
  if (train.x.shape[0] !== train.labels.length) {
    throw new RangeError(`${train.x.shape[0]} feature rows but ${train.labels.length} labels`);
  }
  if (train.labels.length === 0) throw new RangeError('no training images');
  const bad = train.labels.find((l) => !Number.isInteger(l) || l < 0 || l >= numClasses);
  if (bad !== undefined) throw new RangeError(`label ${bad} is not a class index in 0…${numClasses - 1}`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1 || o.epochs > 1000) throw new RangeError(`epochs must be an integer in 1…1000; got ${o.epochs}`);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new RangeError(`batch size must be a positive integer; got ${o.batchSize}`);
  if (!(o.learningRate > 0 && o.learningRate <= 1)) throw new RangeError(`learning rate must be in (0, 1]; got ${o.learningRate}`);
  checkHeadOptions(o);
}

/** Head kind, dropout and patience: RangeError naming the value and what is allowed. */
export function checkHeadOptions(o: Pick<Required<FinetuneOptions>, 'head' | 'dropout' | 'patience'>): void {
  if (!HEAD_KINDS.includes(o.head)) throw new RangeError(`head must be one of ${HEAD_KINDS.join(', ')}; got ${JSON.stringify(o.head)}`);
  if (!(o.dropout >= 0 && o.dropout < 1)) throw new RangeError(`dropout must be in [0, 1); got ${o.dropout}`);
  checkPatience(o.patience);
}

/**
 * Early stopping's patience (the head's phase and conv5's): a non-negative integer, and > 0 only with a validation
 * set to watch (`hasVal`; omitted: not checked here). RangeError naming the value.
 */
export function checkPatience(patience: number, hasVal?: boolean): void {
  if (!Number.isInteger(patience) || patience < 0) throw new RangeError(`patience must be a non-negative integer (0 = no early stopping); got ${patience}`);
  if (patience > 0 && hasVal === false) throw new RangeError(`early stopping (patience ${patience}) needs a validation set; set a validation split > 0 or patience 0`);
}

export function withDefaults(o: FinetuneOptions = {}): Required<FinetuneOptions> {
  return { ...FINETUNE_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as Required<FinetuneOptions>;
}

/** Fresh head weights: Keras' Dense defaults (Glorot-uniform kernel, seeded; zero bias). */
export function initHead(kind: HeadKind, d: number, numClasses: number, seed: number): tf.Tensor[] {
  const glorot = (shape: [number, number], s: number) => tf.initializers.glorotUniform({ seed: s }).apply(shape) as tf.Tensor2D;
  if (kind === 'dense') return [glorot([d, numClasses], seed), tf.zeros([numClasses])];
  return [glorot([d, HIDDEN_UNITS], seed), tf.zeros([HIDDEN_UNITS]), glorot([HIDDEN_UNITS, numClasses], seed + 7919), tf.zeros([numClasses])];
}

/**
 * The head's logits for features `x` [n, d], in the layer order of `combinedModel`. `dropSeed` applies the
 * Dropout (inverted dropout, as Keras: kept units scaled by 1/(1-rate)) with a seeded mask; omitted = inference.
 */
export function headLogits(kind: HeadKind, dropout: number, w: readonly tf.Tensor[], x: tf.Tensor, dropSeed?: number): tf.Tensor2D {
  const drop = (h: tf.Tensor) => (dropSeed !== undefined && dropout > 0 ? tf.dropout(h, dropout, undefined, dropSeed) : h);
  if (kind === 'dense') return tf.add(tf.matMul(drop(x) as tf.Tensor2D, w[0] as tf.Tensor2D), w[1]) as tf.Tensor2D;
  const h = tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, w[0] as tf.Tensor2D), w[1])) as tf.Tensor2D;
  return tf.add(tf.matMul(drop(h) as tf.Tensor2D, w[2] as tf.Tensor2D), w[3]) as tf.Tensor2D;
}

/** Softmax probabilities of a head on features [n, d] (inference: no dropout). */
export function headProbs(head: HeadParams, x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => tf.softmax(headLogits(head.kind, head.dropout, head.weights, x)));
}

/** Mean cross-entropy and accuracy of logits against labels. */
export async function lossAndAccuracy(logits: () => tf.Tensor2D, labels: readonly number[], numClasses: number): Promise<{ loss: number; accuracy: number }> {
  const out = tf.tidy(() => {
    const z = logits();
    const y = tf.oneHot(tf.tensor1d([...labels], 'int32'), numClasses);
    const l = tf.losses.softmaxCrossEntropy(y, z);
    const a = tf.mean(tf.cast(tf.equal(tf.argMax(z, 1), tf.argMax(y, 1)), 'float32'));
    return tf.stack([l, a]);
  });
  const [loss, accuracy] = await out.data();
  out.dispose();
  return { loss, accuracy };
}

/** Keras EarlyStopping(monitor='val_loss', min_delta=0, restore_best_weights) bookkeeping. */
export class BestKeeper {
  private best = Number.POSITIVE_INFINITY;
  private wait = 0;
  bestEpoch = 0;
  saved?: tf.Tensor[];

  constructor(private readonly patience: number) {}

  /** After epoch `epoch` with validation loss `valLoss`; returns true when training should stop. */
  update(epoch: number, valLoss: number | undefined, current: readonly tf.Tensor[]): boolean {
    if (valLoss === undefined) {
      this.bestEpoch = epoch;
      return false;
    }
    if (valLoss < this.best) {
      this.best = valLoss;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.patience > 0) {
        tf.dispose(this.saved ?? []);
        this.saved = current.map((t) => tf.clone(t));
      }
      return false;
    }
    this.wait++;
    return this.patience > 0 && this.wait >= this.patience;
  }

  dispose(): void {
    tf.dispose(this.saved ?? []);
    this.saved = undefined;
  }
}

/**
 * Train a head (`opts.head`: Dense(N) or Dense(2048, relu) + Dense(N), optional Dropout; Keras' Dense
 * initialisers, seeded) on features with Adam and softmax cross-entropy. Calls `onEpoch` after every epoch;
 * `signal` cancels between batches (CancelledError, nothing leaks). With `patience` > 0 and a validation set,
 * stops early and returns the best epoch's weights. Does not dispose the inputs.
 */
export async function trainHead(
  train: ExampleSet,
  numClasses: number,
  opts: FinetuneOptions & { val?: ExampleSet; onEpoch?: (log: EpochLog) => void; signal?: AbortSignal } = {},
): Promise<TrainedHead> {
  const o = withDefaults(opts);
  checkTrainInput(train, numClasses, o);
  const hasVal = !!opts.val && opts.val.labels.length > 0;
  checkPatience(o.patience, hasVal);
  const d = train.x.shape[1] as number;
  // tf.variable shares the initial tensor's data but not its handle: dispose the handles here.
  const init = initHead(o.head, d, numClasses, o.seed);
  const vars = init.map((t) => tf.variable(t, true));
  tf.dispose(init);
  const optimizer = tf.train.adam(o.learningRate);
  const random = rng(o.seed + 1);
  const history: EpochLog[] = [];
  const keeper = new BestKeeper(o.patience);
  const n = train.labels.length;
  let stoppedEarly = false;
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const t0 = performance.now();
      const order = shuffled(
        Array.from({ length: n }, (_, i) => i),
        random,
      );
      let lossSum = 0;
      let correct = 0;
      for (let start = 0; start < n; start += o.batchSize) {
        if (opts.signal?.aborted) throw new CancelledError('fine-tuning');
        const idx = order.slice(start, start + o.batchSize);
        const dropSeed = Math.floor(random() * 2 ** 31);
        const stats = tf.tidy(() => {
          const ix = tf.tensor1d(idx, 'int32');
          const xb = tf.gather(train.x, ix);
          const yb = tf.oneHot(tf.tensor1d(idx.map((i) => train.labels[i]), 'int32'), numClasses);
          let hits: tf.Tensor | undefined;
          const loss = optimizer.minimize(
            () => {
              const logits = headLogits(o.head, o.dropout, vars, xb, dropSeed);
              // Accuracy of the predictions the loss is taken on (before this step's update), as Keras reports.
              hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(yb, 1)), 'float32')));
              return tf.losses.softmaxCrossEntropy(yb, logits) as tf.Scalar;
            },
            true,
            vars,
          )!;
          const out = tf.stack([tf.mul(loss, idx.length), hits!]);
          hits!.dispose();
          return out;
        });
        const [l, c] = await stats.data();
        stats.dispose();
        lossSum += l;
        correct += c;
      }
      const v = hasVal ? await lossAndAccuracy(() => headLogits(o.head, o.dropout, vars, opts.val!.x), opts.val!.labels, numClasses) : undefined;
      const log = epochLog(epoch, o.epochs, { lossSum, correct, n }, v, t0);
      history.push(log);
      opts.onEpoch?.(log);
      const stop = keeper.update(epoch, v?.loss, vars);
      await yieldToEvents();
      if (stop && epoch < o.epochs) {
        stoppedEarly = true;
        break;
      }
    }
    if (opts.signal?.aborted) throw new CancelledError('fine-tuning');
    const weights = keeper.saved ?? vars.map((t) => tf.clone(t));
    keeper.saved = undefined;
    return { kind: o.head, dropout: o.dropout, weights, history, bestEpoch: o.patience > 0 ? keeper.bestEpoch : history.length, stoppedEarly };
  } finally {
    keeper.dispose();
    optimizer.dispose();
    tf.dispose(vars);
  }
}

/**
 * A head's extra layers as the ArchSpec describes them (HeadSpec.hidden / dropout): the one mapping from a head
 * kind to its architecture, read by `finetunedSpec` and `headLayers` alike.
 */
export function headExtras(kind: HeadKind, dropout: number): Pick<HeadSpec, 'hidden' | 'dropout'> {
  return {
    ...(kind === 'dense2048' ? { hidden: { units: HIDDEN_UNITS, activation: 'relu' as const } } : {}),
    ...(dropout > 0 ? { dropout } : {}),
  };
}

/** Keras layers of a head, named as Keras' tutorial names them (fc1, dropout, predictions), weights not set. */
export function headLayers(kind: HeadKind, dropout: number, classes: number): tf.layers.Layer[] {
  const { hidden, dropout: rate } = headExtras(kind, dropout);
  const out: tf.layers.Layer[] = [];
  if (hidden) out.push(tf.layers.dense({ units: hidden.units, activation: hidden.activation, name: HIDDEN_LAYER_NAME }));
  if (rate) out.push(tf.layers.dropout({ rate, name: DROPOUT_LAYER_NAME }));
  out.push(tf.layers.dense({ units: classes, activation: 'softmax', name: 'predictions' }));
  return out;
}

/** Layers a combined model owns (its head, and its own last stage when fine-tuned), for `releaseCombined`. */
const owned = new WeakMap<tf.LayersModel, tf.layers.Layer[]>();

/** A fine-tuned last stage's own layers, applied to the base's stage input (src/tf/finetune-stage.ts); returns the new pooled output. */
export type StageBuilder = (base: tf.LayersModel) => { output: tf.SymbolicTensor; layers: tf.layers.Layer[] };

/**
 * The base up to its pooling + the head's layers with its weights (copied in). `stage` (from
 * `finetuneStage`) replaces the base's last stage (conv5 … avg_pool) with fine-tuned copies; the rest of the
 * base's layers are shared, not copied.
 */
export function combinedModel(
  base: tf.LayersModel,
  head: HeadParams,
  name = `${base.name}_finetuned`,
  stage?: { build: StageBuilder },
): tf.LayersModel {
  let pooled = poolingOutput(base);
  const own: tf.layers.Layer[] = [];
  if (stage) {
    const built = stage.build(base);
    pooled = built.output;
    own.push(...built.layers);
  }
  const expect = head.kind === 'dense' ? 2 : 4;
  if (head.weights.length !== expect) throw new RangeError(`a ${head.kind} head has ${expect} weight tensors; got ${head.weights.length}`);
  if (head.weights[0].shape[0] !== pooled.shape[1]) {
    throw new RangeError(`the head takes ${head.weights[0].shape[0]} features but ${base.name} pools ${pooled.shape[1]}`);
  }
  const layers = headLayers(head.kind, head.dropout, headClasses(head));
  let t = pooled;
  for (const l of layers) t = l.apply(t) as tf.SymbolicTensor;
  const dense = layers.filter((l) => l.getClassName() === 'Dense');
  dense.forEach((l, i) => {
    l.setWeights(head.weights.slice(2 * i, 2 * i + 2));
  });
  const model = tf.model({ inputs: base.inputs, outputs: t, name });
  owned.set(model, [...own, ...layers]);
  return model;
}

/**
 * The combined model replaces the base: free the base's layers the combined model does not use (its old head,
 * and its last stage when the combined model has its own). Without `combined`, frees the base's head.
 */
export function adoptCombined(base: tf.LayersModel, combined?: tf.LayersModel): void {
  if (combined) {
    const keep = new Set(combined.layers);
    for (const l of base.layers) if (!keep.has(l)) l.dispose();
    return;
  }
  for (const l of splitAtPooling(base).head) l.dispose();
}

/** Drop a combined model but keep the base: free only the layers it added (head, own last stage). */
export function releaseCombined(combined: tf.LayersModel): void {
  const layers = owned.get(combined) ?? [combined.layers[combined.layers.length - 1]];
  owned.delete(combined);
  for (const l of layers) l.dispose();
}

/**
 * The spec of a fine-tuned model (for rebuilding it, e.g. on another backend, and for the diagram, analysis and
 * exporters): the base with the head's hidden `fc1` and `dropout` (HeadSpec.hidden / dropout) and N softmax
 * classes. `buildModel` of it has the combined model's layers, names and weight order. Without `head`: a plain
 * Dense(N) head (any `hidden`/`dropout` of the base's spec is dropped).
 */
export function finetunedSpec(base: ArchSpec, classes: number, head: Pick<HeadParams, 'kind' | 'dropout'> = { kind: 'dense', dropout: 0 }): ArchSpec {
  const { hidden: _h, dropout: _d, ...baseHead } = base.head;
  return {
    ...base,
    name: base.name.endsWith('-finetuned') ? base.name : `${base.name}-finetuned`,
    head: {
      ...baseHead,
      includeTop: true,
      pooling: 'avg',
      classes,
      classifierActivation: 'softmax',
      classifierName: 'predictions',
      ...headExtras(head.kind, head.dropout),
    },
  };
}

/**
 * A fine-tuned model saved by this app (tfjs files): its class names (`userDefinedMetadata.classNames`),
 * BatchNormalization epsilon (from the topology; the ImageNet base uses 1e-3), and its head's kind and dropout
 * (from the topology: a Dense `fc1` means dense2048, a Dropout `dropout` its rate). Undefined for other models.
 */
export function finetunedFromArtifacts(a: tf.io.ModelArtifacts): { classNames: string[]; bnEpsilon?: number; head: HeadKind; dropout: number } | undefined {
  const names = (a.userDefinedMetadata as { classNames?: unknown } | undefined)?.classNames;
  if (!Array.isArray(names) || names.length < 2 || !names.every((n) => typeof n === 'string' && n.length > 0)) return undefined;
  type L = { class_name?: string; config?: { epsilon?: unknown; name?: unknown; rate?: unknown } };
  const topo = a.modelTopology as { config?: { layers?: L[] }; model_config?: { config?: { layers?: L[] } } } | undefined;
  const layers = topo?.config?.layers ?? topo?.model_config?.config?.layers;
  const eps = layers?.find((l) => l.class_name === 'BatchNormalization')?.config?.epsilon;
  const fc1 = layers?.some((l) => l.class_name === 'Dense' && l.config?.name === 'fc1');
  const rate = layers?.find((l) => l.class_name === 'Dropout' && l.config?.name === 'dropout')?.config?.rate;
  return {
    classNames: names as string[],
    bnEpsilon: typeof eps === 'number' ? eps : undefined,
    head: fc1 ? 'dense2048' : 'dense',
    dropout: typeof rate === 'number' ? rate : 0,
  };
}
