/** Descriptions of the preprocessing modes for the UI (no tfjs here, so the main thread can show them). */
import type { Preprocessing } from '../core';

export function describePreprocessing(p: Preprocessing): string {
  switch (p) {
    case 'caffe':
      return 'caffe: RGB→BGR, subtract ImageNet mean (B 103.9, G 116.8, R 123.7), no scaling';
    case 'tf':
      return 'tf: scale to [−1, 1] (x / 127.5 − 1)';
    case 'torch':
      return 'torch: x / 255, subtract mean (0.485, 0.456, 0.406), divide by std (0.229, 0.224, 0.225)';
  }
}
