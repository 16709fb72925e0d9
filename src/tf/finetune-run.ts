/**
 * One fine-tuning run from labelled images to a trained, evaluated model: features (with the last stage's
 * inputs when conv5 is to be fine-tuned), the head, its evaluation, then optionally the two-phase recipe's
 * second phase (src/tf/finetune-stage.ts) and its evaluation. The CLI runs exactly this; the app's worker runs
 * the same steps one by one (it waits for the user between them).
 */
import * as tf from '@tensorflow/tfjs';
import type { ArchSpec } from '../core';
import type { HygieneReport } from '../core/finetune-hygiene';
import { combinedModel, disposeHead, type EpochLog, type FinetuneOptions, type TrainedHead, trainHead, withDefaults } from './finetune';
import { checkClasses, extractDataset, FinetuneInputError, type LabelledImage, type Skipped } from './finetune-data';
import { type Evaluation, evaluateHead, evaluateStage } from './finetune-eval';
import { disposeStage, finetuneStage, type StageResult } from './finetune-stage';

export interface RunOptions extends FinetuneOptions {
  /** Epochs of fine-tuning conv5 with the head after the head's training (0 = none, default). */
  readonly stageEpochs?: number;
  /** Adam learning rate of that phase (default: the head's / 10). */
  readonly stageLearningRate?: number;
  readonly signal?: AbortSignal;
  readonly onImage?: (done: number, total: number, name: string) => void;
  readonly onEpoch?: (log: EpochLog, phase: 'head' | 'stage') => void;
  readonly onBatch?: (done: number, total: number, epoch: number) => void;
}

export interface FinetuneRun {
  readonly classNames: readonly string[];
  /** Images used per class (undecodable ones left out). */
  readonly counts: readonly number[];
  readonly trainExamples: number;
  readonly valExamples: number;
  readonly skipped: readonly Skipped[];
  readonly hygiene: HygieneReport;
  readonly msPerImage: number;
  readonly head: TrainedHead;
  /** The head on the validation split. */
  readonly evaluation: Evaluation;
  /** After fine-tuning conv5, when asked for. */
  readonly stage?: { readonly result: StageResult; readonly evaluation: Evaluation };
}

/** Free a run's tensors (head, stage weights). */
export function disposeRun(r: FinetuneRun): void {
  disposeHead(r.head);
  if (r.stage) {
    disposeHead(r.stage.result.head);
    disposeStage(r.stage.result.stage);
  }
}

/** The trained model of a run: base + (fine-tuned conv5) + head; shares the base's other layers (see finetune.ts). */
export function runModel(base: tf.LayersModel, r: FinetuneRun, name = `${base.name}_finetuned`): tf.LayersModel {
  return r.stage ? combinedModel(base, r.stage.result.head, name, r.stage.result.stage) : combinedModel(base, r.head, name);
}

export async function runFinetune(
  base: tf.LayersModel,
  spec: Pick<ArchSpec, 'input' | 'preprocessing'>,
  images: readonly LabelledImage[],
  classNames: readonly string[],
  opts: RunOptions = {},
): Promise<FinetuneRun> {
  checkClasses(
    classNames,
    images.map((im) => im.label),
  );
  const o = withDefaults(opts);
  const stageEpochs = opts.stageEpochs ?? 0;
  if (!Number.isInteger(stageEpochs) || stageEpochs < 0 || stageEpochs > 100) throw new RangeError(`conv5 epochs must be an integer in 0…100; got ${stageEpochs}`);
  const data = await extractDataset(base, spec, images, { ...opts, classNames, stage: stageEpochs > 0 });
  let head: TrainedHead | undefined;
  try {
    const empty = classNames.filter((_, c) => !data.train.labels.includes(c));
    if (empty.length) {
      throw new FinetuneInputError(
        `no usable training image left for ${empty.map((c) => `"${c}"`).join(', ')}${data.skipped.length ? `: ${data.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}` : ''}`,
      );
    }
    const n = classNames.length;
    head = await trainHead(data.train, n, { ...opts, val: data.val, onEpoch: (l) => opts.onEpoch?.(l, 'head') });
    const evaluation = await evaluateHead(head, data.val, n);
    let stage: FinetuneRun['stage'];
    if (data.stage) {
      const result = await finetuneStage(base, head, data.stage, n, {
        epochs: stageEpochs,
        learningRate: opts.stageLearningRate ?? o.learningRate / 10,
        seed: o.seed,
        patience: o.patience,
        batchSize: Math.min(o.batchSize, 8),
        signal: opts.signal,
        onBatch: opts.onBatch,
        onEpoch: (l) => opts.onEpoch?.(l, 'stage'),
      });
      let ev: Evaluation;
      try {
        ev = await evaluateStage(base, result, data.stage.val, n);
      } catch (e) {
        disposeHead(result.head);
        disposeStage(result.stage);
        throw e;
      }
      stage = { result, evaluation: ev };
    }
    return {
      classNames: [...classNames],
      counts: classNames.map((_, c) => data.used.filter((l) => l === c).length),
      trainExamples: data.train.labels.length,
      valExamples: data.val.labels.length,
      skipped: data.skipped,
      hygiene: data.hygiene ?? { duplicates: [], warnings: [] },
      msPerImage: data.msPerImage,
      head,
      evaluation,
      ...(stage ? { stage } : {}),
    };
  } catch (e) {
    if (head) disposeHead(head);
    throw e;
  } finally {
    tf.dispose([data.train.x, data.val.x, ...(data.stage ? [data.stage.train.x, data.stage.val.x] : [])]);
  }
}
