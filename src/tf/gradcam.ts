/**
 * Grad-CAM (Selvaraju et al. 2017) over the last convolutional stage: the class score's gradient with respect to
 * that stage's feature map A, averaged over space, weights A's channels; ReLU of the weighted sum, scaled to 0…1.
 *
 * The model is split once into `features` (input → last stage output, the input of the global pooling) and the
 * head (pooling + dense). One forward pass through `features` serves both the prediction and any number of
 * heat maps (a click on another class only re-runs the cheap head and its gradient).
 */
import * as tf from '@tensorflow/tfjs';
import { splitAtPooling } from './finetune';

/**
 * A classifier's head after its last feature map: global pooling, then dense layers. Grad-CAM and the class
 * probabilities need only this, so it comes from a LayersModel (`splitModel`) or from a fused inference runner's
 * own weights (src/tf/fused/runner.ts) when no LayersModel has been built.
 */
export interface Head {
  /** Name of the layer whose output is the feature map (e.g. conv5_block3_out, post_relu). */
  readonly layer: string;
  readonly pooling: 'avg' | 'max';
  /** Whether the last dense layer applies softmax (its scores are probabilities). */
  readonly softmax: boolean;
  readonly classes: number;
  /** Pre-activation class scores [batch, classes] from pooled features [batch, c]. */
  logits(pooled: tf.Tensor2D): tf.Tensor2D;
}

export interface SplitModel extends Head {
  readonly features: tf.LayersModel;
  readonly dense: tf.layers.Layer;
  /** Layers between the pooling and `dense` (a fine-tuned Dense(2048, relu) `fc1`, Dropout); usually none. */
  readonly hidden: readonly tf.layers.Layer[];
}

const splits = new WeakMap<tf.LayersModel, SplitModel>();

/** Split a classifier (… → GlobalPooling → Dense) at its last feature map. */
export function splitModel(model: tf.LayersModel): SplitModel {
  const cached = splits.get(model);
  if (cached) return cached;
  // The head: Dense/Dropout layers after the global pooling (one Dense for Keras' classifiers).
  let head: tf.layers.Layer[];
  let pool: tf.layers.Layer | undefined;
  try {
    const s = splitAtPooling(model);
    head = s.head;
    pool = s.pooled.sourceLayer as tf.layers.Layer;
  } catch {
    const layers = model.layers;
    throw new Error(
      `Grad-CAM needs a classifier ending in global pooling and a dense layer; ${model.name} ends in ${layers[layers.length - 2]?.getClassName() ?? 'nothing'} → ${layers[layers.length - 1]?.getClassName()}.`,
    );
  }
  const dense = head[head.length - 1];
  const poolClass = pool.getClassName();
  const fmap = pool.input as tf.SymbolicTensor;
  const hidden = head.slice(0, -1);
  const split: SplitModel = {
    features: tf.model({ inputs: model.inputs, outputs: fmap }),
    layer: fmap.sourceLayer.name,
    pooling: poolClass === 'GlobalAveragePooling2D' ? 'avg' : 'max',
    dense,
    hidden,
    softmax: dense.getConfig().activation === 'softmax',
    classes: dense.getWeights()[0].shape[1] as number,
    logits: (pooled) =>
      tf.tidy(() => {
        let h: tf.Tensor = pooled;
        // Hidden head layers run as layers (Dropout is the identity outside training).
        for (const l of hidden) h = l.apply(h) as tf.Tensor;
        const [kernel, bias] = dense.getWeights();
        const z = tf.matMul(h as tf.Tensor2D, kernel as tf.Tensor2D);
        return (bias ? tf.add(z, bias) : z) as tf.Tensor2D;
      }),
  };
  splits.set(model, split);
  return split;
}

/** Pre-activation class scores (logits) [batch, classes] from a feature map [batch, h, w, c]. */
export function headLogits(head: Head, fmap: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => head.logits((head.pooling === 'avg' ? tf.mean(fmap, [1, 2]) : tf.max(fmap, [1, 2])) as tf.Tensor2D));
}

/** Class probabilities [classes] for the first image of a feature map batch. */
export function headProbs(head: Head, fmap: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => tf.reshape(tf.softmax(headLogits(head, fmap)), [-1]) as tf.Tensor1D);
}

export interface HeatMap {
  /** Row-major heat values in 0…1, height × width (the feature map's grid, e.g. 7×7 for 224² input). */
  readonly values: Float32Array;
  readonly height: number;
  readonly width: number;
  readonly classIndex: number;
  readonly layer: string;
}

/** Grad-CAM for `classIndex` from the first image's feature map [1, h, w, c]. */
export async function gradCam(head: Head, fmap: tf.Tensor4D, classIndex: number): Promise<HeatMap> {
  const classes = head.classes;
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= classes) {
    throw new RangeError(`class index must be an integer in 0…${classes - 1}, got ${classIndex}`);
  }
  const cam = tf.tidy(() => {
    const a = tf.slice(fmap, [0, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
    const score = (x: tf.Tensor) => tf.reshape(tf.slice(headLogits(head, x as tf.Tensor4D), [0, classIndex], [1, 1]), []);
    const grads = tf.grad(score)(a);
    const alpha = tf.mean(grads, [1, 2], true); // [1, 1, 1, c]
    const raw = tf.relu(tf.sum(tf.mul(alpha, a), -1)); // [1, h, w]
    const peak = tf.max(raw);
    return tf.reshape(tf.div(raw, tf.maximum(peak, 1e-12)), [a.shape[1], a.shape[2]]);
  });
  try {
    const [height, width] = cam.shape;
    return { values: (await cam.data()) as Float32Array, height, width, classIndex, layer: head.layer };
  } finally {
    cam.dispose();
  }
}
