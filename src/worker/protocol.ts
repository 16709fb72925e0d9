/**
 * The typed message API between the UI and the model worker. Every request carries an id; the worker answers
 * with exactly one final message for it (a result or `error`) and any number of `progress` messages before.
 */
import type { ArchSpec, Preprocessing } from '../core';
import type { BackendChoice, BackendName } from '../tf/backend';
import type { Prediction } from '../tf/classify';
import type { HeatMap } from '../tf/gradcam';
import type { ResizeMode } from '../tf/preprocess';

/** Where a model's weights come from. `preset` names the architecture our builder makes. */
export type ModelSource =
  | { readonly kind: 'imagenet' }
  | { readonly kind: 'random'; readonly preset: string }
  | { readonly kind: 'layers-url'; readonly url: string; readonly preset: string }
  | { readonly kind: 'layers-files'; readonly files: readonly File[]; readonly preset: string }
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
  readonly weights: 'imagenet' | 'random' | 'loaded';
  /** Human description of the weights' origin. */
  readonly weightsLabel: string;
  readonly params: number;
  readonly classes: number;
  readonly preprocessing: Preprocessing;
  /** Served from the IndexedDB cache instead of the network. */
  readonly fromCache: boolean;
  readonly loadMs: number;
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

export type LoadPhase = 'download' | 'cache' | 'build' | 'weights';

export type Request =
  | { readonly type: 'init'; readonly id: number; readonly backend?: BackendName }
  | { readonly type: 'load'; readonly id: number; readonly source: ModelSource; readonly useCache?: boolean }
  | { readonly type: 'cancel'; readonly id: number; readonly target: number }
  | {
      readonly type: 'classify';
      readonly id: number;
      readonly image: ImageBitmap | RawImage;
      readonly name: string;
      readonly k?: number;
      readonly resize?: ResizeMode;
      readonly gradcam?: boolean;
    }
  | { readonly type: 'gradcam'; readonly id: number; readonly classIndex: number }
  | { readonly type: 'export'; readonly id: number }
  | { readonly type: 'memory'; readonly id: number };

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
      /** What the model sees: the resized crop before normalisation, RGBA. */
      readonly preview: RawImage;
      readonly source: { readonly width: number; readonly height: number };
    }
  | { readonly type: 'heat'; readonly id: number; readonly heat: HeatMap }
  | { readonly type: 'exported'; readonly id: number; readonly modelJson: string; readonly weights: ArrayBuffer; readonly name: string }
  | { readonly type: 'memory'; readonly id: number; readonly numTensors: number; readonly numBytes: number }
  | { readonly type: 'error'; readonly id: number; readonly error: { readonly name: string; readonly message: string } };

export type ResponseOf<T extends Response['type']> = Extract<Response, { type: T }>;

/** A request without its id (the client assigns ids). Distributes over the union. */
export type RequestBody = DistributiveOmit<Request, 'id'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
