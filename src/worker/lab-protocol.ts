/**
 * Typed messages between the lab view and its worker (src/worker/lab.worker.ts). Requests carry an id when
 * they expect one answer; the race streams `race-progress` messages until done, paused or reset.
 */
import type { BackendCheckResult } from '../tf/backend-check';
import type { BackendChoice, BackendName } from '../tf/backend';
import type { InitKind } from '../tf/init';
import type { LayerGradient } from '../tf/gradients';
import type { RaceLesionResult } from '../tf/race-lesion';
import type { OptimizerKind } from '../tf/train';
import type { Surface } from '../core/lab/landscape';
import type { LayerResponse } from '../tf/activation-stats';
import type { BnMode } from '../tf/landscape';

export type Backend = BackendName;

export interface ProbeSettings {
  readonly depth: number;
  readonly batchNorm: boolean;
  readonly init: InitKind;
  readonly shortcut: 'A' | 'B';
  readonly batch: number;
  readonly seed: number;
}

export interface RaceSettings {
  readonly depth: number;
  readonly optimizer: OptimizerKind;
  readonly learningRate: number;
  /** 'paper': ÷10 at 50 % and 75 % of the steps; 'cosine': warm-up then cosine decay. */
  readonly schedule: 'paper' | 'cosine';
  /** The built-in generated shapes, or the user's folder sent earlier with `race-data`. */
  readonly data: 'shapes' | 'custom';
  readonly steps: number;
  readonly batch: number;
  readonly seed: number;
}

export interface RacePoint {
  readonly step: number;
  readonly loss: number;
  readonly accuracy: number;
}

export interface FilterImage {
  /** Filters as [kh, kw, 3, count] (HWIO), the first conv's kernel. */
  readonly kernel: readonly number[];
  readonly shape: readonly [number, number, number, number];
}

/** A loss-landscape scan of the race's trained nets (src/worker/lab-landscape.ts). */
export interface LandscapeSettings {
  /** Grid points per axis (odd). */
  readonly grid: number;
  /** Evaluation images: the first ones of the race's training set. */
  readonly images: number;
  readonly seed: number;
  /** BN with each batch's statistics (as in training) or with the moving statistics (as in Li et al.'s code). */
  readonly bn: BnMode;
}

export type LabRequest =
  /** Start (or switch) the backend: `backend` is the user's pick, absent for the automatic choice. A switch resets the race. */
  | { readonly type: 'init'; readonly backend?: BackendName }
  /** The seeded few-step training check on the active backend (src/tf/backend-check.ts). */
  | { readonly type: 'check'; readonly id: number }
  | { readonly type: 'probe'; readonly id: number; readonly settings: ProbeSettings }
  | { readonly type: 'race-start'; readonly settings: RaceSettings }
  | { readonly type: 'race-pause' }
  | { readonly type: 'race-resume' }
  | { readonly type: 'race-reset' }
  | { readonly type: 'akamaster'; readonly id: number; readonly name: string; readonly bytes: ArrayBuffer }
  | { readonly type: 'race-data'; readonly id: number; readonly files: readonly { readonly path: string; readonly blob: Blob }[] }
  /** Time one grid point (one loss evaluation of each trained net) on `images` images. */
  | { readonly type: 'landscape-estimate'; readonly id: number; readonly images: number; readonly bn: BnMode }
  | { readonly type: 'landscape'; readonly id: number; readonly settings: LandscapeSettings }
  /** Handled at once, not queued behind the scan it stops. */
  | { readonly type: 'landscape-cancel' }
  | { readonly type: 'activation-stats'; readonly id: number; readonly images: number }
  /** The ImageNet ResNet50's conv1 filters from its weight files (src/tf/imagenet-filters.ts), RGB order. */
  | { readonly type: 'imagenet-filters'; readonly id: number }
  /** Accuracy of the paused or finished race pair after deleting each block (src/tf/race-lesion.ts). */
  | { readonly type: 'race-lesion'; readonly id: number };

export type LabResponse =
  | { readonly type: 'ready'; readonly backend: Backend; readonly choice: BackendChoice; readonly requested?: BackendName; readonly note?: string }
  | { readonly type: 'backend-failed'; readonly requested?: BackendName; readonly message: string }
  | { readonly type: 'check-result'; readonly id: number; readonly result: BackendCheckResult }
  | { readonly type: 'progress'; readonly id: number; readonly label: string; readonly fraction: number }
  | {
      readonly type: 'probe-result';
      readonly id: number;
      readonly settings: ProbeSettings;
      readonly plain: readonly LayerGradient[];
      readonly residual: readonly LayerGradient[];
      readonly ms: number;
    }
  | {
      readonly type: 'race-progress';
      readonly runId: number;
      readonly plain: RacePoint;
      readonly residual: RacePoint;
      readonly stepsPerSecond: number;
    }
  | { readonly type: 'race-state'; readonly runId: number; readonly state: 'building' | 'running' | 'paused' | 'done' | 'idle' }
  | {
      readonly type: 'akamaster-result';
      readonly id: number;
      readonly model: string;
      readonly filters: FilterImage;
      readonly gradients: readonly LayerGradient[];
    }
  | {
      readonly type: 'race-data-ready';
      readonly id: number;
      readonly classes: readonly string[];
      readonly count: number;
      readonly skipped: readonly string[];
    }
  | { readonly type: 'landscape-estimate-result'; readonly id: number; readonly images: number; readonly msPerPoint: number }
  | {
      readonly type: 'landscape-result';
      readonly id: number;
      readonly settings: LandscapeSettings;
      readonly depth: number;
      /** Images actually used (whole batches of the race's batch size). */
      readonly images: number;
      readonly plain: Surface;
      readonly residual: Surface;
      readonly ms: number;
    }
  | { readonly type: 'landscape-cancelled'; readonly id: number }
  | {
      readonly type: 'activation-stats-result';
      readonly id: number;
      readonly depth: number;
      readonly images: number;
      readonly plain: readonly LayerResponse[];
      readonly residual: readonly LayerResponse[];
    }
  | { readonly type: 'imagenet-filters-result'; readonly id: number; readonly filters: FilterImage; readonly name: string; readonly shards: readonly string[] }
  | { readonly type: 'race-lesion-result'; readonly id: number; readonly depth: number; readonly images: number; readonly result: RaceLesionResult }
  | { readonly type: 'error'; readonly id?: number; readonly message: string };
