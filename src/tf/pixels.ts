import * as tf from '@tensorflow/tfjs';

/** RGBA bytes as canvas ImageData and the decoders hold them. */
export interface Rgba {
  readonly width: number;
  readonly height: number;
  readonly data: ArrayLike<number>;
}

/** RGBA bytes (canvas ImageData, decoders) → RGB int32 [H, W, 3], alpha dropped. */
export function rgbaToTensor(img: Rgba): tf.Tensor3D {
  const { width, height, data } = img;
  const rgb = new Int32Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height * 4; i += 4, j += 3) {
    rgb[j] = data[i];
    rgb[j + 1] = data[i + 1];
    rgb[j + 2] = data[i + 2];
  }
  return tf.tensor3d(rgb, [height, width, 3], 'int32');
}
