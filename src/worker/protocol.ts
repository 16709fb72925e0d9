/**
 * The typed message API between the UI and the model worker. Every request carries an id; the worker answers
 * with exactly one final message for it (a result or `error`) and any number of `progress` messages before.
 */
import type { ArchSpec, Preprocessing, WeightsDescription } from '../core';
import type { ActivationMaps } from '../tf/activations';
import type { BackendChoice, BackendName } from '../tf/backend';
import type { Prediction } from '../tf/classify';
import type { EpochLog, FinetuneOptions } from '../tf/finetune-options';
import type { Skipped } from '../tf/finetune-data';
import type { KeptModelInfo } from '../tf/finetuned-store';
import type { HeatMap } from '../tf/gradcam';
import type { ImagenetPrecision } from '../tf/imagenet-precision';
import type { LesionEntry, LesionResult } from '../tf/lesion';
import type { ResizeMode } from '../tf/preprocess';
import type { EngineName, OrtSessionInfo } from './ort-engine';

/** Where a model's weights come from. `preset` names the architecture our builder makes. */
export type ModelSource =
  | { readonly kind: 'imagenet'; readonly precision?: ImagenetPrecision }
  | { readonly kind: 'random'; readonly preset: string }
  | { readonly kind: 'layers-url'; readonly url: string; readonly preset: string }
  | { readonly kind: 'layers-files'; readonly files: readonly File[]; readonly preset: string }
  /** A fine-tuned model kept in this browser under a name (src/tf/finetuned-store.ts). */
  | { readonly kind: 'kept'; readonly name: string }
  | {
      readonly kind: 'h5';
      readonly preset: string;
      readonly file?: File;
      readonly url?: string;
      /** Keras load_weights by layer order, by_name=True, or by name when every file layer has a match. */
      readonly mode: 'auto' | 'order' | 'name';
    };

export interface ModelInfo {
  readonly name: string;
  readonly spec: ArchSpec;
  /** 'random' means the predictions mean nothing: the UI must say so. */
  readonly weights: 'imagenet' | 'random' | 'loaded' | 'finetuned';
  /** The user's class names of a fine-tuned model (labels of the top-k); absent: ImageNet / CIFAR / `class N`. */
  readonly classNames?: readonly string[];
  /** Human description of the weights' origin. */
  readonly weightsLabel: string;
  readonly params: number;
  readonly classes: number;
  readonly preprocessing: Preprocessing;
  /** The weights' input size, normalisation and class names (src/tf/weights-source.ts). */
  readonly weightsDescription: WeightsDescription;
  /** Served from the IndexedDB cache instead of the network. */
  readonly fromCache: boolean;
  /** ImageNet weights: the precision the loaded files hold and their weight bytes (the download). */
  readonly precision?: ImagenetPrecision;
  readonly weightBytes?: number;
  readonly loadMs: number;
  /** The load's phases in order, timed in the worker; the cache write runs after ready and is not among them. */
  readonly phases?: readonly LoadPhaseTime[];
}

/** RGBA pixels, as ImageData holds them (tests, or where ImageBitmap is not transferable). */
export interface RawImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

export interface Timing {
  readonly decode: number;
  readonly preprocess: number;
  readonly predict: number;
  readonly gradcam: number;
}

/** One labelled image for fine-tuning: a picked file (decoded in the worker) or raw pixels. */
export interface FinetuneImage {
  readonly name: string;
  /** Index into the request's classNames. */
  readonly label: number;
  readonly image: Blob | RawImage;
}

export interface FinetuneSummary {
  readonly classNames: readonly string[];
  /** Images used per class (after skipping undecodable ones). */
  readonly counts: readonly number[];
  /** Feature rows trained on (mirrors included) and held out. */
  readonly trainExamples: number;
  readonly valExamples: number;
  readonly history: readonly EpochLog[];
  readonly skipped: readonly Skipped[];
  readonly msPerImage: number;
  readonly msPerEpoch: number;
  /** The head trained: `dense` (Dense(N)) or `dense2048` (Keras tutorial: Dense(2048, relu) + Dense(N)), and its dropout. */
  readonly head?: 'dense' | 'dense2048';
  readonly dropout?: number;
  /** 1-based epoch whose weights were kept (lowest validation loss with early stopping, else the last). */
  readonly bestEpoch?: number;
  readonly stoppedEarly?: boolean;
  /** The kept head on the validation images. */
  readonly evaluation?: FinetuneEvaluation;
  /** Data hygiene: duplicates, tiny or unbalanced classes (one sentence each). */
  readonly warnings?: readonly string[];
  /** conv4's outputs were kept: `finetune-stage` can fine-tune conv5. */
  readonly stageReady?: boolean;
}

/** One validation image with its top-3 (class index, probability). */
export interface ValPrediction {
  readonly name: string;
  readonly trueIndex: number;
  readonly top: readonly { readonly index: number; readonly probability: number }[];
}

/** A model on the validation split: confusion[t][p] (true rows, predicted columns) and every image's top-3. */
export interface FinetuneEvaluation {
  readonly confusion: readonly (readonly number[])[];
  readonly items: readonly ValPrediction[];
}

/** conv5 fine-tuned after the head (Keras' second phase). */
export interface StageSummary {
  readonly history: readonly EpochLog[];
  readonly msPerEpoch: number;
  /** Validation loss/accuracy with the head alone, and after conv5 was fine-tuned (the kept epoch's). */
  readonly before?: { readonly valLoss: number; readonly valAccuracy: number };
  readonly after?: { readonly valLoss: number; readonly valAccuracy: number };
  readonly evaluation?: FinetuneEvaluation;
  readonly learningRate: number;
  /** 1-based epoch whose weights were kept: the lowest validation loss with early stopping (the head's patience), else the last. */
  readonly bestEpoch: number;
  /** Early stopping ended the phase before its epochs. */
  readonly stoppedEarly: boolean;
}

/** `backend`: waiting for the backend the UI asked for (it starts while the weights download); `warmup`: one inference before ready. */
export type LoadPhase = 'download' | 'cache' | 'backend' | 'build' | 'weights' | 'warmup';

/** How long one phase of a load took in the worker (issue 11: a profile per phase). */
export interface LoadPhaseTime {
  readonly phase: LoadPhase;
  readonly ms: number;
}

/** What to export as code: the current model (its weights, class names), or any spec (random weights or none). */
export type ExportSource =
  | { readonly kind: 'current' }
  | { readonly kind: 'spec'; readonly spec: ArchSpec; readonly weights: 'random' | 'none' };

/** A finished code export: the files' names and sizes, and all of them as one zip. */
export interface CodeExport {
  readonly format: string;
  readonly modelName: string;
  readonly weightsLabel: string;
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
  readonly runsWith: string;
  readonly notes: readonly string[];
  /** Folder inside the zip and the zip's base name: `resnet-20-keras`. */
  readonly folder: string;
  readonly zip: ArrayBuffer;
}

export type Request =
  | { readonly type: 'init'; readonly id: number; readonly backend?: BackendName }
  | { readonly type: 'load'; readonly id: number; readonly source: ModelSource; readonly useCache?: boolean }
  | { readonly type: 'cancel'; readonly id: number; readonly target: number }
  | {
      readonly type: 'classify';
      readonly id: number;
      /** A file is decoded in the worker (JPEG with the command line's decoder, src/tf/jpeg.ts). */
      readonly image: ImageBitmap | RawImage | Blob;
      readonly name: string;
      readonly k?: number;
      readonly resize?: ResizeMode;
      readonly gradcam?: boolean;
    }
  | { readonly type: 'gradcam'; readonly id: number; readonly classIndex: number }
  | { readonly type: 'export'; readonly id: number }
  /** Train a new head on the current model's pooled features; the result waits for `finetune-use`. */
  | {
      readonly type: 'finetune';
      readonly id: number;
      readonly images: readonly FinetuneImage[];
      readonly classNames: readonly string[];
      readonly options?: FinetuneOptions;
      /** Also keep conv4's output of each image, for `finetune-stage` (≈ 0.8 MB per image for ResNet50). */
      readonly prepareStage?: boolean;
    }
  /** Fine-tune conv5 with the trained head (pending result), lr/10, BN in inference mode (answers `stage-tuned`). */
  | { readonly type: 'finetune-stage'; readonly id: number; readonly epochs: number; readonly learningRate?: number }
  /** Make the last fine-tuned model the current one (answers `loaded`). */
  | { readonly type: 'finetune-use'; readonly id: number }
  /** The last fine-tuned model as tfjs files (`exported`) or Keras .h5 (`exported-h5`). */
  | { readonly type: 'finetune-export'; readonly id: number; readonly format: 'tfjs' | 'h5' }
  /** Keep the fine-tuned model (pending or current) in IndexedDB under a name (answers `kept`). */
  | { readonly type: 'finetune-keep'; readonly id: number; readonly name: string; readonly replace?: boolean }
  /** The kept models (answers `kept`); with `remove`, that one is deleted first. */
  | { readonly type: 'kept-list'; readonly id: number; readonly remove?: string }
  | { readonly type: 'memory'; readonly id: number }
  /** Run an exporter of src/export (ONNX, PyTorch, Keras code, …); progress as `export-progress`, cancel with `cancel`. */
  | { readonly type: 'export-code'; readonly id: number; readonly format: string; readonly source: ExportSource }
  /** Inference engine for Classify (tfjs stays for Grad-CAM, training, the lab); threads: onnxruntime-web's, fixed once started. */
  | { readonly type: 'engine'; readonly id: number; readonly engine: EngineName; readonly threads?: number }
  /** Time `runs` forward passes of the current model on `batch` copies of one image with one engine (the bench). */
  | {
      readonly type: 'bench';
      readonly id: number;
      readonly image: RawImage;
      readonly engine: EngineName;
      readonly batch: number;
      readonly runs: number;
      readonly threads?: number;
      /** tfjs: false times the LayersModel itself, unfused (default: the fused runner that Classify uses). */
      readonly fused?: boolean;
    }
  /** Delete each residual block of the current model in turn for this image (src/tf/lesion.ts); cancel with `cancel`. */
  | { readonly type: 'lesion'; readonly id: number; readonly image: Blob | RawImage; readonly name: string; readonly resize?: ResizeMode }
  /** Feature maps of the current model's layers for the last classified image (src/worker/activations-host.ts). */
  | { readonly type: 'activations'; readonly id: number; readonly layers: readonly string[]; readonly maxChannels: number; readonly orderBy?: string };

/** Feature maps with the image and model they belong to and the worker's time for them. */
export interface ActivationsReport extends ActivationMaps {
  readonly image: string;
  readonly model: string;
  /** The model's weights ('random': the maps mean little, the UI says so). */
  readonly weights: ModelInfo['weights'];
  readonly ms: number;
}

/** A finished lesion study: the image's name, the model's, the intact top-1 and one entry per deleted block. */
export interface LesionReport extends LesionResult {
  readonly image: string;
  readonly model: string;
}

export type Response =
  | { readonly type: 'progress'; readonly id: number; readonly phase: LoadPhase; readonly loaded: number; readonly total: number }
  | { readonly type: 'backend'; readonly id: number; readonly choice: BackendChoice }
  | { readonly type: 'loaded'; readonly id: number; readonly info: ModelInfo }
  | {
      readonly type: 'classified';
      readonly id: number;
      readonly top: readonly Prediction[];
      readonly heat?: HeatMap;
      readonly timing: Timing;
      readonly backend: string;
      /** The engine that computed the probabilities: `tfjs (wasm)`, `onnxruntime-web (wasm, 2 threads)`. */
      readonly engine?: string;
      /** What the model sees: the resized crop before normalisation, RGBA. */
      readonly preview: RawImage;
      readonly source: { readonly width: number; readonly height: number };
    }
  | { readonly type: 'heat'; readonly id: number; readonly heat: HeatMap }
  /** One file to save: a store-only zip (`${name}.tfjs.zip`: model.json + `${name}.weights.bin`), see src/tf/model-zip.ts. */
  | { readonly type: 'exported'; readonly id: number; readonly zip: ArrayBuffer; readonly filename: string; readonly name: string }
  | { readonly type: 'finetune-progress'; readonly id: number; readonly done: number; readonly total: number; readonly name: string }
  | { readonly type: 'finetune-epoch'; readonly id: number; readonly log: EpochLog }
  | { readonly type: 'finetuned'; readonly id: number; readonly summary: FinetuneSummary }
  | { readonly type: 'finetune-batch'; readonly id: number; readonly done: number; readonly total: number; readonly epoch: number }
  | { readonly type: 'stage-tuned'; readonly id: number; readonly summary: StageSummary }
  /** The kept models after a keep, delete or list; `saved` names the one just kept. */
  | { readonly type: 'kept'; readonly id: number; readonly models: readonly KeptModelInfo[]; readonly saved?: KeptModelInfo }
  /** One file to save: a store-only zip (`${name}.keras-h5.zip`: `${name}.weights.h5` + `${name}.classes.txt`). */
  | { readonly type: 'exported-h5'; readonly id: number; readonly zip: ArrayBuffer; readonly filename: string; readonly name: string; readonly classNames: readonly string[] }
  | {
      readonly type: 'memory';
      readonly id: number;
      readonly numTensors: number;
      readonly numBytes: number;
      /** The wasm heap now and as prepared before the backend started (src/tf/wasm-memory.ts), when it ran on that. */
      readonly wasmHeap?: { readonly bytes: number; readonly prepared: number };
    }
  | { readonly type: 'export-progress'; readonly id: number; readonly fraction: number; readonly message: string }
  | { readonly type: 'code-exported'; readonly id: number; readonly result: CodeExport }
  | { readonly type: 'lesion-progress'; readonly id: number; readonly done: number; readonly total: number; readonly entry: LesionEntry }
  | { readonly type: 'lesioned'; readonly id: number; readonly result: LesionReport }
  | { readonly type: 'activations'; readonly id: number; readonly result: ActivationsReport }
  | { readonly type: 'engine'; readonly id: number; readonly engine: EngineName; readonly label: string; readonly session?: OrtSessionInfo }
  | {
      readonly type: 'bench';
      readonly id: number;
      readonly label: string;
      /** Milliseconds per forward pass of the whole batch. */
      readonly ms: readonly number[];
      readonly top: readonly Prediction[];
      /** Probabilities of the batch's first image. */
      readonly probs: Float32Array;
    }
  | { readonly type: 'error'; readonly id: number; readonly error: { readonly name: string; readonly message: string } };

/** Messages sent before a request's final answer. */
export const INTERIM_TYPES: ReadonlySet<Response['type']> = new Set([
  'progress',
  'finetune-progress',
  'finetune-epoch',
  'finetune-batch',
  'export-progress',
  'lesion-progress',
]);

export type ResponseOf<T extends Response['type']> = Extract<Response, { type: T }>;

/** A request without its id (the client assigns ids). Distributes over the union. */
export type RequestBody = DistributiveOmit<Request, 'id'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
