/** A tfjs model (with its current weights) → the exporters' input. */
import type * as tf from '@tensorflow/tfjs';
import { expand, type ArchSpec, type Preprocessing } from '../core';
import { exportPreprocessing } from '../export/preprocessing';
import type { ExportInput } from '../export/types';
import { modelToKerasWeights } from './h5/model-weights';

export interface ExportInputOptions {
  /** false: structure only (no weights read back). */
  readonly withWeights?: boolean;
  readonly weightsLabel?: string;
  readonly classNames?: readonly string[];
  /** The weights' input mode (WeightsDescription.preprocessing.mode, e.g. ModelInfo.preprocessing); default: the architecture's. */
  readonly preprocessing?: Preprocessing;
}

export function exportInputFromModel(spec: ArchSpec, model: tf.LayersModel | undefined, options: ExportInputOptions = {}): ExportInput {
  const withWeights = options.withWeights ?? model !== undefined;
  return {
    spec,
    graph: expand(spec),
    weights: withWeights && model ? modelToKerasWeights(model) : undefined,
    weightsLabel: withWeights ? options.weightsLabel : 'none (structure only)',
    preprocessing: exportPreprocessing(options.preprocessing ?? spec.preprocessing, spec.input),
    classNames: options.classNames,
  };
}
