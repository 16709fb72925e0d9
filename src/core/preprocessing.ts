/**
 * The numbers behind Keras' `imagenet_utils.preprocess_input` modes (keras/applications/imagenet_utils.py),
 * as data, so the tfjs pipeline, the UI and the exporters read one copy:
 *   caffe: RGB→BGR, subtract the ImageNet BGR mean, no scaling (Keras ResNet50/101/152)
 *   tf:    x / 127.5 − 1 (Keras ResNetV2)
 *   torch: x / 255, subtract the ImageNet RGB mean, divide by the std (Keras ResNeXt, torchvision)
 */
import type { Preprocessing } from './spec';

export const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68] as const;
export const TORCH_MEAN = [0.485, 0.456, 0.406] as const;
export const TORCH_STD = [0.229, 0.224, 0.225] as const;

/** out = (pixel · scale − mean) / std per channel, pixels 0…255, channels in `channelOrder`. */
export interface Normalization {
  readonly channelOrder: 'RGB' | 'BGR';
  readonly scale: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

export function normalization(mode: Preprocessing): Normalization {
  switch (mode) {
    case 'caffe':
      return { channelOrder: 'BGR', scale: 1, mean: [...CAFFE_MEAN_BGR], std: [1, 1, 1] };
    case 'tf':
      return { channelOrder: 'RGB', scale: 1 / 127.5, mean: [1, 1, 1], std: [1, 1, 1] };
    case 'torch':
      return { channelOrder: 'RGB', scale: 1 / 255, mean: [...TORCH_MEAN], std: [...TORCH_STD] };
  }
}
