/**
 * Main-thread side of the model worker: promise per request, progress callbacks, cancellation. One shared
 * worker for the app (the model and its weights live there once). Backend changes are published to
 * `backend-status` for the shell's status bar.
 */
import type { BackendChoice, BackendName } from '../tf/backend';
import type { EpochLog, FinetuneOptions } from '../tf/finetune-options';
import type { KeptModelInfo } from '../tf/finetuned-store';
import { setBackendStatus } from './backend-status';
import { CLASSIFY_WORKER_NAME, MODEL_WORKER_NAME } from './client-names';
import { engineStatus } from './engine-status';
import type { EngineName } from './ort-engine';
import {
  type ActivationsReport,
  type CodeExport,
  type ExportSource,
  type FinetuneImage,
  type FinetuneSummary,
  INTERIM_TYPES,
  type LesionReport,
  type LoadPhase,
  type ModelInfo,
  type ModelSource,
  type RawImage,
  type RequestBody,
  type Response,
  type ResponseOf,
  type StageSummary,
} from './protocol';

type Progress = (phase: LoadPhase, loaded: number, total: number) => void;

interface Pending {
  readonly resolve: (r: Response) => void;
  readonly reject: (e: Error) => void;
  readonly onProgress?: Progress;
  readonly onEvent?: (m: Response) => void;
}

export interface FinetuneCallbacks {
  readonly onImage?: (done: number, total: number, name: string) => void;
  readonly onEpoch?: (log: EpochLog) => void;
}

/** An error from the worker, with the worker-side error name (WeightsFormatError, CancelledError, …). */
export class WorkerError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

export class ModelClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** The first `init` sent (by Classify, or by `ensureBackend`). */
  private initSent?: Promise<unknown>;

  constructor(private readonly worker: Worker) {
    worker.onmessage = (e: MessageEvent<Response>) => this.receive(e.data);
    worker.onerror = (e) => {
      const err = new WorkerError('WorkerError', e.message || 'the model worker failed to start');
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  private receive(m: Response): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (INTERIM_TYPES.has(m.type)) {
      if (m.type === 'progress') p.onProgress?.(m.phase, m.loaded, m.total);
      p.onEvent?.(m);
      return;
    }
    this.pending.delete(m.id);
    if (m.type === 'error') p.reject(new WorkerError(m.error.name, m.error.message));
    else p.resolve(m);
  }

  private send<T extends Response['type']>(
    body: RequestBody,
    opts: { onProgress?: Progress; onEvent?: (m: Response) => void; transfer?: Transferable[] } = {},
  ): { id: number; promise: Promise<ResponseOf<T>> } {
    const id = this.nextId++;
    const promise = new Promise<ResponseOf<T>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: Response) => void, reject, onProgress: opts.onProgress, onEvent: opts.onEvent });
    });
    this.worker.postMessage({ ...body, id }, opts.transfer ?? []);
    if (body.type === 'init') this.initSent ??= promise;
    return { id, promise };
  }

  async init(backend?: BackendName): Promise<BackendChoice> {
    setBackendStatus({ state: 'starting', requested: backend });
    try {
      const r = await this.send<'backend'>({ type: 'init', backend }).promise;
      setBackendStatus({ state: 'ready', choice: r.choice, requested: backend });
      return r.choice;
    } catch (e) {
      setBackendStatus({ state: 'failed', message: (e as Error).message, requested: backend });
      throw e;
    }
  }

  /** Load a model; `cancel()` aborts the download (the previous model stays). */
  load(source: ModelSource, onProgress?: Progress, useCache = true): { promise: Promise<ModelInfo>; cancel: () => void } {
    const { id, promise } = this.send<'loaded'>({ type: 'load', source, useCache }, { onProgress });
    return {
      promise: promise.then((r) => r.info),
      cancel: () => this.worker.postMessage({ type: 'cancel', id: this.nextId++, target: id }),
    };
  }

  async classify(
    image: ImageBitmap | RawImage | Blob,
    name: string,
    opts: { k?: number; resize?: 'center-crop' | 'squash'; gradcam?: boolean } = {},
  ): Promise<ResponseOf<'classified'>> {
    const transfer = !(image instanceof Blob) && 'close' in image ? [image as ImageBitmap] : [];
    const r = await this.send<'classified'>({ type: 'classify', image, name, ...opts }, { transfer }).promise;
    if (r.engine) engineStatus.set({ label: r.engine, state: 'ready' });
    return r;
  }

  /** Choose Classify's inference engine; onnxruntime-web exports the current model and starts a session now. */
  async setEngine(engine: EngineName, threads?: number): Promise<ResponseOf<'engine'>> {
    engineStatus.set({ label: engine === 'tfjs' ? 'tfjs' : 'onnxruntime-web: exporting the model to ONNX…', state: 'preparing' });
    try {
      const r = await this.send<'engine'>({ type: 'engine', engine, threads }).promise;
      engineStatus.set({ label: r.label, state: 'ready' });
      return r;
    } catch (e) {
      engineStatus.set({ label: `${engine} failed — ${(e as Error).message}`, state: 'failed' });
      throw e;
    }
  }

  async gradcam(classIndex: number) {
    return (await this.send<'heat'>({ type: 'gradcam', classIndex }).promise).heat;
  }

  exportModel(): Promise<ResponseOf<'exported'>> {
    return this.send<'exported'>({ type: 'export' }).promise;
  }

  /** Train a new head on the current model; `cancel()` stops it (the current model stays). */
  finetune(
    images: readonly FinetuneImage[],
    classNames: readonly string[],
    options: FinetuneOptions,
    prepareStage = false,
    cb: FinetuneCallbacks = {},
  ): { promise: Promise<FinetuneSummary>; cancel: () => void } {
    const onEvent = (m: Response) => {
      if (m.type === 'finetune-progress') cb.onImage?.(m.done, m.total, m.name);
      else if (m.type === 'finetune-epoch') cb.onEpoch?.(m.log);
    };
    const { id, promise } = this.send<'finetuned'>({ type: 'finetune', images, classNames, options, prepareStage }, { onEvent });
    return {
      promise: promise.then((r) => r.summary),
      cancel: () => this.worker.postMessage({ type: 'cancel', id: this.nextId++, target: id }),
    };
  }

  /** Fine-tune conv5 with the trained head (lr/10 by default); `cancel()` keeps the head-only result. */
  finetuneStage(
    epochs: number,
    cb: { onBatch?: (done: number, total: number, epoch: number) => void; onEpoch?: (log: EpochLog) => void } = {},
    learningRate?: number,
  ): { promise: Promise<StageSummary>; cancel: () => void } {
    const onEvent = (m: Response) => {
      if (m.type === 'finetune-batch') cb.onBatch?.(m.done, m.total, m.epoch);
      else if (m.type === 'finetune-epoch') cb.onEpoch?.(m.log);
    };
    const { id, promise } = this.send<'stage-tuned'>({ type: 'finetune-stage', epochs, learningRate }, { onEvent });
    return {
      promise: promise.then((r) => r.summary),
      cancel: () => this.worker.postMessage({ type: 'cancel', id: this.nextId++, target: id }),
    };
  }

  /** Make the last fine-tuned model current; its info (with the class names). */
  async useFinetuned(): Promise<ModelInfo> {
    return (await this.send<'loaded'>({ type: 'finetune-use' }).promise).info;
  }

  exportFinetuned(format: 'tfjs'): Promise<ResponseOf<'exported'>>;
  exportFinetuned(format: 'h5'): Promise<ResponseOf<'exported-h5'>>;
  exportFinetuned(format: 'tfjs' | 'h5'): Promise<ResponseOf<'exported'> | ResponseOf<'exported-h5'>> {
    return this.send<'exported' | 'exported-h5'>({ type: 'finetune-export', format }).promise;
  }

  /** Keep the fine-tuned model (pending or in use) in this browser under `name`; the kept models after. */
  keepFinetuned(name: string, replace = false): Promise<ResponseOf<'kept'>> {
    return this.send<'kept'>({ type: 'finetune-keep', name, replace }).promise;
  }

  /** The models kept in this browser; `remove` deletes that one first. Load one with `load({ kind: 'kept', name })`. */
  async keptModels(remove?: string): Promise<readonly KeptModelInfo[]> {
    return (await this.send<'kept'>({ type: 'kept-list', remove }).promise).models;
  }

  /** A backend for work outside Classify (Explore's exports): the one already chosen, else `prefer` or auto. */
  async ensureBackend(prefer?: BackendName): Promise<void> {
    await (this.initSent ?? this.init(prefer));
  }

  /** Run an exporter of src/export in the worker; the files come back as one zip. `cancel()` stops it. */
  exportCode(
    format: string,
    source: ExportSource,
    onProgress?: (fraction: number, message: string) => void,
  ): { promise: Promise<CodeExport>; cancel: () => void } {
    const onEvent = (m: Response) => {
      if (m.type === 'export-progress') onProgress?.(m.fraction, m.message);
    };
    const { id, promise } = this.send<'code-exported'>({ type: 'export-code', format, source }, { onEvent });
    return {
      promise: promise.then((r) => r.result),
      cancel: () => this.worker.postMessage({ type: 'cancel', id: this.nextId++, target: id }),
    };
  }

  /** Lesion study of the current model on one image; `onBlock` after each deleted block; `cancel()` stops it. */
  lesion(
    image: Blob,
    name: string,
    opts: { resize?: 'center-crop' | 'squash' } = {},
    onBlock?: (m: ResponseOf<'lesion-progress'>) => void,
  ): { promise: Promise<LesionReport>; cancel: () => void } {
    const onEvent = (m: Response) => {
      if (m.type === 'lesion-progress') onBlock?.(m);
    };
    const { id, promise } = this.send<'lesioned'>({ type: 'lesion', image, name, ...opts }, { onEvent });
    return {
      promise: promise.then((r) => r.result),
      cancel: () => this.worker.postMessage({ type: 'cancel', id: this.nextId++, target: id }),
    };
  }

  /** Feature maps of the current model's `layers` for the last classified image (shared channel order and scale). */
  async activations(layers: readonly string[], maxChannels: number, orderBy?: string): Promise<ActivationsReport> {
    return (await this.send<'activations'>({ type: 'activations', layers, maxChannels, orderBy }).promise).result;
  }

  memory(): Promise<ResponseOf<'memory'>> {
    return this.send<'memory'>({ type: 'memory' }).promise;
  }

  terminate(): void {
    this.worker.terminate();
  }
}

let shared: ModelClient | undefined;

/** The model worker if a view has started it (Explore reads Classify's model without starting one). */
export function startedModelClient(): ModelClient | undefined {
  return shared;
}

/**
 * The app's one model worker, started on first use. `forClassify`: started for Classify, which asks for the default
 * ImageNet weights first; the worker then reads them from IndexedDB while its code loads (src/worker/model.worker.ts).
 */
export function modelClient(opts: { readonly forClassify?: boolean } = {}): ModelClient {
  const name = opts.forClassify ? CLASSIFY_WORKER_NAME : MODEL_WORKER_NAME;
  shared ??= new ModelClient(new Worker(new URL('./model.worker.ts', import.meta.url), { type: 'module', name }));
  return shared;
}
