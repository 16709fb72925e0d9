/**
 * Labelled images → pooled features for head training: a per-class validation split first (so a mirrored copy
 * of a held-out image never lands in training, and identical files stay on one side), then one forward pass
 * per image (two with the flip), with progress, cancellation between images, and undecodable images skipped and
 * reported instead of failing. With `stage`, the same pass also keeps the last stage's input (ResNet50:
 * conv4_block6_out, 14×14×1024) for fine-tuning conv5 (src/tf/finetune-stage.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { ArchSpec } from '../core';
import { type HygieneReport, hygieneReport } from '../core/finetune-hygiene';
import { CancelledError } from './errors';
import { type ExampleSet, featureExtractor, modelBatch, splitIndices, withDefaults, yieldToEvents } from './finetune';
import { stageCut } from './finetune-stage';

export interface LabelledImage {
  readonly name: string;
  /** Class index in 0…classes-1. */
  readonly label: number;
  /** Decode on demand (one image in memory at a time). The returned tensor is disposed here. */
  pixels(): Promise<tf.Tensor3D> | tf.Tensor3D;
  /** Content hash of the file (`fnv1a64` of its bytes): identical files are reported and kept on one side of the split. */
  readonly key?: string;
}

export interface Skipped {
  readonly name: string;
  readonly reason: string;
}

export interface Dataset {
  readonly train: ExampleSet;
  readonly val: ExampleSet;
  readonly skipped: readonly Skipped[];
  /** Label of every image that went through the network (skipped ones left out; mirrors not counted). */
  readonly used: readonly number[];
  /** Milliseconds of decode + preprocessing + forward pass per image (mirror included when flipping). */
  readonly msPerImage: number;
  /** With `stage`: the last stage's inputs of the same rows ([n, h, w, c]); the caller disposes their `x`. */
  readonly stage?: { readonly train: ExampleSet; readonly val: ExampleSet };
  /** Duplicates (with their side of the split) and class warnings; with `classNames` only. */
  readonly hygiene?: HygieneReport;
}

export interface ExtractOptions {
  readonly validationSplit?: number;
  readonly flip?: boolean;
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly onImage?: (done: number, total: number, name: string) => void;
  /** Also keep each row's input to the last stage (for `finetuneStage`); ≈ 0.8 MB per row for ResNet50. */
  readonly stage?: boolean;
  /** Class names, for the hygiene report's warnings. */
  readonly classNames?: readonly string[];
}

/** A fine-tuning request that cannot work: names the class or value and what is needed. */
export class FinetuneInputError extends Error {
  override readonly name = 'FinetuneInputError';
}

/** ≥ 2 distinct non-empty class names, every label one of them, ≥ 1 image per class. */
export function checkClasses(classNames: readonly string[], labels: readonly number[]): void {
  if (classNames.length < 2) {
    throw new FinetuneInputError(`fine-tuning needs at least 2 classes; got ${classNames.length}${classNames.length ? ` (${classNames.join(', ')})` : ''}.`);
  }
  const seen = new Set<string>();
  for (const c of classNames) {
    if (typeof c !== 'string' || c.trim() === '') throw new FinetuneInputError(`class names must be non-empty; got ${JSON.stringify(c)}.`);
    if (seen.has(c)) throw new FinetuneInputError(`class names must be unique; "${c}" appears twice.`);
    seen.add(c);
  }
  const bad = labels.find((l) => !Number.isInteger(l) || l < 0 || l >= classNames.length);
  if (bad !== undefined) throw new FinetuneInputError(`label ${bad} is not a class index in 0…${classNames.length - 1}.`);
  const empty = classNames.filter((_, i) => !labels.includes(i));
  if (empty.length) throw new FinetuneInputError(`every class needs at least one image; ${empty.map((c) => `"${c}"`).join(', ')} has none.`);
}

function stack(parts: tf.Tensor[], shape: number[]): tf.Tensor {
  if (parts.length === 0) return tf.zeros([0, ...shape]);
  return parts.length === 1 ? tf.clone(parts[0]) : tf.concat(parts, 0);
}

const stageExtractors = new WeakMap<tf.LayersModel, tf.LayersModel>();

/** The base up to [last stage input, pooled features], sharing the base's layers (never dispose it). */
function stageExtractor(base: tf.LayersModel): tf.LayersModel {
  let m = stageExtractors.get(base);
  if (!m) {
    m = tf.model({ inputs: base.inputs, outputs: [stageCut(base).cut, featureExtractor(base).outputs[0]], name: `${base.name}_stage_features` });
    stageExtractors.set(base, m);
  }
  return m;
}

/** Features of every image, split into training and validation sets. The caller disposes `train.x`, `val.x` (and `stage`'s). */
export async function extractDataset(
  base: tf.LayersModel,
  spec: Pick<ArchSpec, 'input' | 'preprocessing'>,
  images: readonly LabelledImage[],
  opts: ExtractOptions = {},
): Promise<Dataset> {
  const o = withDefaults(opts);
  const extractor = opts.stage ? stageExtractor(base) : featureExtractor(base);
  const d = featureExtractor(base).outputs[0].shape[1] as number;
  const cutShape = opts.stage ? (stageCut(base).cut.shape.slice(1) as number[]) : [];
  const keys = images.map((im) => im.key);
  const { val } = splitIndices(
    images.map((im) => im.label),
    o.validationSplit,
    o.seed,
    keys,
  );
  const isVal = new Set(val);
  const parts = { train: [] as tf.Tensor[], val: [] as tf.Tensor[] };
  const cuts = { train: [] as tf.Tensor[], val: [] as tf.Tensor[] };
  const labels = { train: [] as number[], val: [] as number[] };
  const names = { train: [] as string[], val: [] as string[] };
  const skipped: Skipped[] = [];
  const used: number[] = [];
  const usedIdx: number[] = [];
  let ms = 0;
  try {
    for (let i = 0; i < images.length; i++) {
      if (opts.signal?.aborted) throw new CancelledError('fine-tuning');
      const im = images[i];
      const which = isVal.has(i) ? 'val' : 'train';
      const flip = o.flip && which === 'train';
      const t0 = performance.now();
      let outs: tf.Tensor[] | undefined;
      try {
        const px = await im.pixels();
        try {
          outs = tf.tidy(() => {
            const y = extractor.predict(modelBatch(spec, px, flip));
            return Array.isArray(y) ? y : [y];
          });
        } finally {
          px.dispose();
        }
        await outs[outs.length - 1].data(); // finish the work here, so the timing and progress are honest
      } catch (e) {
        tf.dispose(outs ?? []);
        if (e instanceof CancelledError) throw e;
        skipped.push({ name: im.name, reason: e instanceof Error ? e.message : String(e) });
        outs = undefined;
      }
      ms += performance.now() - t0;
      if (outs) {
        parts[which].push(outs[outs.length - 1]);
        if (outs.length === 2) cuts[which].push(outs[0]);
        used.push(im.label);
        usedIdx.push(i);
        const rows = flip ? 2 : 1;
        for (let r = 0; r < rows; r++) {
          labels[which].push(im.label);
          names[which].push(im.name);
        }
      }
      opts.onImage?.(i + 1, images.length, im.name);
      await yieldToEvents();
    }
    if (opts.signal?.aborted) throw new CancelledError('fine-tuning');
    const set = (w: 'train' | 'val', xs: tf.Tensor[], shape: number[]): ExampleSet => ({ x: stack(xs, shape), labels: labels[w], names: names[w] });
    return {
      train: set('train', parts.train, [d]),
      val: set('val', parts.val, [d]),
      skipped,
      used,
      msPerImage: images.length ? ms / images.length : 0,
      ...(opts.stage ? { stage: { train: set('train', cuts.train, cutShape), val: set('val', cuts.val, cutShape) } } : {}),
      ...(opts.classNames
        ? {
            hygiene: hygieneReport(
              opts.classNames,
              usedIdx.map((i) => ({ name: images[i].name, label: images[i].label, key: images[i].key })),
              (j) => isVal.has(usedIdx[j]),
            ),
          }
        : {}),
    };
  } finally {
    tf.dispose([...parts.train, ...parts.val, ...cuts.train, ...cuts.val]);
  }
}
