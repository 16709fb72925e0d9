/**
 * Picked files → classes for fine-tuning, by the one rule in src/core/datasets/folders.ts (Keras'
 * image_dataset_from_directory: one class per top-level sub-folder, code-point order). Non-images and files
 * outside a class folder are listed with the reason, never silently dropped.
 */
import { assignClasses, compareCodePoints, isImageEntry, type Rejected } from '../../core/datasets/folders';
import type { PickedFile } from '../shared/folder';

export type { Rejected };

/** Class name → its image files, in Keras' class order. */
export type Classes = ReadonlyMap<string, readonly File[]>;

export function isImageFile(f: File): boolean {
  return isImageEntry({ path: f.name, type: f.type });
}

/** Group picked files by class folder. `looseClass` names the class of files picked without a folder. */
export function groupByClass(picked: readonly PickedFile[], looseClass?: string): { classes: Classes; rejected: Rejected[] } {
  const a = assignClasses(
    picked.map((p) => ({ path: p.path, type: p.file.type })),
    looseClass,
  );
  const classes = new Map(a.classes.map((c, k) => [c, a.members[k].map((i) => picked[i].file)]));
  return { classes, rejected: [...a.rejected] };
}

function sortClasses(m: ReadonlyMap<string, readonly File[]>): Map<string, File[]> {
  return new Map([...m.entries()].sort(([a], [b]) => compareCodePoints(a, b)).map(([k, v]) => [k, [...v]]));
}

/** Add newly picked classes to the current ones (same name: files appended). */
export function mergeClasses(a: Classes, b: Classes): Classes {
  const out = new Map<string, File[]>([...a.entries()].map(([k, v]) => [k, [...v]]));
  for (const [k, v] of b) out.set(k, [...(out.get(k) ?? []), ...v]);
  return sortClasses(out);
}

/** Why this set cannot be trained on, or undefined when it can. */
export function datasetProblem(classes: Classes): string | undefined {
  const names = [...classes.keys()];
  if (names.length < 2) {
    return `Fine-tuning needs at least 2 classes; ${names.length === 0 ? 'none yet' : `only "${names[0]}" so far`}. Drop a folder with one sub-folder per class.`;
  }
  const empty = names.filter((n) => (classes.get(n)?.length ?? 0) === 0);
  if (empty.length) return `Every class needs at least one image; ${empty.join(', ')} has none.`;
  return undefined;
}
