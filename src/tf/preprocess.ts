/**
 * Image → model input: resize (shorter side to the input, then a centre crop, or a plain squash), then the
 * family's normalisation (Keras `imagenet_utils.preprocess_input` modes):
 *   caffe: RGB→BGR, subtract the ImageNet BGR mean [103.939, 116.779, 123.68], no scaling (Keras V1 ResNets)
 *   tf:    x / 127.5 − 1 (Keras ResNetV2)
 *   torch: x / 255, subtract mean [0.485, 0.456, 0.406], divide by std [0.229, 0.224, 0.225] (ResNeXt, torchvision)
 */
import * as tf from '@tensorflow/tfjs';
import { CAFFE_MEAN_BGR, TORCH_MEAN, TORCH_STD, type ArchSpec, type Preprocessing } from '../core';

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

/** Normalise RGB pixels in 0…255 (any leading shape, channels last). */
export function normalize(rgb: tf.Tensor, p: Preprocessing): tf.Tensor {
  return tf.tidy(() => {
    const x = tf.cast(rgb, 'float32');
    switch (p) {
      case 'caffe': {
        const bgr = tf.reverse(x, -1);
        return tf.sub(bgr, tf.tensor1d([...CAFFE_MEAN_BGR]));
      }
      case 'tf':
        return tf.sub(tf.div(x, 127.5), 1);
      case 'torch':
        return tf.div(tf.sub(tf.div(x, 255), tf.tensor1d([...TORCH_MEAN])), tf.tensor1d([...TORCH_STD]));
    }
  });
}

/** Crop and resize RGB pixels [H, W, 3] (0…255) to `size`, bilinear with half-pixel centres; float32 0…255. */
export function resizeTo(rgb: tf.Tensor3D, size: readonly [number, number], mode: ResizeMode = 'center-crop'): tf.Tensor3D {
  return tf.tidy(() => {
    const [h, w] = rgb.shape;
    const box = cropBox(h, w, size[0], size[1], mode);
    const crop = tf.slice(rgb, [box.top, box.left, 0], [box.height, box.width, 3]);
    const f = tf.cast(crop, 'float32');
    if (box.height === size[0] && box.width === size[1]) return f as tf.Tensor3D;
    return tf.image.resizeBilinear(f as tf.Tensor3D, [size[0], size[1]], false, true);
  });
}

/** RGB pixels [H, W, 3] → a batch of one, ready for `model.predict`. */
export function preprocess(
  rgb: tf.Tensor3D,
  spec: Pick<ArchSpec, 'input' | 'preprocessing'>,
  mode: ResizeMode = 'center-crop',
): tf.Tensor4D {
  if (rgb.rank !== 3 || rgb.shape[2] !== 3) {
    throw new Error(`preprocess expects RGB pixels [height, width, 3]; got shape [${rgb.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    const resized = resizeTo(rgb, [spec.input[0], spec.input[1]], mode);
    return tf.expandDims(normalize(resized, spec.preprocessing), 0) as tf.Tensor4D;
  });
}
