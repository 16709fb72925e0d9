/**
 * Labelled images → pooled features for head training: a per-class validation split first (so a mirrored copy
 * of a held-out image never lands in training), then one forward pass per image (two with the flip), with
 * progress, cancellation between images, and undecodable images skipped and reported instead of failing.
 */
import * as tf from '@tensorflow/tfjs';
import type { ArchSpec } from '../core';
import { CancelledError } from './errors';
import { type ExampleSet, featureExtractor, imageFeatures, splitIndices, withDefaults, yieldToEvents } from './finetune';

export interface LabelledImage {
  readonly name: string;
  /** Class index in 0…classes-1. */
  readonly label: number;
  /** Decode on demand (one image in memory at a time). The returned tensor is disposed here. */
  pixels(): Promise<tf.Tensor3D> | tf.Tensor3D;
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
}

export interface ExtractOptions {
  readonly validationSplit?: number;
  readonly flip?: boolean;
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly onImage?: (done: number, total: number, name: string) => void;
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

function stack(parts: tf.Tensor2D[], d: number): tf.Tensor2D {
  if (parts.length === 0) return tf.zeros([0, d]) as tf.Tensor2D;
  return parts.length === 1 ? (tf.clone(parts[0]) as tf.Tensor2D) : (tf.concat(parts, 0) as tf.Tensor2D);
}

/** Features of every image, split into training and validation sets. The caller disposes `train.x`, `val.x`. */
export async function extractDataset(
  base: tf.LayersModel,
  spec: Pick<ArchSpec, 'input' | 'preprocessing'>,
  images: readonly LabelledImage[],
  opts: ExtractOptions = {},
): Promise<Dataset> {
  const o = withDefaults(opts);
  const extractor = featureExtractor(base);
  const d = extractor.outputs[0].shape[1] as number;
  const { val } = splitIndices(
    images.map((im) => im.label),
    o.validationSplit,
    o.seed,
  );
  const isVal = new Set(val);
  const parts = { train: [] as tf.Tensor2D[], val: [] as tf.Tensor2D[] };
  const labels = { train: [] as number[], val: [] as number[] };
  const skipped: Skipped[] = [];
  const used: number[] = [];
  let ms = 0;
  try {
    for (let i = 0; i < images.length; i++) {
      if (opts.signal?.aborted) throw new CancelledError('fine-tuning');
      const im = images[i];
      const which = isVal.has(i) ? 'val' : 'train';
      const flip = o.flip && which === 'train';
      const t0 = performance.now();
      let feats: tf.Tensor2D | undefined;
      try {
        const px = await im.pixels();
        try {
          feats = imageFeatures(extractor, spec, px, flip);
        } finally {
          px.dispose();
        }
        await feats.data(); // finish the work here, so the timing and progress are honest
      } catch (e) {
        feats?.dispose();
        if (e instanceof CancelledError) throw e;
        skipped.push({ name: im.name, reason: e instanceof Error ? e.message : String(e) });
        feats = undefined;
      }
      ms += performance.now() - t0;
      if (feats) {
        parts[which].push(feats);
        used.push(im.label);
        labels[which].push(...(flip ? [im.label, im.label] : [im.label]));
      }
      opts.onImage?.(i + 1, images.length, im.name);
      await yieldToEvents();
    }
    if (opts.signal?.aborted) throw new CancelledError('fine-tuning');
    return {
      train: { x: stack(parts.train, d), labels: labels.train },
      val: { x: stack(parts.val, d), labels: labels.val },
      skipped,
      used,
      msPerImage: images.length ? ms / images.length : 0,
    };
  } finally {
    tf.dispose([...parts.train, ...parts.val]);
  }
}
