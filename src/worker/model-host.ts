/**
 * The model worker's state machine, separate from `self` so it runs in Node tests too: one current model,
 * replaced only when a new one has loaded completely (a failed or cancelled load leaves the previous model).
 */
import * as tf from '@tensorflow/tfjs';
import type { ArchSpec, WeightsDescription } from '../core';
import { type BackendChoice, type BackendName, chooseBackend, type WasmPaths } from '../tf/backend';
import { buildModel } from '../tf/build';
import { CancelledError } from '../tf/errors';
import { adoptCombined } from '../tf/finetune';
import { disposeRunner } from '../tf/fused/runners';
import { gradCam } from '../tf/gradcam';
import { DEFAULT_IMAGENET_PRECISION, type ImagenetPrecision, imagenetCacheKey, precisionOfArtifacts } from '../tf/imagenet-precision';
import { exportLayersModel } from '../tf/layers-model-export';
import { fetchLayersModel, layersModelFromFiles } from '../tf/layers-model-io';
import { layersModelZip } from '../tf/model-zip';
import { preprocessResized, resizeTo } from '../tf/preprocess';
import { discardPreparedWasmMemory, IMAGENET_HEAP_BYTES, IMAGENET_RESNET50_PARAMS, preparedWasmMemoryUsed, wasmHeapBytes } from '../tf/wasm-memory';
import { prefaultWasmHeap } from '../tf/wasm-prefault';
import { type H5Loader, imagenetRunner, loadWeightsSource, modelInput, type WeightsSource, weightsMetadata } from '../tf/weights-source';
import { ActivationsHost } from './activations-host';
import type { EarlyBackend } from './backend-start';
import type { Cache } from './cache-prefetch';
import type { Download } from './download-prefetch';
import { EngineHost, warmUpInference, warmUpRunner } from './engine-host';
import { ExportHost } from './export-host';
import { Finetuner } from './finetune-host';
import { pixelsOf, tensorToRaw } from './image';
import { runLesion } from './lesion-host';
import { LoadedModel } from './loaded-model';
import type { OrtEngineDeps } from './ort-engine';
import { PhaseClock } from './phase-clock';
import { progressGate } from './progress-gate';
import type { LoadPhase, ModelInfo, ModelSource, Request, Response } from './protocol';

type Progress = (phase: LoadPhase, loaded: number, total: number) => void;

function imagenetFiles(a: tf.io.ModelArtifacts): Pick<ModelInfo, 'precision' | 'weightBytes'> {
  return { precision: precisionOfArtifacts(a), ...(a.weightData instanceof ArrayBuffer ? { weightBytes: a.weightData.byteLength } : {}) };
}

export interface HostDeps {
  readonly post: (m: Response, transfer?: Transferable[]) => void;
  readonly wasmPaths?: WasmPaths;
  /** A backend start the worker's entry made for the page's first `init` (src/worker/backend-start.ts). */
  readonly earlyBackend?: EarlyBackend;
  /** Absolute URL of the ImageNet ResNet50 model.json per precision; a string: the float32 files only (tests). */
  readonly imagenetUrl: string | ((precision: ImagenetPrecision) => string);
  readonly cache?: Cache;
  readonly fetch?: typeof fetch;
  /** How a layers model is downloaded (default fetchLayersModel; the worker's entry may have started one). */
  readonly download?: Download;
  /** Loads Keras HDF5 weights; default: src/tf/weights-source.ts imports h5wasm on first use. */
  readonly loadH5?: H5Loader;
  /** onnxruntime-web as an inference engine (engine-host.ts); absent: tfjs only. */
  readonly ort?: OrtEngineDeps;
}

/** A model a load made, warmed up and described before it becomes current. */
interface Loading {
  readonly spec: ArchSpec;
  readonly weights: WeightsDescription;
  readonly params: number;
  warmUp(): Promise<void>;
  /** Free it (the load failed or was cancelled). */
  dispose(): void;
  /** Hand it over as the current model. */
  current(info: ModelInfo): LoadedModel;
}

const errorOf = (e: unknown) => ({
  name: e instanceof Error ? e.name : 'Error',
  message: e instanceof Error ? e.message : String(e),
});

export class ModelHost {
  private current?: LoadedModel;
  private readonly loads = new Map<number, AbortController>();
  /** Requests reading the current model that have not settled (see `using`). */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly tuner: Finetuner;
  private readonly exporter: ExportHost;
  /** The backend the last `init` asked for: a load downloads meanwhile and waits for it only to build. */
  private backendReady: Promise<unknown> = Promise.resolve();
  private backendPending = false;
  /** The last background cache write (tests wait for it); it never rejects. */
  private cacheWriting: Promise<void> = Promise.resolve();
  private readonly engines: EngineHost;
  /** The last classified image, for feature maps (Explore). */
  private readonly activations: ActivationsHost;

  constructor(private readonly deps: HostDeps) {
    this.activations = new ActivationsHost({ current: () => this.current, post: (m, transfer) => this.deps.post(m, transfer) });
    this.engines = new EngineHost({ post: (m, transfer) => this.deps.post(m, transfer), ort: deps.ort });
    this.exporter = new ExportHost({ current: () => this.current, post: (m, transfer) => this.deps.post(m, transfer), jobs: this.loads });
    this.tuner = new Finetuner({
      current: () => this.current,
      adopt: (model, info) => {
        const old = this.current;
        old?.features?.dispose();
        if (old) disposeRunner(old.model); // the combined model gets its own on first use
        // The fine-tuned model shares the old one's layers but its head (and conv5 when that was fine-tuned).
        if (old) adoptCombined(old.model, model);
        this.current = LoadedModel.of(model, info);
      },
      post: (m, transfer) => this.deps.post(m, transfer),
      jobs: this.loads,
    });
  }

  /** The current LayersModel (a deferred one is built now). */
  get model(): tf.LayersModel | undefined {
    return this.current?.model;
  }

  /** The current model as loaded (tests: whether its LayersModel was deferred). */
  get loaded(): LoadedModel | undefined {
    return this.current;
  }

  /** Resolves when the last load's IndexedDB write (started after ready) has finished or failed. */
  get cacheWrite(): Promise<void> {
    return this.cacheWriting;
  }

  async handle(req: Request): Promise<void> {
    try {
      switch (req.type) {
        case 'init': {
          // The first backend start takes the heap the worker's entry prepared, if it is the threaded wasm build;
          // any other leaves it, and it is let go.
          const choice = this.init(req.backend).finally(discardPreparedWasmMemory);
          this.backendPending = true;
          const settled = choice.then(
            () => undefined,
            () => undefined,
          );
          this.backendReady = settled;
          void settled.then(() => {
            if (this.backendReady === settled) this.backendPending = false;
          });
          return this.deps.post({ type: 'backend', id: req.id, choice: await choice });
        }
        case 'load':
          return this.deps.post({ type: 'loaded', id: req.id, info: await this.load(req.id, req.source, req.useCache ?? true) });
        case 'cancel':
          this.loads.get(req.target)?.abort();
          return;
        case 'classify':
          return await this.using(this.classify(req));
        case 'gradcam':
          return await this.using(this.gradcam(req.id, req.classIndex));
        case 'export':
          return await this.using(this.export(req.id));
        case 'finetune':
          return await this.tuner.train(req);
        case 'finetune-stage':
          return await this.tuner.tuneStage(req);
        case 'finetune-use':
          return this.deps.post({ type: 'loaded', id: req.id, info: this.tuner.use() });
        case 'finetune-export':
          return await this.tuner.export(req.id, req.format);
        case 'finetune-keep':
          return await this.tuner.keep(req.id, req.name, req.replace ?? false);
        case 'kept-list':
          return await this.tuner.listKept(req.id, req.remove);
        case 'export-code':
          return await this.exporter.run(req);
        case 'engine':
        case 'bench':
          return await this.using(this.engines.handle(req, this.current));
        case 'lesion':
          return await this.using(runLesion({ current: () => this.current, post: (m, t) => this.deps.post(m, t), jobs: this.loads }, req));
        case 'activations':
          return await this.using(this.activations.run(req));
        case 'memory': {
          const m = tf.memory();
          const heap = wasmHeapBytes();
          const wasmHeap = heap === undefined ? undefined : { bytes: heap, prepared: preparedWasmMemoryUsed() };
          return this.deps.post({ type: 'memory', id: req.id, numTensors: m.numTensors, numBytes: m.numBytes, ...(wasmHeap ? { wasmHeap } : {}) });
        }
      }
    } catch (e) {
      this.deps.post({ type: 'error', id: req.id, error: errorOf(e) });
    }
  }

  private earlyTaken = false;

  /** The entry's backend start, for the first `init` that asks for the same backend. */
  private takeEarlyBackend(prefer?: BackendName): Promise<BackendChoice> | undefined {
    const early = this.deps.earlyBackend;
    if (!early || this.earlyTaken || early.prefer !== prefer) return undefined;
    this.earlyTaken = true;
    return early.choice;
  }

  /**
   * Switch backends. tfjs would move the model's tensors lazily, but webgpu → wasm moves gave NaN here, so the
   * weights are read out first and the model is rebuilt on the new backend.
   */
  private async init(prefer?: BackendName) {
    const cur = this.current;
    if (!cur) return this.takeEarlyBackend(prefer) ?? chooseBackend({ prefer, wasmPaths: this.deps.wasmPaths });
    this.tuner.reset(); // a pending head would sit on the old backend
    const weights = cur.model.getWeights(); // a deferred model is built here, on the old backend
    const snapshot = await Promise.all(weights.map(async (w) => ({ shape: w.shape, data: (await w.data()) as Float32Array })));
    this.current = undefined;
    cur.dispose();
    const choice = await chooseBackend({ prefer, wasmPaths: this.deps.wasmPaths });
    // The spec carries a fine-tuned head (head.hidden / head.dropout), so the rebuilt model has its layers.
    const model = buildModel(cur.info.spec, { weightsFollow: true }); // setWeights below sets every weight
    const tensors = snapshot.map((w) => tf.tensor(w.data, w.shape));
    model.setWeights(tensors);
    tf.dispose(tensors);
    this.current = LoadedModel.of(model, cur.info);
    return choice;
  }

  /**
   * Artifacts from the cache or the network. Downloaded ones come with `save`, their cache write, which the load
   * runs after ready: 98 MB into IndexedDB took seconds that the user waited for (issue 11).
   */
  private async artifactsFromUrl(url: string, key: string, useCache: boolean, signal: AbortSignal, progress: Progress) {
    const cache = this.deps.cache?.available ? this.deps.cache : undefined;
    if (cache && useCache) {
      progress('cache', 0, 1);
      const hit = await cache.get(key).catch(() => undefined);
      if (hit) {
        progress('cache', 1, 1);
        return { artifacts: hit, fromCache: true };
      }
    }
    progress('download', 0, 0);
    const artifacts = await (this.deps.download ?? fetchLayersModel)(url, {
      signal,
      fetch: this.deps.fetch,
      onProgress: (loaded, total) => progress('download', loaded, total),
    });
    const save = cache ? () => cache.put(key, artifacts) : undefined;
    return { artifacts, fromCache: false, save };
  }

  /** Write the cache in the background; a full disk or a private window must not fail anything. */
  private saveLater(save: () => Promise<void>): void {
    const prev = this.cacheWriting;
    // After the `loaded` message (a macrotask later), so the write never delays ready.
    this.cacheWriting = prev.then(
      () =>
        new Promise<void>((resolve) => {
          setTimeout(() => {
            save().then(resolve, () => resolve());
          }, 0);
        }),
    );
  }

  /** Read the bytes a source names (network, cache, picked files); src/tf/weights-source.ts does the rest. */
  private async read(
    source: ModelSource,
    useCache: boolean,
    signal: AbortSignal,
    progress: Progress,
  ): Promise<{ source: WeightsSource; fromCache: boolean; save?: () => Promise<void> }> {
    switch (source.kind) {
      case 'imagenet': {
        const urlOf = this.deps.imagenetUrl;
        const want = typeof urlOf === 'string' ? 'float32' : (source.precision ?? DEFAULT_IMAGENET_PRECISION);
        const key = imagenetCacheKey(want);
        const r = await this.artifactsFromUrl(typeof urlOf === 'string' ? urlOf : urlOf(want), key, useCache, signal, progress);
        return { source: { kind: 'imagenet', artifacts: r.artifacts }, fromCache: r.fromCache, save: r.save };
      }
      case 'random':
        return { source: { kind: 'random', preset: source.preset }, fromCache: false };
      case 'layers-url': {
        const key = `url:${source.url}`;
        const r = await this.artifactsFromUrl(source.url, key, useCache, signal, progress);
        return { source: { kind: 'tfjs', artifacts: r.artifacts, preset: source.preset, label: source.url, id: key }, fromCache: r.fromCache, save: r.save };
      }
      case 'kept': {
        // A fine-tuned model kept in this browser: its artifacts rebuild it like picked tfjs files would.
        const m = await this.tuner.keptModel(source.name);
        return { source: { kind: 'tfjs', artifacts: m.artifacts, preset: m.preset, label: `kept model "${m.name}"`, id: `kept:${m.name}` }, fromCache: false };
      }
      case 'layers-files': {
        const label = source.files.map((f) => f.name).join(', ');
        return { source: { kind: 'tfjs', artifacts: await layersModelFromFiles(source.files), preset: source.preset, label, id: `files:${label}` }, fromCache: false };
      }
      case 'h5': {
        const label = source.file?.name ?? source.url ?? 'h5';
        let bytes: ArrayBuffer;
        if (source.file) bytes = await source.file.arrayBuffer();
        else if (source.url) {
          const res = await (this.deps.fetch ?? fetch)(source.url, { signal }).catch((e: unknown) => {
            throw new Error(`could not fetch ${source.url}: ${errorOf(e).message}`);
          });
          if (!res.ok) throw new Error(`could not fetch ${source.url}: HTTP ${res.status}`);
          bytes = await res.arrayBuffer();
        } else throw new Error('an h5 source needs a file or a URL');
        return { source: { kind: 'h5', bytes: new Uint8Array(bytes), preset: source.preset, mode: source.mode, label, id: `h5:${source.url ?? label}` }, fromCache: false };
      }
    }
  }

  async load(id: number, source: ModelSource, useCache = true): Promise<ModelInfo> {
    const ctl = new AbortController();
    this.loads.set(id, ctl);
    const t0 = performance.now();
    const clock = new PhaseClock();
    const worthPosting = progressGate();
    const progress: Progress = (phase, loaded, total) => {
      clock.enter(phase);
      if (worthPosting(phase, loaded, total)) this.deps.post({ type: 'progress', id, phase, loaded, total });
    };
    try {
      // The backend (wasm fetch and compile, a GPU adapter) gets ready while the weights are read; then, while the
      // read goes on, the wasm heap the ImageNet model will fill is touched in advance (src/tf/wasm-prefault.ts).
      const reading = this.read(source, useCache, ctl.signal, progress);
      const prefault = source.kind === 'imagenet' ? this.backendReady.then(() => prefaultWasmHeap(IMAGENET_HEAP_BYTES, reading)) : undefined;
      const read = await reading.finally(() => prefault);
      if (this.backendPending) progress('backend', 0, 1);
      await this.backendReady;
      if (ctl.signal.aborted) throw new CancelledError('loading');
      const loaded = read.source.kind === 'imagenet' ? this.imagenet(read.source.artifacts, progress) : await this.built(read.source, ctl.signal, progress);
      const { spec, weights } = loaded;
      try {
        progress('warmup', 0, 1);
        await loaded.warmUp();
        if (ctl.signal.aborted) throw new CancelledError('loading');
      } catch (e) {
        loaded.dispose();
        throw e;
      }
      const info: ModelInfo = {
        name: spec.name,
        spec,
        weights: weights.source === 'imagenet' ? 'imagenet' : weights.source === 'random' ? 'random' : 'loaded',
        weightsLabel: weights.label,
        params: loaded.params,
        classes: spec.head.classes,
        ...(weights.source === 'finetuned' && weights.labels ? { classNames: weights.labels } : {}),
        preprocessing: weights.preprocessing.mode,
        weightsDescription: weights,
        fromCache: read.fromCache,
        // What the ImageNet files hold (not what was asked for) and their weight bytes.
        ...(read.source.kind === 'imagenet' ? imagenetFiles(read.source.artifacts) : {}),
        loadMs: performance.now() - t0,
        phases: clock.phases(),
      };
      this.replace(loaded.current(info));
      if (read.save) this.saveLater(read.save);
      return info;
    } finally {
      this.loads.delete(id);
    }
  }

  /**
   * The ImageNet ResNet50 as a fused runner made straight from the weights: the LayersModel is built only when a
   * feature needs it (src/worker/loaded-model.ts).
   */
  private imagenet(artifacts: tf.io.ModelArtifacts, progress: Progress): Loading {
    progress('weights', 0, 1);
    const r = imagenetRunner(artifacts);
    return {
      spec: r.spec,
      weights: r.weights,
      params: IMAGENET_RESNET50_PARAMS, // equal to its graph's count (test/unit/wasm-memory.test.ts)
      warmUp: () => warmUpRunner(r.runner, { ownsKernels: true }),
      dispose: () => r.runner.dispose(),
      current: (info) => LoadedModel.deferred(info, r.runner, r.build),
    };
  }

  /** Any other source: the LayersModel is built and its weights assigned now. */
  private async built(source: WeightsSource, signal: AbortSignal, progress: Progress): Promise<Loading> {
    progress('build', 0, 1);
    const onLayer = (done: number, total: number) => {
      if (done % 20 === 0 || done === total) progress('build', done, total);
    };
    const { model, spec, weights } = await loadWeightsSource(source, {
      loadH5: this.deps.loadH5,
      onLayer,
      beforeWeights: () => progress('weights', 0, 1),
      cancelled: () => signal.aborted,
      onCancelled: () => new CancelledError('loading'),
    });
    return {
      spec,
      weights,
      params: model.countParams(),
      current: (info) => LoadedModel.of(model, info),
      warmUp: () => warmUpInference(model, spec),
      dispose: () => {
        disposeRunner(model);
        model.dispose();
      },
    };
  }

  private replace(next: LoadedModel): void {
    this.tuner.reset();
    const old = this.current;
    this.current = next;
    if (old) this.retire(old);
  }

  /**
   * Requests run concurrently in the worker: a classification started before a load finished still holds the
   * old model across its awaits. Requests that read the model are tracked, and a replaced model is freed once
   * those in flight when it was replaced have settled (new ones already see the new model).
   */
  private using<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    const forget = () => this.inFlight.delete(work);
    work.then(forget, forget);
    return work;
  }

  private retire(old: LoadedModel): void {
    const free = () => old.dispose();
    if (this.inFlight.size === 0) free();
    else void Promise.allSettled([...this.inFlight]).then(free);
  }

  private async classify(req: Extract<Request, { type: 'classify' }>): Promise<void> {
    const cur = this.current;
    if (!cur) throw new Error('no model is loaded yet');
    const weights = cur.info.weightsDescription;
    const target = modelInput(weights);
    const t0 = performance.now();
    const pixels = await pixelsOf(req.image, req.name);
    const decode = performance.now() - t0;
    let input: tf.Tensor4D | undefined;
    try {
      const source = { width: pixels.shape[1], height: pixels.shape[0] };
      // One resize for the preview, the inference and the feature maps (each used to make its own).
      const t1 = performance.now();
      const crop = resizeTo(pixels, [target.input[0], target.input[1]], req.resize);
      input = preprocessResized(crop, target);
      const preview = await tensorToRaw(crop);
      crop.dispose();
      const preprocess = performance.now() - t1;
      const r = await this.engines.infer(cur, target, pixels, {
        k: req.k ?? 5,
        resize: req.resize,
        gradcam: req.gradcam ?? true,
        keepFeatures: true,
        labels: weights.labels,
        preprocessed: input,
      });
      cur.features?.dispose();
      cur.features = r.features;
      this.activations.remember(cur, cur.info.name, input, req.name);
      input = undefined;
      this.deps.post(
        {
          type: 'classified',
          id: req.id,
          top: r.top,
          heat: r.heat,
          timing: { decode, ...r.timing, preprocess: preprocess + r.timing.preprocess },
          backend: tf.getBackend(),
          engine: r.engine,
          preview,
          source,
        },
        [preview.data.buffer],
      );
    } finally {
      pixels.dispose();
      input?.dispose();
    }
  }

  private async gradcam(id: number, classIndex: number): Promise<void> {
    const cur = this.current;
    if (!cur?.features) throw new Error('classify an image first');
    const heat = await gradCam(cur.predictor().head, cur.features, classIndex);
    this.deps.post({ type: 'heat', id, heat });
  }

  private async export(id: number): Promise<void> {
    const cur = this.current;
    if (!cur) throw new Error('no model is loaded yet');
    // The weights' input mode (and a fine-tuned model's classes) travel in the model.json.
    const meta = weightsMetadata(cur.info.weightsDescription, cur.info.classNames);
    const m = await exportLayersModel(cur.model, cur.info.name, meta);
    const { zip, filename } = layersModelZip(m);
    this.deps.post({ type: 'exported', id, zip, filename, name: m.name }, [zip]);
  }

  /** Free everything (tests). */
  dispose(): void {
    void this.engines.dispose();
    this.activations.dispose();
    this.tuner.dispose();
    this.current?.dispose();
    this.current = undefined;
  }
}
