/**
 * The lesion study inside the model worker: the image is decoded and preprocessed exactly as for `classify`,
 * then src/tf/lesion.ts deletes each residual block of the current model in turn. One `lesion-progress` per
 * block; `cancel` stops it between blocks; a model loaded meanwhile stops it too. The weights are zeroed and
 * restored within one synchronous step, so a classify request running alongside always sees the intact model.
 */
import type * as tf from '@tensorflow/tfjs';
import { expand } from '../core';
import { CancelledError } from '../tf/errors';
import { lesionStudy } from '../tf/lesion';
import { preprocess } from '../tf/preprocess';
import { modelInput } from '../tf/weights-source';
import { pixelsOf } from './image';
import type { ModelInfo, Request, Response } from './protocol';

export interface LesionHostDeps {
  current(): { readonly model: tf.LayersModel; readonly info: ModelInfo } | undefined;
  post(m: Response, transfer?: Transferable[]): void;
  /** Running jobs by request id, for `cancel` (the model host's map). */
  readonly jobs: Map<number, AbortController>;
}

/** Let queued messages (a cancel) in: a macrotask, not a microtask. */
const yieldToMessages = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export async function runLesion(deps: LesionHostDeps, req: Extract<Request, { type: 'lesion' }>): Promise<void> {
  const cur = deps.current();
  if (!cur) throw new Error('no model is loaded yet');
  const ctl = new AbortController();
  deps.jobs.set(req.id, ctl);
  let x: tf.Tensor4D | undefined;
  try {
    const weights = cur.info.weightsDescription;
    const graph = expand(cur.info.spec);
    // The same pixels and input target as `classify` (src/worker/image.ts, the weights' preprocessing).
    const pixels = await pixelsOf(req.image, req.name);
    try {
      x = preprocess(pixels, modelInput(weights), req.resize);
    } finally {
      pixels.dispose();
    }
    const result = await lesionStudy(cur.model, graph, x, {
      signal: ctl.signal,
      labels: weights.labels,
      yieldBetween: async () => {
        await yieldToMessages();
        if (deps.current()?.model !== cur.model) throw new CancelledError('the lesion study (another model was loaded meanwhile)');
      },
      onBlock: (done, total, entry) => deps.post({ type: 'lesion-progress', id: req.id, done, total, entry }),
    });
    deps.post({ type: 'lesioned', id: req.id, result: { image: req.name, model: cur.info.name, ...result } });
  } finally {
    x?.dispose();
    deps.jobs.delete(req.id);
  }
}
