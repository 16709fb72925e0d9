/**
 * Fine-tuning inside the model worker: features of the user's labelled images from the current model, a new
 * head trained on them (progress per image and per epoch, cancellable), kept as a pending result until
 * `finetune-use` makes the combined model current. A failed or cancelled run, or a new model loaded meanwhile,
 * leaves the current model as it was.
 */
import type * as tf from '@tensorflow/tfjs';
import { io as tfio } from '@tensorflow/tfjs';
import { CancelledError } from '../tf/errors';
import { combinedModel, finetunedSpec, type TrainedHead, trainHead } from '../tf/finetune';
import { checkClasses, extractDataset, FinetuneInputError, type LabelledImage } from '../tf/finetune-data';
import { exportLayersModel } from '../tf/layers-model-export';
import { FinetunedStore, type KeptModel } from '../tf/finetuned-store';
import { layersModelZip, zipStored } from '../tf/model-zip';
import { weightsMetadata } from '../tf/weights-source';
import { pixelsOf } from './image';
import type { FinetuneSummary, ModelInfo, Request, Response } from './protocol';

export interface TunerHost {
  current(): { readonly model: tf.LayersModel; readonly info: ModelInfo } | undefined;
  /** Make `model` current; it shares the old model's layers except the classifier (which is freed). */
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
  readonly head: TrainedHead;
  readonly summary: FinetuneSummary;
}

export class Finetuner {
  private pending?: Pending;
  private running?: AbortController;
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
    if (p) {
      p.head.kernel.dispose();
      p.head.bias.dispose();
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
    const images: LabelledImage[] = req.images.map((im) => ({
      name: im.name,
      label: im.label,
      pixels: async () => pixelsOf(im.image, im.name),
    }));
    let data: Awaited<ReturnType<typeof extractDataset>> | undefined;
    try {
      // The base weights' own preprocessing (not the architecture's default).
      data = await extractDataset(cur.model, { input: spec.input, preprocessing: cur.info.weightsDescription.preprocessing.mode }, images, {
        ...req.options,
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
        head.kernel.dispose();
        head.bias.dispose();
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
      };
      this.dropPending();
      this.pending = { base: cur.model, baseInfo: cur.info, head, summary };
      this.host.post({ type: 'finetuned', id: req.id, summary });
    } finally {
      data?.train.x.dispose();
      data?.val.x.dispose();
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

  private info(p: Pending, model: tf.LayersModel): ModelInfo {
    const spec = finetunedSpec(p.baseInfo.spec, p.summary.classNames.length);
    const weightsLabel = `fine-tuned on ${p.summary.counts.reduce((a, b) => a + b, 0)} images (${p.summary.classNames.join(', ')}) from ${
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
    const model = combinedModel(p.base, p.head, 'resnet_finetuned');
    const info = this.info(p, model);
    this.pending = undefined;
    p.head.kernel.dispose();
    p.head.bias.dispose();
    this.host.adopt(model, info);
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
      const model = combinedModel(p.base, p.head, 'resnet_finetuned');
      // The temporary model shares the base's layers: free only its new head.
      return { model, info: this.info(p, model), release: () => model.layers[model.layers.length - 1].dispose() };
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
        tfio.withSaveHandler(async (a) => {
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
