/**
 * One image through a classifier: preprocessing, one forward pass to the last feature map, the head's
 * probabilities, the top-k and the Grad-CAM of the top class. The feature map can be kept for more heat maps
 * (another class clicked) and must then be disposed by the caller.
 */
import type * as tf from '@tensorflow/tfjs';
import { type Prediction, topK } from './classify';
import type { InferenceRunner } from './fused/runner';
import { gradCam, type Head, type HeatMap, headProbs, splitModel } from './gradcam';
import { type InputTarget, preprocess, type ResizeMode } from './preprocess';

export interface InferenceResult {
  readonly top: readonly Prediction[];
  readonly heat?: HeatMap;
  /** Milliseconds: preprocessing, forward pass + read-back, Grad-CAM. */
  readonly timing: { readonly preprocess: number; readonly predict: number; readonly gradcam: number };
}

export interface InferenceOptions {
  readonly k?: number;
  readonly resize?: ResizeMode;
  /** Compute the top class's heat map (default true). */
  readonly gradcam?: boolean;
  /** Keep the feature map and return it (for later heat maps); the caller disposes it. */
  readonly keepFeatures?: boolean;
  /** The weights' class names (WeightsDescription.labels). */
  readonly labels?: readonly string[];
  /**
   * The pixels already preprocessed (`preprocess` with this resize mode), when the caller needs that input too
   * (Classify's preview and feature maps): used instead of preprocessing again, and not disposed here.
   */
  readonly preprocessed?: tf.Tensor4D;
}

/** What a forward pass needs: the last feature map of a preprocessed batch, and the head after it. */
export interface Predictor {
  readonly head: Head;
  /** The feature map [batch, h, w, c] of `x` (the caller disposes it; `x` is not). */
  features(x: tf.Tensor4D): tf.Tensor4D;
}

/** The LayersModel split at its global pooling (the unfused forward pass). */
export function modelPredictor(model: tf.LayersModel): Predictor {
  const split = splitModel(model);
  return { head: split, features: (x) => split.features.predict(x) as tf.Tensor4D };
}

/**
 * The fused inference runner alone (src/tf/fused: same spec and weights, BN folded): forward pass, head and
 * Grad-CAM need no LayersModel. Undefined when the runner's graph has no classifier head.
 */
export function runnerPredictor(runner: InferenceRunner): Predictor | undefined {
  const head = runner.head;
  if (!head) return undefined;
  return {
    head,
    features: (x) => {
      const run = runner.run(x, { features: true });
      run.output.dispose(); // the head is recomputed from the features (one small matmul)
      return run.features as tf.Tensor4D;
    },
  };
}

export async function runInference(
  predictor: Predictor,
  spec: InputTarget,
  pixels: tf.Tensor3D,
  opts: InferenceOptions = {},
): Promise<InferenceResult & { features?: tf.Tensor4D }> {
  const { head } = predictor;
  const t0 = performance.now();
  const own = opts.preprocessed === undefined;
  const x = opts.preprocessed ?? preprocess(pixels, spec, opts.resize);
  const t1 = performance.now();
  let fmap: tf.Tensor4D | undefined;
  try {
    fmap = predictor.features(x);
    if (own) x.dispose(); // before Grad-CAM's tensors
    const probsT = headProbs(head, fmap);
    const probs = (await probsT.data()) as Float32Array;
    probsT.dispose();
    const top = topK(probs, opts.k ?? 5, opts.labels);
    const t2 = performance.now();
    const heat = opts.gradcam === false ? undefined : await gradCam(head, fmap, top[0].index);
    const t3 = performance.now();
    const timing = { preprocess: t1 - t0, predict: t2 - t1, gradcam: t3 - t2 };
    if (opts.keepFeatures) {
      const features = fmap;
      fmap = undefined;
      return { top, heat, timing, features };
    }
    return { top, heat, timing };
  } finally {
    if (own && !x.isDisposed) x.dispose();
    fmap?.dispose();
  }
}
