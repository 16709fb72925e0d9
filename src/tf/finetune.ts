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
import type { ArchSpec } from '../core';
import { CancelledError } from './errors';
import { preprocess } from './preprocess';

export interface FinetuneOptions {
  /** Passes over the training features (default 10). */
  readonly epochs?: number;
  readonly batchSize?: number;
  /** Adam learning rate (default 1e-3, Keras' default). */
  readonly learningRate?: number;
  /** Fraction of each class's images held out for validation (default 0.2; 0 for none). */
  readonly validationSplit?: number;
  /** Also train on the left-right mirror of each training image (not of validation images). */
  readonly flip?: boolean;
  /** Seeds the head's initialisation and every shuffle (default 42). */
  readonly seed?: number;
}

export const FINETUNE_DEFAULTS = { epochs: 10, batchSize: 16, learningRate: 1e-3, validationSplit: 0.2, flip: true, seed: 42 } as const;

export interface EpochLog {
  /** 1-based. */
  readonly epoch: number;
  readonly epochs: number;
  /** Mean cross-entropy and accuracy over the epoch's training batches (as Keras reports them). */
  readonly loss: number;
  readonly accuracy: number;
  /** On the held-out images after the epoch; absent without a validation set. */
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  readonly ms: number;
}

/** The trained head: a Dense softmax layer's weights. The caller disposes them. */
export interface TrainedHead {
  readonly kernel: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
  readonly history: readonly EpochLog[];
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
 */
export function splitIndices(labels: readonly number[], validationSplit: number, seed: number): { train: number[]; val: number[] } {
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
    const idx = shuffled(byClass.get(cls)!, random);
    const nVal = validationSplit === 0 || idx.length < 2 ? 0 : Math.min(idx.length - 1, Math.max(1, Math.round(idx.length * validationSplit)));
    val.push(...idx.slice(0, nVal));
    train.push(...idx.slice(nVal));
  }
  return { train: train.sort((a, b) => a - b), val: val.sort((a, b) => a - b) };
}

/** The classifier's last layer (Dense) and the pooling layer that feeds it. */
function poolingOutput(model: tf.LayersModel): tf.SymbolicTensor {
  const last = model.layers[model.layers.length - 1];
  const input = last?.input as tf.SymbolicTensor | tf.SymbolicTensor[] | undefined;
  const pool = Array.isArray(input) ? undefined : input;
  const cls = pool?.sourceLayer.getClassName();
  if (last?.getClassName() !== 'Dense' || !pool || (cls !== 'GlobalAveragePooling2D' && cls !== 'GlobalMaxPooling2D')) {
    throw new Error(
      `fine-tuning needs a classifier ending in global pooling (avg_pool) and a Dense layer; ${model.name} ends in ${cls ?? 'nothing'} → ${last?.getClassName() ?? 'nothing'}.`,
    );
  }
  return pool;
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
 * Pooled features of one image [H, W, 3] (0…255), preprocessed as the Classify view does (centre crop, the
 * family's normalisation): [1, d], or [2, d] with its mirror image second when `flip`. Does not dispose `pixels`.
 */
export function imageFeatures(
  extractor: tf.LayersModel,
  spec: Pick<ArchSpec, 'input' | 'preprocessing'>,
  pixels: tf.Tensor3D,
  flip = false,
): tf.Tensor2D {
  return tf.tidy(() => {
    const x = preprocess(pixels, spec, 'center-crop');
    // Normalisation is per channel, so mirroring the normalised input equals normalising the mirror.
    const batch = flip ? tf.concat([x, tf.reverse(x, 2)], 0) : x;
    return extractor.predict(batch) as tf.Tensor2D;
  });
}

export interface ExampleSet {
  /** [n, d] features. */
  readonly x: tf.Tensor2D;
  readonly labels: readonly number[];
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
}

export function withDefaults(o: FinetuneOptions = {}): Required<FinetuneOptions> {
  return { ...FINETUNE_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as Required<FinetuneOptions>;
}

/** Mean cross-entropy and accuracy of the head on a set (one pass, no gradients). */
async function evaluate(kernel: tf.Variable, bias: tf.Variable, set: ExampleSet, numClasses: number): Promise<{ loss: number; accuracy: number }> {
  const [loss, acc] = tf.tidy(() => {
    const logits = tf.add(tf.matMul(set.x, kernel), bias);
    const y = tf.oneHot(tf.tensor1d([...set.labels], 'int32'), numClasses);
    const l = tf.losses.softmaxCrossEntropy(y, logits);
    const a = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32'));
    return [l, a];
  });
  const [lv, av] = [(await loss.data())[0], (await acc.data())[0]];
  tf.dispose([loss, acc]);
  return { loss: lv, accuracy: av };
}

/**
 * Train a Dense softmax head (Glorot-uniform kernel seeded, zero bias; Keras' Dense defaults) on features with
 * Adam and softmax cross-entropy. Calls `onEpoch` after every epoch; `signal` cancels between batches
 * (CancelledError, nothing leaks). Does not dispose the inputs.
 */
export async function trainHead(
  train: ExampleSet,
  numClasses: number,
  opts: FinetuneOptions & { val?: ExampleSet; onEpoch?: (log: EpochLog) => void; signal?: AbortSignal } = {},
): Promise<TrainedHead> {
  const o = withDefaults(opts);
  checkTrainInput(train, numClasses, o);
  const d = train.x.shape[1];
  // tf.variable shares the initial tensor's data but not its handle: dispose the handles here.
  const init = [tf.initializers.glorotUniform({ seed: o.seed }).apply([d, numClasses]) as tf.Tensor2D, tf.zeros([numClasses])] as const;
  const kernel = tf.variable(init[0], true);
  const bias = tf.variable(init[1], true);
  tf.dispose([...init]);
  const optimizer = tf.train.adam(o.learningRate);
  const random = rng(o.seed + 1);
  const history: EpochLog[] = [];
  const n = train.labels.length;
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
        const stats = tf.tidy(() => {
          const ix = tf.tensor1d(idx, 'int32');
          const xb = tf.gather(train.x, ix);
          const yb = tf.oneHot(tf.tensor1d(idx.map((i) => train.labels[i]), 'int32'), numClasses);
          let hits: tf.Tensor | undefined;
          const loss = optimizer.minimize(
            () => {
              const logits = tf.add(tf.matMul(xb, kernel), bias);
              // Accuracy of the predictions the loss is taken on (before this step's update), as Keras reports.
              hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(yb, 1)), 'float32')));
              return tf.losses.softmaxCrossEntropy(yb, logits) as tf.Scalar;
            },
            true,
            [kernel, bias],
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
      const log: EpochLog = {
        epoch,
        epochs: o.epochs,
        loss: lossSum / n,
        accuracy: correct / n,
        ...(opts.val && opts.val.labels.length > 0 ? await evaluate(kernel, bias, opts.val, numClasses).then((v) => ({ valLoss: v.loss, valAccuracy: v.accuracy })) : {}),
        ms: performance.now() - t0,
      };
      history.push(log);
      opts.onEpoch?.(log);
      await yieldToEvents();
    }
    if (opts.signal?.aborted) throw new CancelledError('fine-tuning');
    return { kernel: tf.clone(kernel) as tf.Tensor2D, bias: tf.clone(bias) as tf.Tensor1D, history };
  } finally {
    optimizer.dispose();
    kernel.dispose();
    bias.dispose();
  }
}

/** The base up to its pooling + a new Dense softmax `predictions` with the head's weights (copied in). */
export function combinedModel(base: tf.LayersModel, head: Pick<TrainedHead, 'kernel' | 'bias'>, name = `${base.name}_finetuned`): tf.LayersModel {
  const pooled = poolingOutput(base);
  const classes = head.kernel.shape[1];
  if (head.kernel.shape[0] !== pooled.shape[1]) {
    throw new RangeError(`the head takes ${head.kernel.shape[0]} features but ${base.name} pools ${pooled.shape[1]}`);
  }
  const dense = tf.layers.dense({ units: classes, activation: 'softmax', name: 'predictions' });
  const out = dense.apply(pooled) as tf.SymbolicTensor;
  dense.setWeights([head.kernel, head.bias]);
  return tf.model({ inputs: base.inputs, outputs: out, name });
}

/** The combined model replaces the base: free the base's old classifier (the rest now belongs to `combined`). */
export function adoptCombined(base: tf.LayersModel): void {
  base.layers[base.layers.length - 1].dispose();
}

/** Drop a combined model but keep the base: free only the new head. */
export function releaseCombined(combined: tf.LayersModel): void {
  combined.layers[combined.layers.length - 1].dispose();
}

/** The spec of a fine-tuned model (for rebuilding it, e.g. on another backend): the base with N softmax classes. */
export function finetunedSpec(base: ArchSpec, classes: number): ArchSpec {
  return {
    ...base,
    name: base.name.endsWith('-finetuned') ? base.name : `${base.name}-finetuned`,
    head: { ...base.head, includeTop: true, pooling: 'avg', classes, classifierActivation: 'softmax', classifierName: 'predictions' },
  };
}

/**
 * A fine-tuned model saved by this app (tfjs files): its class names (`userDefinedMetadata.classNames`) and
 * BatchNormalization epsilon (from the topology; the ImageNet base uses 1e-3). Undefined for other models.
 */
export function finetunedFromArtifacts(a: tf.io.ModelArtifacts): { classNames: string[]; bnEpsilon?: number } | undefined {
  const names = (a.userDefinedMetadata as { classNames?: unknown } | undefined)?.classNames;
  if (!Array.isArray(names) || names.length < 2 || !names.every((n) => typeof n === 'string' && n.length > 0)) return undefined;
  const layers = (a.modelTopology as { config?: { layers?: { class_name?: string; config?: { epsilon?: unknown } }[] } } | undefined)?.config?.layers;
  const eps = layers?.find((l) => l.class_name === 'BatchNormalization')?.config?.epsilon;
  return { classNames: names as string[], bnEpsilon: typeof eps === 'number' ? eps : undefined };
}
