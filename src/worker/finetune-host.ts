/**
 * Fine-tuning inside the model worker: features of the user's labelled images from the current model, a new
 * head trained on them (progress per image and per epoch, cancellable), kept as a pending result until
 * `finetune-use` makes the combined model current. A failed or cancelled run, or a new model loaded meanwhile,
 * leaves the current model as it was.
 */
import * as tf from '@tensorflow/tfjs';
import { fnv1a64 } from '../core/finetune-hygiene';
import { CancelledError } from '../tf/errors';
import {
  combinedModel,
  disposeHead,
  type ExampleSet,
  FINETUNE_DEFAULTS,
  finetunedSpec,
  type HeadParams,
  releaseCombined,
  type TrainedHead,
  trainHead,
} from '../tf/finetune';
import { checkClasses, extractDataset, FinetuneInputError, type LabelledImage } from '../tf/finetune-data';
import { evaluateHead } from '../tf/finetune-eval';
import { copyStage, disposeStage, type FinetunedStage, finetuneStage, stageCut } from '../tf/finetune-stage';
import { FinetunedStore, type KeptModel } from '../tf/finetuned-store';
import { exportLayersModel } from '../tf/layers-model-export';
import { layersModelZip, zipStored } from '../tf/model-zip';
import { registerWasmTrainingKernels } from '../tf/wasm-train';
import { weightsMetadata } from '../tf/weights-source';
import { pixelsOf } from './image';
import type { FinetuneEvaluation, FinetuneImage, FinetuneSummary, ModelInfo, Request, Response, StageSummary } from './protocol';

export interface TunerHost {
  current(): { readonly model: tf.LayersModel; readonly info: ModelInfo } | undefined;
  /** Make `model` current; it shares the old model's layers except those it replaced (which are freed). */
  adopt(model: tf.LayersModel, info: ModelInfo): void;
  post(m: Response, transfer?: Transferable[]): void;
  /** Running jobs by request id, for `cancel`. */
  readonly jobs: Map<number, AbortController>;
  /** Where named models are kept (default: this context's IndexedDB). */
  readonly store?: FinetunedStore;
}

interface Pending {
  readonly base: tf.LayersModel;
  readonly baseInfo: ModelInfo;
  /** The head trained on the pooled features (phase 1). */
  readonly head: TrainedHead;
  readonly learningRate: number;
  readonly seed: number;
  /** The head's early-stopping patience, which conv5's phase keeps. */
  readonly patience: number;
  readonly summary: FinetuneSummary;
  /** conv4's outputs of the same rows, kept for conv5 fine-tuning (phase 2). */
  readonly stageData?: { readonly train: ExampleSet; readonly val: ExampleSet };
  /** Phase 2's result: conv5 and the head trained together. */
  tuned?: { readonly head: TrainedHead; readonly stage: FinetunedStage; readonly summary: StageSummary };
}

/** Content hash of an image's bytes (files) or pixels (raw images), for duplicate detection. */
async function keyOf(image: FinetuneImage['image']): Promise<string> {
  if (image instanceof Blob) return fnv1a64(new Uint8Array(await image.arrayBuffer()));
  return fnv1a64(new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength));
}

/** The head on the validation features (src/tf/finetune-eval.ts), as the panel shows it. */
async function evaluate(head: HeadParams, val: ExampleSet, classes: number): Promise<FinetuneEvaluation> {
  const e = await evaluateHead(head, val, classes);
  return {
    confusion: e.confusion,
    items: e.predictions.map((p) => ({ name: p.name ?? `validation image ${p.row + 1}`, trueIndex: p.label, top: p.top })),
  };
}

/** Pooled features of conv4 outputs through a trained conv5 (inference, BN in inference mode), in batches. */
function pooledThroughStage(base: tf.LayersModel, stage: FinetunedStage, x: tf.Tensor, batch = 8): tf.Tensor2D {
  const input = tf.input({ shape: stageCut(base).cut.shape.slice(1) as number[] });
  const top = tf.model({ inputs: input, outputs: copyStage(base, input, stage.weights).output });
  try {
    return tf.tidy(() => {
      const parts: tf.Tensor[] = [];
      for (let s = 0; s < x.shape[0]; s += batch) parts.push(top.apply(tf.slice(x, s, Math.min(batch, x.shape[0] - s)), { training: false }) as tf.Tensor);
      return (parts.length === 1 ? parts[0] : tf.concat(parts, 0)) as tf.Tensor2D;
    });
  } finally {
    top.dispose();
  }
}

export class Finetuner {
  private pending?: Pending;
  private running?: AbortController;
  /** The pending result a conv5 run is training on. */
  private stageRunOn?: Pending;
  private readonly store: FinetunedStore;

  constructor(private readonly host: TunerHost) {
    this.store = host.store ?? new FinetunedStore();
  }

  /** The current model is about to be replaced: stop a run and drop a result trained on it. */
  reset(): void {
    this.running?.abort();
    this.dropPending();
  }

  private dropPending(): void {
    const p = this.pending;
    this.pending = undefined;
    // A conv5 run still reads this result's tensors until it sees the abort: it frees them when it ends.
    if (p && p !== this.stageRunOn) this.free(p);
  }

  private free(p: Pending): void {
    disposeHead(p.head);
    this.dropTuned(p);
    tf.dispose([p.stageData?.train.x, p.stageData?.val.x].filter((t): t is tf.Tensor => !!t));
  }

  private dropTuned(p: Pending): void {
    if (p.tuned) {
      disposeHead(p.tuned.head);
      disposeStage(p.tuned.stage);
      p.tuned = undefined;
    }
  }

  async train(req: Extract<Request, { type: 'finetune' }>): Promise<void> {
    const cur = this.host.current();
    if (!cur) throw new Error('no model is loaded yet');
    if (this.running) throw new FinetuneInputError('a fine-tuning run is already in progress; cancel it first.');
    checkClasses(
      req.classNames,
      req.images.map((im) => im.label),
    );
    const ctl = new AbortController();
    this.running = ctl;
    this.host.jobs.set(req.id, ctl);
    const spec = cur.info.spec;
    let data: Awaited<ReturnType<typeof extractDataset>> | undefined;
    let kept = false;
    try {
      // Identical files (same bytes) are reported and kept on one side of the split.
      const keys = await Promise.all(req.images.map((im) => keyOf(im.image).catch(() => undefined)));
      const images: LabelledImage[] = req.images.map((im, i) => ({
        name: im.name,
        label: im.label,
        key: keys[i],
        pixels: async () => pixelsOf(im.image, im.name),
      }));
      // The base weights' own preprocessing (not the architecture's default).
      data = await extractDataset(cur.model, { input: spec.input, preprocessing: cur.info.weightsDescription.preprocessing.mode }, images, {
        ...req.options,
        stage: req.prepareStage ?? false,
        classNames: req.classNames,
        signal: ctl.signal,
        onImage: (done, total, name) => this.host.post({ type: 'finetune-progress', id: req.id, done, total, name }),
      });
      const empty = req.classNames.filter((_, c) => !data!.train.labels.includes(c));
      if (empty.length) {
        throw new FinetuneInputError(
          `no usable image left for ${empty.map((c) => `"${c}"`).join(', ')}: ${data.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`,
        );
      }
      const head = await trainHead(data.train, req.classNames.length, {
        ...req.options,
        val: data.val,
        signal: ctl.signal,
        onEpoch: (log) => this.host.post({ type: 'finetune-epoch', id: req.id, log }),
      });
      if (this.host.current()?.model !== cur.model) {
        disposeHead(head);
        throw new CancelledError('fine-tuning (another model was loaded meanwhile)');
      }
      const used = data.used;
      const summary: FinetuneSummary = {
        classNames: [...req.classNames],
        counts: req.classNames.map((_, c) => used.filter((l) => l === c).length),
        trainExamples: data.train.labels.length,
        valExamples: data.val.labels.length,
        history: head.history,
        skipped: data.skipped,
        msPerImage: data.msPerImage,
        msPerEpoch: head.history.reduce((a, l) => a + l.ms, 0) / head.history.length,
        head: head.kind,
        dropout: head.dropout,
        bestEpoch: head.bestEpoch,
        stoppedEarly: head.stoppedEarly,
        evaluation: await evaluate(head, data.val, req.classNames.length),
        warnings: data.hygiene?.warnings ?? [],
        stageReady: !!data.stage,
      };
      this.dropPending();
      this.pending = {
        base: cur.model,
        baseInfo: cur.info,
        head,
        learningRate: req.options?.learningRate ?? FINETUNE_DEFAULTS.learningRate,
        seed: req.options?.seed ?? FINETUNE_DEFAULTS.seed,
        patience: req.options?.patience ?? FINETUNE_DEFAULTS.patience,
        summary,
        stageData: data.stage,
      };
      kept = true;
      this.host.post({ type: 'finetuned', id: req.id, summary });
    } finally {
      data?.train.x.dispose();
      data?.val.x.dispose();
      if (!kept && data?.stage) tf.dispose([data.stage.train.x, data.stage.val.x]);
      this.running = undefined;
      this.host.jobs.delete(req.id);
    }
  }

  /**
   * Phase 2: conv5 and the phase-1 head trained together on the cached conv4 outputs (src/tf/finetune-stage.ts),
   * learning rate 10× below the head's unless given. Replaces an earlier phase-2 result; cancel keeps the head.
   */
  async tuneStage(req: Extract<Request, { type: 'finetune-stage' }>): Promise<void> {
    const p = this.ready();
    if (!p.stageData) throw new FinetuneInputError('conv5 fine-tuning needs the conv4 outputs: train again with "prepare conv5 fine-tuning" on.');
    if (this.running) throw new FinetuneInputError('a fine-tuning run is already in progress; cancel it first.');
    const ctl = new AbortController();
    this.running = ctl;
    this.host.jobs.set(req.id, ctl);
    const classes = p.summary.classNames.length;
    const learningRate = req.learningRate ?? p.learningRate / 10;
    this.stageRunOn = p;
    try {
      // wasm has no fast conv backprop kernels of its own (src/tf/wasm-train); registered for 'wasm' only.
      registerWasmTrainingKernels();
      const r = await finetuneStage(p.base, p.head, p.stageData, classes, {
        epochs: req.epochs,
        learningRate,
        seed: p.seed,
        patience: p.patience,
        signal: ctl.signal,
        onBatch: (done, total, epoch) => this.host.post({ type: 'finetune-batch', id: req.id, done, total, epoch }),
        onEpoch: (log) => this.host.post({ type: 'finetune-epoch', id: req.id, log }),
      });
      let evaluation: FinetuneEvaluation | undefined;
      try {
        if (this.pending !== p) throw new CancelledError('fine-tuning conv5 (another model was loaded meanwhile)');
        const pooled = pooledThroughStage(p.base, r.stage, p.stageData.val.x);
        try {
          evaluation = await evaluate(r.head, { ...p.stageData.val, x: pooled }, classes);
        } finally {
          pooled.dispose();
        }
      } catch (e) {
        disposeHead(r.head);
        disposeStage(r.stage);
        throw e;
      }
      // The epoch whose weights were kept (early stopping keeps the best one).
      const last = r.history[r.head.bestEpoch - 1];
      const summary: StageSummary = {
        history: r.history,
        msPerEpoch: r.msPerEpoch,
        learningRate,
        bestEpoch: r.head.bestEpoch,
        stoppedEarly: r.head.stoppedEarly,
        ...(r.before ? { before: r.before } : {}),
        ...(last?.valLoss !== undefined && last.valAccuracy !== undefined ? { after: { valLoss: last.valLoss, valAccuracy: last.valAccuracy } } : {}),
        evaluation,
      };
      this.dropTuned(p);
      p.tuned = { head: r.head, stage: r.stage, summary };
      this.host.post({ type: 'stage-tuned', id: req.id, summary });
    } finally {
      this.stageRunOn = undefined;
      // Dropped meanwhile (another model loaded): free what the run was reading.
      if (this.pending !== p) this.free(p);
      this.running = undefined;
      this.host.jobs.delete(req.id);
    }
  }

  private ready(): Pending {
    const p = this.pending;
    if (!p) throw new Error('train a new head first (nothing fine-tuned yet, or it was used already, or a model load or backend switch dropped it).');
    if (this.host.current()?.model !== p.base) throw new Error('the model changed since training; train again.');
    return p;
  }

  /** The pending result as one model: the base's layers shared, the head (and a fine-tuned conv5) its own. */
  private combined(p: Pending): tf.LayersModel {
    return p.tuned
      ? combinedModel(p.base, p.tuned.head, 'resnet_finetuned', { build: p.tuned.stage.build })
      : combinedModel(p.base, p.head, 'resnet_finetuned');
  }

  private info(p: Pending, model: tf.LayersModel): ModelInfo {
    const spec = finetunedSpec(p.baseInfo.spec, p.summary.classNames.length, p.tuned?.head ?? p.head);
    const weightsLabel = `fine-tuned${p.tuned ? ' (head + conv5)' : ''} on ${p.summary.counts.reduce((a, b) => a + b, 0)} images (${p.summary.classNames.join(', ')}) from ${
      p.baseInfo.weights === 'finetuned' ? 'a fine-tuned model' : p.baseInfo.weightsLabel
    }`;
    const base = p.baseInfo.weightsDescription;
    return {
      name: spec.name,
      spec,
      weights: 'finetuned',
      weightsLabel,
      params: model.countParams(),
      classes: p.summary.classNames.length,
      classNames: p.summary.classNames,
      preprocessing: base.preprocessing.mode,
      // The base's inputs, the user's classes.
      weightsDescription: { ...base, id: `finetuned:${base.id}`, label: weightsLabel, source: 'finetuned', labels: p.summary.classNames },
      fromCache: false,
      loadMs: 0,
    };
  }

  /** Make the fine-tuned model current (the base's other layers are shared, not copied). */
  use(): ModelInfo {
    const p = this.ready();
    const model = this.combined(p);
    const info = this.info(p, model);
    this.host.adopt(model, info);
    // The combined model holds copies of the weights: the pending tensors can go.
    this.dropPending();
    return info;
  }

  /**
   * The fine-tuned model: pending (a temporary combined model sharing the base's layers, `release` frees its
   * head) or the current one when it is fine-tuned (made here or loaded back).
   */
  private finetunedModel(action: string): { model: tf.LayersModel; info: ModelInfo; release: () => void } {
    const cur = this.host.current();
    const p = this.pending;
    if (p && cur?.model === p.base) {
      const model = this.combined(p);
      // The temporary model shares the base's layers: free only its own (head, conv5 copy).
      return { model, info: this.info(p, model), release: () => releaseCombined(model) };
    }
    if (cur && (cur.info.weights === 'finetuned' || cur.info.weightsDescription.source === 'finetuned')) {
      return { model: cur.model, info: cur.info, release: () => {} };
    }
    throw new Error(`train a new head first: there is no fine-tuned model to ${action}.`);
  }

  /** The fine-tuned model's files, before or after `use` (after: the current model). */
  async export(id: number, format: 'tfjs' | 'h5'): Promise<void> {
    const { model, info, release } = this.finetunedModel('download');
    const classNames = info.classNames ?? [];
    try {
      if (format === 'tfjs') {
        const m = await exportLayersModel(model, info.name, { classNames });
        const { zip, filename } = layersModelZip(m);
        this.host.post({ type: 'exported', id, zip, filename, name: m.name }, [zip]);
      } else {
        // h5wasm (≈4.8 MB) is loaded only when someone asks for an .h5.
        const [{ writeKerasH5 }, { modelToKerasWeights }] = await Promise.all([import('../tf/h5/keras-h5'), import('../tf/h5/model-weights')]);
        const bytes = await writeKerasH5(modelToKerasWeights(model));
        const name = info.name.replace(/[^\w.-]+/g, '_');
        // Keras weight files have no place for labels: the class order goes alongside (one name per line).
        const zip = zipStored([
          { name: `${name}.weights.h5`, data: bytes },
          { name: `${name}.classes.txt`, data: new TextEncoder().encode(`${classNames.join('\n')}\n`) },
        ]);
        this.host.post({ type: 'exported-h5', id, zip, filename: `${name}.keras-h5.zip`, name, classNames }, [zip]);
      }
    } finally {
      release();
    }
  }

  /**
   * Keep the fine-tuned model in IndexedDB under `name`: its whole artifacts (class names and input mode in the
   * metadata, as in a download) with its spec and base preset, so a load after a reload rebuilds it exactly.
   */
  async keep(id: number, name: string, replace: boolean): Promise<void> {
    const { model, info, release } = this.finetunedModel('keep');
    let artifacts: tf.io.ModelArtifacts | undefined;
    try {
      await model.save(
        tf.io.withSaveHandler(async (a) => {
          artifacts = a;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
    } finally {
      release();
    }
    const classNames = info.classNames ?? info.weightsDescription.labels ?? [];
    const saved = await this.store.put(
      {
        name,
        classNames,
        spec: info.spec,
        // The architecture the base was built from: what planWeights rebuilds before the fine-tuned head.
        preset: info.spec.name.replace(/-finetuned$/, ''),
        weightsLabel: info.weightsLabel,
        artifacts: { ...artifacts!, userDefinedMetadata: weightsMetadata(info.weightsDescription, classNames) as tf.io.ModelArtifacts['userDefinedMetadata'] },
      },
      { replace },
    );
    this.host.post({ type: 'kept', id, saved, models: await this.store.list() });
  }

  /** The kept models, after deleting `remove` when given. */
  async listKept(id: number, remove?: string): Promise<void> {
    if (remove !== undefined) await this.store.delete(remove);
    this.host.post({ type: 'kept', id, models: this.store.available ? await this.store.list() : [] });
  }

  /** A kept model's artifacts (for the host's `load`); KeptModelError when absent or corrupt. */
  keptModel(name: string): Promise<KeptModel> {
    return this.store.get(name);
  }

  dispose(): void {
    this.reset();
  }
}
