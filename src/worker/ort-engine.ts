/**
 * onnxruntime-web as an inference engine for Classify (issue 11): the current tfjs model is exported to ONNX in
 * memory (`exportOnnx`, the same file the Export panel writes) and run by an ort.InferenceSession on wasm.
 * Preprocessing is tfjs' own (`preprocess`, NHWC), transposed to the export's NCHW input; the probabilities
 * and top-k are computed as for tfjs. tfjs stays the engine for building, the lab, training and Grad-CAM: a
 * heat map runs the tfjs feature extractor on the same input.
 *
 * ort reads `env.wasm.numThreads` once, when its wasm starts (onnxruntime-common env.d.ts), so the thread count
 * is fixed for the life of the worker.
 */
import * as tf from '@tensorflow/tfjs';
import type * as Ort from 'onnxruntime-web';
import type { ArchSpec } from '../core';
import { type Prediction, topK } from '../tf/classify';
import { exportInputFromModel } from '../tf/export-input';
import { gradCam, splitModel } from '../tf/gradcam';
import type { InferenceOptions, InferenceResult } from '../tf/inference';
import { type InputTarget, preprocess } from '../tf/preprocess';

export type EngineName = 'tfjs' | 'onnxruntime-web';
export const ENGINES: readonly EngineName[] = ['tfjs', 'onnxruntime-web'];

type OrtModule = typeof Ort;

export interface OrtEngineDeps {
  /** Loads onnxruntime-web (a dynamic import, so the app fetches it only when the engine is chosen). */
  readonly load: () => Promise<OrtModule>;
  /** URL of ort-wasm-simd-threaded.wasm served from our origin (browser); absent: ort's default (Node). */
  readonly wasmUrl?: string;
}

/** What preparing a session cost, for the status bar and the bench. */
export interface OrtSessionInfo {
  /** `onnxruntime-web (wasm, 2 threads)`. */
  readonly label: string;
  readonly threads: number;
  readonly onnxBytes: number;
  readonly exportMs: number;
  readonly sessionMs: number;
}

interface Prepared {
  readonly model: tf.LayersModel;
  readonly session: Ort.InferenceSession;
  readonly output: string;
  /** The exported head outputs logits (no softmax in the dense layer): apply it here as tfjs' headProbs does. */
  readonly needsSoftmax: boolean;
  readonly info: OrtSessionInfo;
}

/** Threads for ort's wasm: up to 4 where SharedArrayBuffer is allowed (cross-origin isolated), else 1. */
export function defaultOrtThreads(): number {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const cores = (globalThis.navigator as Navigator | undefined)?.hardwareConcurrency ?? 1;
  return isolated ? Math.max(1, Math.min(cores, 4)) : 1;
}

const describeThreads = (n: number) => `onnxruntime-web (wasm, ${n} thread${n === 1 ? '' : 's'})`;

function softmaxRows(x: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length; r += classes) {
    let max = -Infinity;
    for (let i = 0; i < classes; i++) max = Math.max(max, x[r + i]);
    let sum = 0;
    for (let i = 0; i < classes; i++) sum += out[r + i] = Math.exp(x[r + i] - max);
    for (let i = 0; i < classes; i++) out[r + i] /= sum;
  }
  return out;
}

export class OrtEngine {
  private ort?: OrtModule;
  private threads?: number;
  private prepared?: Prepared;
  private pending?: Promise<Prepared>;

  constructor(private readonly deps: OrtEngineDeps) {}

  /** Start ort's wasm with `threads` (default: defaultOrtThreads()); a later different count is refused. */
  private async start(threads?: number): Promise<OrtModule> {
    const want = threads ?? this.threads ?? defaultOrtThreads();
    if (!Number.isInteger(want) || want < 1) throw new RangeError(`onnxruntime-web threads must be an integer ≥ 1, got ${threads}`);
    if (this.ort) {
      if (want !== this.threads) {
        throw new Error(`onnxruntime-web already runs with ${this.threads} thread(s) in this worker; ${want} needs a new page (ort reads numThreads once)`);
      }
      return this.ort;
    }
    const ort = await this.deps.load();
    ort.env.wasm.numThreads = want;
    if (this.deps.wasmUrl) ort.env.wasm.wasmPaths = { wasm: this.deps.wasmUrl };
    this.ort = ort;
    this.threads = want;
    return ort;
  }

  /** The session for `model` (exported and created once per model object). */
  async prepare(model: tf.LayersModel, spec: ArchSpec, opts: { threads?: number } = {}): Promise<OrtSessionInfo> {
    return (await this.sessionFor(model, spec, opts.threads)).info;
  }

  private async sessionFor(model: tf.LayersModel, spec: ArchSpec, threads?: number): Promise<Prepared> {
    const ort = await this.start(threads);
    if (this.prepared?.model === model) return this.prepared;
    // One export at a time; a second caller for the same model waits for the first.
    const pending = this.pending;
    if (pending) {
      const p = await pending.catch(() => undefined);
      if (p?.model === model) return p;
    }
    const job = this.create(ort, model, spec);
    this.pending = job;
    try {
      const next = await job;
      const old = this.prepared;
      this.prepared = next;
      await old?.session.release();
      return next;
    } finally {
      if (this.pending === job) this.pending = undefined;
    }
  }

  private async create(ort: OrtModule, model: tf.LayersModel, spec: ArchSpec): Promise<Prepared> {
    const t0 = performance.now();
    // The exporter and its protobuf code (≈ 120 kB) load with the engine, not with the model worker's start.
    const { exportOnnx } = await import('../export/onnx');
    const { files } = exportOnnx(exportInputFromModel(spec, model, { weightsLabel: 'current model' }));
    const bytes = files[0].bytes;
    const t1 = performance.now();
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    const t2 = performance.now();
    const threads = this.threads ?? 1;
    return {
      model,
      session,
      output: session.outputNames[0],
      needsSoftmax: !splitModel(model).softmax,
      info: { label: describeThreads(threads), threads, onnxBytes: bytes.length, exportMs: t1 - t0, sessionMs: t2 - t1 },
    };
  }

  /** Probabilities [batch · classes] of a preprocessed NHWC batch (tfjs layout); the caller keeps `x`. */
  async probabilities(model: tf.LayersModel, spec: ArchSpec, x: tf.Tensor4D): Promise<{ probs: Float32Array; classes: number }> {
    const p = await this.sessionFor(model, spec);
    const ort = this.ort!;
    const nchw = tf.tidy(() => tf.transpose(x, [0, 3, 1, 2]));
    let data: Float32Array;
    try {
      data = (await nchw.data()) as Float32Array;
    } finally {
      nchw.dispose();
    }
    const [n, h, w, c] = x.shape;
    const input = new ort.Tensor('float32', data, [n, c, h, w]);
    const result = await p.session.run({ input });
    const out = result[p.output];
    try {
      const raw = out.data as Float32Array;
      const classes = raw.length / n;
      return { probs: p.needsSoftmax ? softmaxRows(raw, classes) : new Float32Array(raw), classes };
    } finally {
      out.dispose();
      input.dispose();
    }
  }

  /** The label of the engine as it runs now, or undefined before the first session. */
  get label(): string | undefined {
    return this.prepared?.info.label;
  }

  async dispose(): Promise<void> {
    const p = this.prepared;
    this.prepared = undefined;
    await p?.session.release();
  }
}

/**
 * `runInference` with onnxruntime-web computing the probabilities: same preprocessing and top-k; the
 * Grad-CAM (and the kept feature map) come from tfjs on the same preprocessed input, timed as `gradcam`.
 */
export async function runOrtInference(
  engine: OrtEngine,
  model: tf.LayersModel,
  spec: ArchSpec,
  target: InputTarget,
  pixels: tf.Tensor3D,
  opts: InferenceOptions = {},
): Promise<InferenceResult & { features?: tf.Tensor4D; engine: string }> {
  const t0 = performance.now();
  const own = opts.preprocessed === undefined;
  const x = opts.preprocessed ?? preprocess(pixels, target, opts.resize);
  try {
    const t1 = performance.now();
    const { probs } = await engine.probabilities(model, spec, x);
    const top: readonly Prediction[] = topK(probs, opts.k ?? 5, opts.labels);
    const t2 = performance.now();
    let heat: InferenceResult['heat'];
    let features: tf.Tensor4D | undefined;
    if (opts.gradcam !== false || opts.keepFeatures) {
      const split = splitModel(model);
      features = split.features.predict(x) as tf.Tensor4D;
      try {
        if (opts.gradcam !== false) heat = await gradCam(split, features, top[0].index);
      } finally {
        if (!opts.keepFeatures || (heat === undefined && opts.gradcam !== false)) {
          features.dispose();
          features = undefined;
        }
      }
    }
    const t3 = performance.now();
    return { top, heat, features, engine: engine.label!, timing: { preprocess: t1 - t0, predict: t2 - t1, gradcam: t3 - t2 } };
  } finally {
    if (own) x.dispose();
  }
}
