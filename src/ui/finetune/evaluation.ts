/**
 * What the evaluation view shows, as plain data: a confusion matrix (true class rows, predicted class columns,
 * scikit-learn's convention) and each validation image's top-3; the metrics come from src/core/finetune-metrics.ts.
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

/** A cell of the matrix, or every off-diagonal cell (the misclassified images). */
export type CellChoice = { readonly trueIndex: number; readonly predIndex: number } | 'misclassified';

/** The validation images of a cell (predicted = top-1), in their given order. */
export function itemsOf(items: readonly ValItem[], choice: CellChoice): ValItem[] {
  return items.filter((it) => {
    const pred = it.top[0]?.index;
    return choice === 'misclassified' ? pred !== it.trueIndex : it.trueIndex === choice.trueIndex && pred === choice.predIndex;
  });
}
