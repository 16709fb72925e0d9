/**
 * Image → model input, the one path for the app (model worker) and the command line: full-size RGB pixels,
 * the crop box (shorter side to the input then a centre crop, or a plain squash), an integer box average when
 * the crop is at least twice the input (anti-aliasing), bilinear with half-pixel centres to the input size, then
 * the weights' normalisation (Keras `imagenet_utils.preprocess_input` modes, numbers in src/core/preprocessing.ts):
 *   caffe: RGB→BGR, subtract the ImageNet BGR mean [103.939, 116.779, 123.68], no scaling (Keras V1 ResNets)
 *   tf:    x / 127.5 − 1 (Keras ResNetV2)
 *   torch: x / 255, subtract mean [0.485, 0.456, 0.406], divide by std [0.229, 0.224, 0.225] (ResNeXt, torchvision)
 */
import * as tf from '@tensorflow/tfjs';
import { type ArchSpec, type Normalization, normalization, type Preprocessing } from '../core';

export { describePreprocessing } from './preprocess-info';

export type ResizeMode = 'center-crop' | 'squash';

export { CAFFE_MEAN_BGR, TORCH_MEAN, TORCH_STD } from '../core';

export interface CropBox {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

/**
 * The source region that becomes the model input. center-crop keeps the target aspect ratio and takes the
 * largest centred region (resizing the shorter side to the target then cropping the middle); squash uses the
 * whole image (Keras `load_img(target_size=…)`).
 */
export function cropBox(srcH: number, srcW: number, outH: number, outW: number, mode: ResizeMode = 'center-crop'): CropBox {
  if (mode === 'squash') return { top: 0, left: 0, height: srcH, width: srcW };
  const scale = Math.min(srcH / outH, srcW / outW);
  const height = Math.max(1, Math.round(outH * scale));
  const width = Math.max(1, Math.round(outW * scale));
  return { top: Math.floor((srcH - height) / 2), left: Math.floor((srcW - width) / 2), height, width };
}

/**
 * Normalise RGB pixels in 0…255 (any leading shape, channels last): (x · scale − mean) / std per channel, after
 * RGB→BGR when the weights want BGR. `p` is a Keras mode or the numbers of a WeightsDescription.
 */
export function normalize(rgb: tf.Tensor, p: Preprocessing | Normalization): tf.Tensor {
  const n = typeof p === 'string' ? normalization(p) : p;
  return tf.tidy(() => {
    let x = tf.cast(rgb, 'float32');
    if (n.channelOrder === 'BGR') x = tf.reverse(x, -1);
    if (n.scale !== 1) x = tf.mul(x, n.scale);
    x = tf.sub(x, tf.tensor1d([...n.mean]));
    if (n.std.some((v) => v !== 1)) x = tf.div(x, tf.tensor1d([...n.std]));
    return x;
  });
}

/**
 * Box-average factor before the bilinear step: the whole number of source pixels per output pixel (1: none).
 * Bilinear alone reads 2×2 source pixels per output pixel, so a 3000-px photo brought to 224 would sample one
 * pixel in 180 and alias; averaging f×f blocks first leaves bilinear a ratio below 2.
 */
export function boxFactor(box: Pick<CropBox, 'height' | 'width'>, outH: number, outW: number): number {
  return Math.max(1, Math.floor(Math.min(box.height / outH, box.width / outW)));
}

/**
 * Crop and resize RGB pixels [H, W, 3] (0…255) to `size`: crop box, box average by boxFactor (the crop trimmed,
 * centred, to a multiple of it), bilinear with half-pixel centres. float32 0…255.
 */
export function resizeTo(rgb: tf.Tensor3D, size: readonly [number, number], mode: ResizeMode = 'center-crop'): tf.Tensor3D {
  return tf.tidy(() => {
    const [h, w] = rgb.shape;
    const box = cropBox(h, w, size[0], size[1], mode);
    const f = boxFactor(box, size[0], size[1]);
    const ch = box.height - (box.height % f);
    const cw = box.width - (box.width % f);
    const top = box.top + Math.floor((box.height - ch) / 2);
    const left = box.left + Math.floor((box.width - cw) / 2);
    let x = tf.cast(tf.slice(rgb, [top, left, 0], [ch, cw, 3]), 'float32') as tf.Tensor3D;
    if (f > 1) x = tf.avgPool(x, [f, f], [f, f], 'valid');
    if (x.shape[0] === size[0] && x.shape[1] === size[1]) return x;
    return tf.image.resizeBilinear(x, [size[0], size[1]], false, true);
  });
}

/** What preprocessing needs to know: the input size and the weights' normalisation (or a Keras mode). */
export interface InputTarget {
  readonly input: ArchSpec['input'];
  readonly preprocessing: Preprocessing | Normalization;
}

/** RGB pixels [H, W, 3] → a batch of one, ready for `model.predict`. */
export function preprocess(rgb: tf.Tensor3D, spec: InputTarget, mode: ResizeMode = 'center-crop'): tf.Tensor4D {
  if (rgb.rank !== 3 || rgb.shape[2] !== 3) {
    throw new Error(`preprocess expects RGB pixels [height, width, 3]; got shape [${rgb.shape.join(', ')}]`);
  }
  return tf.tidy(() => preprocessResized(resizeTo(rgb, [spec.input[0], spec.input[1]], mode), spec));
}

/** The second half of `preprocess`: pixels already at the input size (`resizeTo`) → the model's batch of one. */
export function preprocessResized(resized: tf.Tensor3D, spec: InputTarget): tf.Tensor4D {
  return tf.tidy(() => tf.expandDims(normalize(resized, spec.preprocessing), 0) as tf.Tensor4D);
}
