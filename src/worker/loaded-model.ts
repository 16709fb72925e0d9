/**
 * A model as the model worker holds it: what was loaded (ModelInfo), its fused inference runner and its
 * LayersModel.
 *
 * Classify needs only the runner: forward pass, head and Grad-CAM all run on the runner's own weights
 * (src/tf/inference.ts `runnerPredictor`). So a load that can make the runner straight from the decoded weights
 * (the ImageNet ResNet50) defers the LayersModel until something first asks for `model` — Explore's feature maps,
 * the lesion study, fine-tuning, export, onnxruntime-web, a backend switch. Issue 11: building that model and
 * holding a second, unfolded copy of the 25.6M weights was ≈ 0.7 s of every start and 100 MB of fresh memory.
 */
import type * as tf from '@tensorflow/tfjs';
import { adoptRunner, disposeRunner, runnerFor } from '../tf/fused/runners';
import type { InferenceRunner } from '../tf/fused/runner';
import { modelPredictor, type Predictor, runnerPredictor } from '../tf/inference';
import type { ModelInfo } from './protocol';

export class LoadedModel {
  /** Feature map of the last classified image, for more heat maps. */
  features?: tf.Tensor4D;
  private built?: tf.LayersModel;
  private make?: () => tf.LayersModel;
  private disposed = false;

  private constructor(
    readonly info: ModelInfo,
    /** The runner made at load (deferred models); else the model's own, made on first use (`runnerFor`). */
    private readonly ownRunner?: InferenceRunner,
  ) {}

  /** A model already built (its runner is made on first use). */
  static of(model: tf.LayersModel, info: ModelInfo): LoadedModel {
    const m = new LoadedModel(info);
    m.built = model;
    return m;
  }

  /** A runner now and the LayersModel when first asked for: `make` builds it with the same weights. */
  static deferred(info: ModelInfo, runner: InferenceRunner, make: () => tf.LayersModel): LoadedModel {
    const m = new LoadedModel(info, runner);
    m.make = make;
    return m;
  }

  /** The LayersModel, built now (synchronously, in the worker) if the load deferred it. */
  get model(): tf.LayersModel {
    if (this.disposed) throw new Error(`the model ${this.info.name} was replaced and freed`);
    if (!this.built) {
      const make = this.make;
      if (!make) throw new Error('a loaded model has neither a LayersModel nor a way to build one');
      this.built = make();
      this.make = undefined;
      // The model's runner is the one made at load: no second folded copy of the weights.
      if (this.ownRunner) adoptRunner(this.built, this.ownRunner);
    }
    return this.built;
  }

  /** Whether the LayersModel exists yet (a deferred one is built on first `model`). */
  get hasModel(): boolean {
    return this.built !== undefined;
  }

  /** The fused inference runner; undefined when the model does not fit its spec's graph (it then runs unfused). */
  get runner(): InferenceRunner | undefined {
    return this.ownRunner ?? runnerFor(this.info.spec, this.model);
  }

  /** What Classify runs: the runner when it has a classifier head, else the LayersModel split at its pooling. */
  predictor(): Predictor {
    const runner = this.runner;
    return (runner && runnerPredictor(runner)) ?? modelPredictor(this.model);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.features?.dispose();
    this.features = undefined;
    if (this.built) {
      disposeRunner(this.built);
      this.built.dispose();
    }
    this.ownRunner?.dispose();
    this.make = undefined;
  }
}
