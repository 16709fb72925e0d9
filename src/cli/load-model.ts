/**
 * Loading the model that a command's --model, --weights and --precision name (classify, lesion, export).
 */
import type * as tf from '@tensorflow/tfjs';
import { type ArchSpec, findPreset, PRESET_NAMES, type WeightsDescription } from '../core';
import type { ImagenetPrecision } from '../tf/imagenet-precision';
import { readWeightsSource } from '../tf/node-weights';
import { loadWeightsSource } from '../tf/weights-source';

/** Bad command-line input: exit code 2. */
export class UsageError extends Error {}

export interface Loaded {
  readonly model: tf.LayersModel;
  readonly spec: ArchSpec;
  /** 'imagenet', 'random' or the file/URL given. */
  readonly weights: string;
  readonly description: WeightsDescription;
}

/** The model and weights the options name, through src/tf/weights-source.ts (as the app's worker). */
export async function loadModel(
  modelName: string,
  weights: string | undefined,
  err: (s: string) => void,
  /** Which files of the ImageNet weights; float32 (the published ones) unless the caller chooses. */
  precision: ImagenetPrecision = 'float32',
): Promise<Loaded> {
  const preset = findPreset(modelName);
  if (!preset) throw new UsageError(`unknown model "${modelName}"; choose one of: ${PRESET_NAMES.join(', ')}`);
  const w = weights ?? (preset.name === 'ResNet50' ? 'imagenet' : 'none');
  if (w === 'imagenet' && preset.name !== 'ResNet50') {
    throw new UsageError(`ImageNet weights are available for ResNet50 only (got --model ${modelName}); pass --weights none or a file.`);
  }
  const loaded = await loadWeightsSource(await readWeightsSource(w, preset.name, precision));
  if (loaded.weights.source === 'random') err(`warning: ${preset.name} has random weights; its predictions mean nothing.`);
  return { model: loaded.model, spec: loaded.spec, weights: w === 'none' ? 'random' : w, description: loaded.weights };
}
