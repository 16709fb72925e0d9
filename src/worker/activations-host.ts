/**
 * Feature maps in the model worker (`activations` request): the last image Classify classified is kept here,
 * preprocessed as for that classification, together with the model it was classified with; a request names
 * layers of that model and gets their per-channel means and uint8 tiles (src/tf/activations.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import { ActivationsError, activationMaps } from '../tf/activations';
import type { ActivationsReport, ModelInfo, Request, Response } from './protocol';

/** Nothing to show yet: no model, or no image classified with the current one. */
export class NoImageError extends Error {
  override name = 'NoImageError';
}

/** The model was replaced (another load, a fine-tuned head, a backend switch) since the image or during the request. */
export class ModelChangedError extends Error {
  override name = 'ModelChangedError';
}

export interface ActivationsHostDeps {
  /** The current model; `model` may build a deferred LayersModel (src/worker/loaded-model.ts). */
  current(): { readonly model: tf.LayersModel; readonly info: ModelInfo } | undefined;
  post(m: Response, transfer?: Transferable[]): void;
}

interface Kept {
  /** The loaded model the image was classified with (its identity: the LayersModel may not be built yet). */
  readonly owner: object;
  readonly modelName: string;
  readonly input: tf.Tensor4D;
  readonly image: string;
}

export class ActivationsHost {
  private kept?: Kept;

  constructor(private readonly deps: ActivationsHostDeps) {}

  /**
   * Keep the image just classified with `owner`, the current model (the previous image is freed): its preprocessed
   * input, as the classification ran it, which this host now owns.
   */
  remember(owner: object, modelName: string, input: tf.Tensor4D, image: string): void {
    this.forget();
    this.kept = { owner, modelName, input, image };
  }

  async run(req: Extract<Request, { type: 'activations' }>): Promise<void> {
    const cur = this.deps.current();
    if (!cur) throw new NoImageError('No model is loaded yet: open Classify, let the model load and classify an image.');
    const kept = this.kept;
    if (!kept) throw new NoImageError(`No image has been classified yet with ${cur.info.name}: classify one in Classify.`);
    if (kept.owner !== cur) {
      this.forget();
      throw new ModelChangedError(`The model in Classify changed since ${kept.image} was classified (now ${cur.info.name}); classify an image again.`);
    }
    const known = new Set(cur.model.layers.map((l) => l.name));
    const missing = req.layers.filter((n) => !known.has(n));
    if (missing.length) {
      throw new ActivationsError(`The model in Classify (${cur.info.name}) has no layer ${missing.join(', ')}: pick ${cur.info.name} in Explore to see its feature maps.`);
    }
    const t0 = performance.now();
    const maps = await activationMaps(cur.model, kept.input, req.layers, { maxChannels: req.maxChannels, orderBy: req.orderBy });
    if (this.deps.current() !== cur) throw new ModelChangedError('The model in Classify changed while the feature maps were computed; try again.');
    const result: ActivationsReport = { ...maps, image: kept.image, model: kept.modelName, weights: cur.info.weights, ms: performance.now() - t0 };
    this.deps.post(
      { type: 'activations', id: req.id, result },
      maps.layers.map((l) => l.tiles.buffer as ArrayBuffer),
    );
  }

  /** Free the kept image. */
  forget(): void {
    this.kept?.input.dispose();
    this.kept = undefined;
  }

  dispose(): void {
    this.forget();
  }
}
