/**
 * Classification metrics of a validation split, from integer labels and predictions (pure; no tfjs).
 * Conventions (scikit-learn's `confusion_matrix`, sklearn/metrics/_classification.py): rows are the true class,
 * columns the predicted class. A ratio whose denominator is 0 (precision of a class never predicted, recall of a
 * class with no validation image, a row-normalised row with no images) is `null`, never 0 or NaN: "undefined",
 * which sklearn reports as 0 with a warning (`zero_division="warn"`) and we leave for the reader to show as "—".
 */

export class MetricsInputError extends Error {
  override readonly name = 'MetricsInputError';
}

function checkIndex(kind: string, v: number, n: number, at: number): void {
  if (!Number.isInteger(v) || v < 0 || v >= n) throw new MetricsInputError(`${kind} ${v} at position ${at} is not a class index in 0…${n - 1}`);
}

/** counts[t][p]: validation images of true class t predicted as p. */
export function confusionMatrix(labels: readonly number[], predicted: readonly number[], numClasses: number): number[][] {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new MetricsInputError(`number of classes must be a positive integer; got ${numClasses}`);
  if (labels.length !== predicted.length) throw new MetricsInputError(`${labels.length} labels but ${predicted.length} predictions`);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  labels.forEach((t, i) => {
    checkIndex('label', t, numClasses, i);
    checkIndex('prediction', predicted[i], numClasses, i);
    m[t][predicted[i]]++;
  });
  return m;
}

/** Each row divided by its sum (the fraction of class t's images predicted as p); a row with no images is all null. */
export function rowNormalised(m: readonly (readonly number[])[]): (number | null)[][] {
  return m.map((row) => {
    const s = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (s === 0 ? null : v / s));
  });
}

export interface ClassMetrics {
  /** TP / (TP + FP): of the images predicted as this class, the fraction that are; null when none was predicted. */
  readonly precision: number | null;
  /** TP / (TP + FN): of this class's images, the fraction found; null when the class has no validation image. */
  readonly recall: number | null;
  /** Validation images of this class (the row sum). */
  readonly support: number;
}

export function perClassMetrics(m: readonly (readonly number[])[]): ClassMetrics[] {
  return m.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = m.reduce((a, r) => a + r[c], 0);
    return { precision: predicted === 0 ? null : tp / predicted, recall: support === 0 ? null : tp / support, support };
  });
}

/** Trace / total; null for an empty matrix. */
export function accuracyOf(m: readonly (readonly number[])[]): number | null {
  const total = m.reduce((a, r) => a + r.reduce((x, y) => x + y, 0), 0);
  return total === 0 ? null : m.reduce((a, r, i) => a + r[i], 0) / total;
}

export interface Ranked {
  readonly index: number;
  readonly probability: number;
}

/** The k most probable classes, most probable first; ties keep the lower index first (a stable order). */
export function topK(probs: ArrayLike<number>, k: number): Ranked[] {
  return Array.from(probs, (probability, index) => ({ index, probability }))
    .sort((a, b) => b.probability - a.probability || a.index - b.index)
    .slice(0, Math.max(0, k));
}
