/**
 * Fine-tuning inside the model worker: features of the user's labelled images from the current model, a new
 * head trained on them (progress per image and per epoch, cancellable), kept as a pending result until
 * `finetune-use` makes the combined model current. A failed or cancelled run, or a new model loaded meanwhile,
 * leaves the current model as it was.
 */
import type * as tf from '@tensorflow/tfjs';
import { CancelledError } from '../tf/errors';
import { combinedModel, disposeHead, finetunedSpec, releaseCombined, type TrainedHead, trainHead } from '../tf/finetune';
import { checkClasses, extractDataset, FinetuneInputError, type LabelledImage } from '../tf/finetune-data';
import { exportLayersModel } from '../tf/layers-model-export';
import { layersModelZip, zipStored } from '../tf/model-zip';
import { pixelsOf } from './image';
import type { FinetuneSummary, ModelInfo, Request, Response } from './protocol';

export interface TunerHost {
  current(): { readonly model: tf.LayersModel; readonly info: ModelInfo } | undefined;
  /** Make `model` current; it shares the old model's layers except the classifier (which is freed). */
  adopt(model: tf.LayersModel, info: ModelInfo): void;
  post(m: Response, transfer?: Transferable[]): void;
  /** Running jobs by request id, for `cancel`. */
  readonly jobs: Map<number, AbortController>;
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

  constructor(private readonly host: TunerHost) {}

  /** The current model is about to be replaced: stop a run and drop a result trained on it. */
  reset(): void {
    this.running?.abort();
    this.dropPending();
  }

  private dropPending(): void {
    const p = this.pending;
    this.pending = undefined;
    if (p) {
      disposeHead(p.head);
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
    disposeHead(p.head);
    this.host.adopt(model, info);
    return info;
  }

  /** The fine-tuned model's files, before or after `use` (after: the current model). */
  async export(id: number, format: 'tfjs' | 'h5'): Promise<void> {
    const cur = this.host.current();
    const p = this.pending;
    let model: tf.LayersModel;
    let info: ModelInfo;
    let temporary = false;
    if (p && cur?.model === p.base) {
      model = combinedModel(p.base, p.head, 'resnet_finetuned');
      info = this.info(p, model);
      temporary = true;
    } else if (cur?.info.weights === 'finetuned') {
      model = cur.model;
      info = cur.info;
    } else throw new Error('train a new head first: there is no fine-tuned model to download.');
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
      // The temporary model shares the base's layers: free only its new head.
      if (temporary) releaseCombined(model);
    }
  }

  dispose(): void {
    this.reset();
  }
}
