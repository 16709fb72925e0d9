/**
 * Evaluation figures of the validation split, from plain data: a confusion matrix (true class rows, predicted
 * class columns) and each validation image's top-3. Precision and recall per class follow their textbook
 * definitions (Manning, Raghavan & Schütze, "Introduction to Information Retrieval", 2008, §8.3): precision of
 * class c = M[c][c] / Σ_t M[t][c] (column), recall = M[c][c] / Σ_p M[c][p] (row); undefined when the sum is 0.
 */

export interface TopK {
  readonly index: number;
  readonly probability: number;
}

/** One validation image: its name (`class/file.jpg`, as sent to the worker), true class and top predictions. */
export interface ValItem {
  readonly name: string;
  readonly trueIndex: number;
  readonly top: readonly TopK[];
}

export interface EvalData {
  readonly classNames: readonly string[];
  /** confusion[t][p]: validation images of true class t predicted as p. */
  readonly confusion: readonly (readonly number[])[];
  readonly items: readonly ValItem[];
}

export interface ClassScore {
  readonly precision?: number;
  readonly recall?: number;
  /** Validation images of this class (row sum). */
  readonly support: number;
}

export function classScores(confusion: readonly (readonly number[])[]): ClassScore[] {
  const n = confusion.length;
  for (const row of confusion) {
    if (row.length !== n) throw new RangeError(`a confusion matrix is square; got a row of ${row.length} in a ${n}-class matrix`);
  }
  return confusion.map((row, c) => {
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, r) => a + r[c], 0);
    return {
      precision: predicted > 0 ? row[c] / predicted : undefined,
      recall: support > 0 ? row[c] / support : undefined,
      support,
    };
  });
}

/** Each row divided by its sum (rows with no images stay 0). */
export function rowNormalised(confusion: readonly (readonly number[])[]): number[][] {
  return confusion.map((row) => {
    const s = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (s > 0 ? v / s : 0));
  });
}

/** A cell of the matrix, or every off-diagonal cell (the misclassified images). */
export type CellChoice = { readonly trueIndex: number; readonly predIndex: number } | 'misclassified';

/** The validation images of a cell (predicted = top-1), in their given order. */
export function itemsOf(items: readonly ValItem[], choice: CellChoice): ValItem[] {
  return items.filter((it) => {
    const pred = it.top[0]?.index;
    return choice === 'misclassified' ? pred !== it.trueIndex : it.trueIndex === choice.trueIndex && pred === choice.predIndex;
  });
}

/** The matrix the items imply (for checking a worker's matrix, and when only the items are known). */
export function confusionOf(items: readonly ValItem[], classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (const it of items) {
    const p = it.top[0]?.index;
    if (p === undefined || p < 0 || p >= classes || it.trueIndex < 0 || it.trueIndex >= classes) {
      throw new RangeError(`validation image ${it.name}: class ${it.trueIndex} predicted as ${p}, outside 0…${classes - 1}`);
    }
    m[it.trueIndex][p]++;
  }
  return m;
}
