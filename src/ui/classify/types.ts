import type { HeatMap } from '../../tf/gradcam';
import type { ResponseOf } from '../../worker/protocol';

/** One image in the Classify view and where it is in the pipeline. */
export interface Item {
  readonly key: number;
  readonly name: string;
  /** Kept to re-run the model for a heat map of an older image (the worker keeps only the last feature map). */
  readonly blob?: Blob;
  readonly status: 'running' | 'done' | 'error';
  readonly result?: ResponseOf<'classified'>;
  readonly heat?: HeatMap;
  readonly error?: string;
}
