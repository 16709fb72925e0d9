/**
 * Evaluation of a trained head on the validation split: confusion matrix (rows true, columns predicted),
 * its row-normalised form, per-class precision/recall, accuracy (src/core/finetune-metrics.ts), and each
 * validation image's top-3 so a view can list the images of any confusion cell.
 */

import type * as tf from '@tensorflow/tfjs';
import { accuracyOf, type ClassMetrics, confusionMatrix, perClassMetrics, type Ranked, rowNormalised, topK } from '../core/finetune-metrics';
import { type ExampleSet, type HeadParams, headProbs } from './finetune';
import { type StageResult, stagePooled } from './finetune-stage';

export interface ValPrediction {
  /** Row in the validation set (= validation image, no mirrors there). */
  readonly row: number;
  readonly name?: string;
  readonly label: number;
  /** Most probable class (top[0].index). */
  readonly predicted: number;
  readonly top: readonly Ranked[];
}

export interface Evaluation {
  /** confusion[t][p]: validation images of class t predicted as p; sums to the validation count. */
  readonly confusion: number[][];
  /** Each row over its sum; null for a class with no validation image. */
  readonly normalised: (number | null)[][];
  readonly perClass: ClassMetrics[];
  /** null without validation images. */
  readonly accuracy: number | null;
  readonly predictions: ValPrediction[];
}

/** Evaluation from probabilities [n × numClasses] (row-major) and the true labels. */
export function evaluationFromProbs(probs: ArrayLike<number>, set: Pick<ExampleSet, 'labels' | 'names'>, numClasses: number, k = 3): Evaluation {
  const predictions = set.labels.map((label, row) => {
    const p = Array.prototype.slice.call(probs, row * numClasses, (row + 1) * numClasses) as number[];
    const top = topK(p, k);
    return { row, ...(set.names ? { name: set.names[row] } : {}), label, predicted: top[0].index, top };
  });
  const confusion = confusionMatrix(
    set.labels,
    predictions.map((p) => p.predicted),
    numClasses,
  );
  return { confusion, normalised: rowNormalised(confusion), perClass: perClassMetrics(confusion), accuracy: accuracyOf(confusion), predictions };
}

/** The head on the validation features (`set.x`: [n, d] pooled features). Disposes nothing it was given. */
export async function evaluateHead(head: HeadParams, set: ExampleSet, numClasses: number, k = 3): Promise<Evaluation> {
  if (set.labels.length === 0) return evaluationFromProbs([], set, numClasses, k);
  const p = headProbs(head, set.x);
  const probs = await p.data();
  p.dispose();
  return evaluationFromProbs(probs, set, numClasses, k);
}

/**
 * A conv5 fine-tuning result on the validation split: `stageVal` holds the validation images' stage inputs
 * (`Dataset.stage.val`), whose rows are those of the pooled validation set (same labels and names).
 */
export async function evaluateStage(
  base: tf.LayersModel,
  result: Pick<StageResult, 'head' | 'stage'>,
  stageVal: ExampleSet,
  numClasses: number,
  k = 3,
): Promise<Evaluation> {
  if (stageVal.labels.length === 0) return evaluationFromProbs([], stageVal, numClasses, k);
  const f = stagePooled(base, result.stage, stageVal.x);
  const p = headProbs(result.head, f);
  f.dispose();
  const probs = await p.data();
  p.dispose();
  return evaluationFromProbs(probs, stageVal, numClasses, k);
}

/** Images of one confusion cell (true class t, predicted p), e.g. the misclassified ones when t ≠ p. */
export function cellImages(e: Pick<Evaluation, 'predictions'>, trueClass: number, predicted: number): ValPrediction[] {
  return e.predictions.filter((x) => x.label === trueClass && x.predicted === predicted);
}

