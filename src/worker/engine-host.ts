/**
 * The model worker's inference-engine setting (tfjs | onnxruntime-web) and its bench entry. Kept out of
 * model-host.ts: the host asks `infer` for a classification and forwards `engine` / `bench` requests here.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { ArchSpec } from '../core';
import { topK } from '../tf/classify';
import { runnerFor } from '../tf/fused/runners';
import type { InferenceRunner } from '../tf/fused/runner';
import { headProbs } from '../tf/gradcam';
import { type InferenceOptions, type InferenceResult, modelPredictor, type Predictor, runInference, runnerPredictor } from '../tf/inference';
import { type InputTarget, preprocess } from '../tf/preprocess';
import { modelInput } from '../tf/weights-source';
import { imageToTensor } from './image';
import { ENGINES, type EngineName, OrtEngine, type OrtEngineDeps, runOrtInference } from './ort-engine';
import type { ModelInfo, Request, Response } from './protocol';

/** The current model (src/worker/loaded-model.ts): `model` may build a deferred LayersModel. */
interface CurrentModel {
  readonly model: tf.LayersModel;
  readonly info: Pick<ModelInfo, 'spec' | 'weightsDescription'>;
  readonly runner: InferenceRunner | undefined;
  predictor(): Predictor;
}

export interface EngineHostDeps {
  readonly post: (m: Response, transfer?: Transferable[]) => void;
  /** How to load onnxruntime-web; absent: only tfjs is offered. */
  readonly ort?: OrtEngineDeps;
}

/**
 * Make the model's fused inference runner (src/tf/fused: BN folded into the convs, conv + bias + ReLU as one
 * kernel) and warm it up before the model is called ready (issue 11): a model's first pass pays for kernel
 * set-up — on wasm XNNPACK packs each filter, on WebGL/WebGPU shaders compile —; paid here, it is not the user's
 * first prediction. On wasm (and cpu) the warm-up runs on a small input (src/tf/fused/warm-up.ts): the set-up is
 * the same, the arithmetic of a full-size pass is saved. A model that does not fit its spec's graph gets no
 * runner and warms up unfused at full size. Frees what it makes; the runner stays until `disposeRunner(model)`.
 */
export async function warmUpInference(model: tf.LayersModel, spec: ArchSpec): Promise<void> {
  const runner = runnerFor(spec, model);
  if (runner) return warmUpRunner(runner);
  const [, h, w, c] = model.inputs[0].shape as number[];
  const x = tf.zeros([1, h, w, c]);
  const y = model.predict(x) as tf.Tensor | tf.Tensor[];
  try {
    await Promise.all((Array.isArray(y) ? y : [y]).map((t) => t.data()));
  } finally {
    tf.dispose([x, y]);
  }
}

/**
 * Warm up a runner: on a small input where the backend's set-up does not depend on the size. `ownsKernels`: the
 * runner's conv kernels are its own and it is disposed before any backend switch (the ImageNet model made straight
 * from its weights), so on wasm their bytes are freed once set up (src/tf/fused/release-kernels.ts).
 */
export function warmUpRunner(runner: InferenceRunner, opts: { readonly ownsKernels?: boolean } = {}): Promise<void> {
  // releaseKernels does nothing off wasm (release-kernels.ts checks the backend).
  return runner.warmUp({ small: SIZE_FREE_SETUP.has(tf.getBackend()), releaseKernels: opts.ownsKernels === true });
}

/** Backends whose kernel set-up does not depend on the input size (no per-shape shader programs). */
const SIZE_FREE_SETUP: ReadonlySet<string> = new Set(['wasm', 'cpu']);

/** tfjs' own label: `tfjs (webgl)`, `tfjs (wasm, 1 thread)` (the pool tfjs-backend-wasm actually started). */
function tfjsLabel(): string {
  const backend = tf.getBackend();
  if (backend !== 'wasm') return `tfjs (${backend})`;
  const n = getThreadsCount();
  return `tfjs (wasm, ${n} thread${n === 1 ? '' : 's'})`;
}

export class EngineHost {
  private engine: EngineName = 'tfjs';
  private ort?: OrtEngine;

  constructor(private readonly deps: EngineHostDeps) {}

  private ortEngine(): OrtEngine {
    if (!this.deps.ort) throw new Error('onnxruntime-web is not available in this worker');
    this.ort ??= new OrtEngine(this.deps.ort);
    return this.ort;
  }

  /** Classify with the chosen engine (Grad-CAM always from tfjs). */
  async infer(cur: CurrentModel, target: InputTarget, pixels: tf.Tensor3D, opts: InferenceOptions): Promise<InferenceResult & { features?: tf.Tensor4D; engine: string }> {
    if (this.engine === 'onnxruntime-web') return runOrtInference(this.ortEngine(), cur.model, cur.info.spec, target, pixels, opts);
    // The fused runner when the model has one: forward pass, head and Grad-CAM (src/tf/inference.ts).
    return { ...(await runInference(cur.predictor(), target, pixels, opts)), engine: tfjsLabel() };
  }

  async handle(req: Extract<Request, { type: 'engine' | 'bench' }>, cur: CurrentModel | undefined): Promise<void> {
    if (req.type === 'engine') return this.setEngine(req, cur);
    return this.bench(req, cur);
  }

  /** Choose the engine; with onnxruntime-web and a model loaded, export and create the session now. */
  private async setEngine(req: Extract<Request, { type: 'engine' }>, cur: CurrentModel | undefined): Promise<void> {
    if (!ENGINES.includes(req.engine)) throw new RangeError(`engine must be one of ${ENGINES.join(', ')}; got ${JSON.stringify(req.engine)}`);
    if (req.engine === 'tfjs') {
      this.engine = 'tfjs';
      // The session holds a second copy of the weights in ort's wasm memory: free it (ort's threads stay).
      await this.ort?.dispose();
      return this.deps.post({ type: 'engine', id: req.id, engine: 'tfjs', label: tfjsLabel() });
    }
    const ort = this.ortEngine();
    const session = cur ? await ort.prepare(cur.model, cur.info.spec, { threads: req.threads }) : undefined;
    this.engine = 'onnxruntime-web';
    this.deps.post({ type: 'engine', id: req.id, engine: 'onnxruntime-web', label: session?.label ?? 'onnxruntime-web (wasm)', session });
  }

  /**
   * Time `runs` forward passes of the current model on a batch of `batch` copies of one image (preprocessed by
   * tfjs as in Classify), with the chosen engine: the same model, weights and input for every engine. Each
   * time is preprocessed batch → probabilities read back (tfjs: features + head; ort: NCHW copy + session.run).
   */
  private async bench(req: Extract<Request, { type: 'bench' }>, cur: CurrentModel | undefined): Promise<void> {
    if (!cur) throw new Error('no model is loaded yet');
    if (!Number.isInteger(req.batch) || req.batch < 1) throw new RangeError(`batch must be an integer ≥ 1, got ${req.batch}`);
    if (!Number.isInteger(req.runs) || req.runs < 1) throw new RangeError(`runs must be an integer ≥ 1, got ${req.runs}`);
    const spec = cur.info.spec;
    const pixels = imageToTensor(req.image);
    const one = preprocess(pixels, modelInput(cur.info.weightsDescription));
    pixels.dispose();
    const x = tf.tidy(() => tf.tile(one, [req.batch, 1, 1, 1]) as tf.Tensor4D);
    one.dispose();
    try {
      let label: string;
      let forward: () => Promise<Float32Array>;
      if (req.engine === 'onnxruntime-web') {
        const ort = this.ortEngine();
        const model = cur.model;
        label = (await ort.prepare(model, spec, { threads: req.threads })).label;
        forward = async () => (await ort.probabilities(model, spec, x)).probs;
      } else {
        // What Classify runs: the fused runner to the feature map, then the head (or, fused: false, the model alone).
        const fused = req.fused === false ? undefined : cur.runner && runnerPredictor(cur.runner);
        label = `${tfjsLabel()}${fused ? ', fused' : ', unfused'}`;
        const p = fused ?? modelPredictor(cur.model);
        forward = async () => {
          const probs = tf.tidy(() => headProbs(p.head, p.features(x)));
          try {
            return (await probs.data()) as Float32Array;
          } finally {
            probs.dispose();
          }
        };
      }
      const ms: number[] = [];
      let probs: Float32Array = new Float32Array(0);
      for (let i = 0; i < req.runs; i++) {
        const t0 = performance.now();
        probs = await forward();
        ms.push(performance.now() - t0);
      }
      const classes = probs.length / req.batch;
      const first = probs.slice(0, classes);
      this.deps.post({ type: 'bench', id: req.id, label, ms, top: topK(first, 5), probs: first }, [first.buffer]);
    } finally {
      x.dispose();
    }
  }

  async dispose(): Promise<void> {
    await this.ort?.dispose();
  }
}
