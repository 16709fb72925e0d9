/**
 * The contract shared by every exporter (ONNX, PyTorch, Keras code). Pure TypeScript: no tfjs, no DOM, so the
 * same code runs in the model worker, in Node (CLI, tests) and nowhere else needs a backend.
 *
 * An exporter reads the architecture from `expand(spec)` (the one graph the diagram, the tables and the tfjs
 * builder also read) and the weights in Keras' layout, keyed by our Keras layer names.
 */
import type { ArchGraph, ArchSpec } from '../core';

/** One weight array of a layer, in Keras' order (kernel, bias; gamma, beta, moving_mean, moving_variance). */
export interface LayerWeight {
  /** `conv1_conv/kernel:0`. */
  readonly name: string;
  /** Keras layout: conv kernels [kh, kw, in, out], depthwise [kh, kw, in, multiplier], dense [in, out]. */
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Keras layer name → its weights. Same shape as `KerasWeightsFile` from `src/tf/h5/keras-h5.ts`. */
export interface WeightSet {
  readonly layers: readonly { readonly layer: string; readonly weights: readonly LayerWeight[] }[];
}

/** Input normalisation that belongs to a set of weights (stays outside the exported graph). */
export interface ExportPreprocessing {
  /** Keras `preprocess_input` mode: 'caffe' | 'tf' | 'torch'. */
  readonly mode: string;
  /** Channel order the network expects after preprocessing. */
  readonly channelOrder: 'RGB' | 'BGR';
  /** Applied as (x · scale − mean) / std to 0–255 pixel values, per channel in `channelOrder`. */
  readonly scale: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  /** [height, width]. */
  readonly inputSize: readonly [number, number];
}

export interface ExportInput {
  readonly spec: ArchSpec;
  readonly graph: ArchGraph;
  /** Absent: structure only (an exporter says so in its notes, or refuses where weights are required). */
  readonly weights?: WeightSet;
  /** Where the weights came from, for metadata and READMEs: 'imagenet (Keras)', 'random', 'fine-tuned', …. */
  readonly weightsLabel?: string;
  readonly preprocessing?: ExportPreprocessing;
  /** Class names of a fine-tuned head (index order). */
  readonly classNames?: readonly string[];
}

export type ExportFormat = 'onnx' | 'pytorch' | 'keras';

export interface ExportFile {
  /** Relative path inside the export ('model.onnx', 'model.py', 'weights.safetensors', …). */
  readonly path: string;
  readonly bytes: Uint8Array;
}

export interface ExportResult {
  readonly format: ExportFormat;
  readonly files: readonly ExportFile[];
  /** What runs it, for the panel: 'onnxruntime (Python, C++, web)', 'PyTorch ≥ 1.13', …. */
  readonly runsWith: string;
  /** Facts a user should see: 'BatchNormalization kept, epsilon 1.001e-5', 'structure only: no weights'. */
  readonly notes: readonly string[];
}

/** Progress callback: fraction in [0, 1] and what is being done. */
export type ExportProgress = (fraction: number, message: string) => void;

/** A spec or model that an engine cannot express; names the field and the value, never writes a broken file. */
export class ExportError extends Error {
  override readonly name = 'ExportError';
  constructor(
    readonly format: ExportFormat,
    readonly field: string,
    readonly received: unknown,
    readonly reason: string,
  ) {
    super(`Cannot export to ${format}: ${field} = ${JSON.stringify(received)}: ${reason}`);
  }
}
