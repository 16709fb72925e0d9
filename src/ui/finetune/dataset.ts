/**
 * Picked files → classes for fine-tuning: one class per sub-folder (`pets/cat/a.jpg` → `cat`, whether the
 * root `pets` or the class folders themselves were picked), or loose files into a class the user names.
 * Non-images and files outside a class folder are listed with the reason, never silently dropped.
 */
import type { PickedFile } from './folder';

export interface Rejected {
  readonly path: string;
  readonly reason: string;
}

/** Class name → its image files. Classes keep their names' sorted order (as Keras' image_dataset_from_directory). */
export type Classes = ReadonlyMap<string, readonly File[]>;

const IMAGE_EXT = /\.(jpe?g|png|gif|webp|bmp|avif)$/i;

export function isImageFile(f: File): boolean {
  return f.type ? f.type.startsWith('image/') : IMAGE_EXT.test(f.name);
}

/** Group picked files by class folder. `looseClass` names the class of files picked without a folder. */
export function groupByClass(picked: readonly PickedFile[], looseClass?: string): { classes: Classes; rejected: Rejected[] } {
  const parts = picked.map((p) => p.path.split('/').filter(Boolean));
  // A picked root (`pets/…`) shared by every file and holding sub-folders is not a class: strip it.
  const root = parts[0]?.[0];
  const stripRoot = parts.length > 0 && parts.every((s) => s.length >= 2 && s[0] === root) && parts.some((s) => s.length >= 3);
  const classes = new Map<string, File[]>();
  const rejected: Rejected[] = [];
  picked.forEach((p, i) => {
    const segs = stripRoot ? parts[i].slice(1) : parts[i];
    if (!isImageFile(p.file)) {
      rejected.push({ path: p.path, reason: `not an image (${p.file.type || 'unknown type'})` });
      return;
    }
    let cls: string | undefined;
    if (segs.length >= 2) cls = segs[0];
    else if (looseClass?.trim()) cls = looseClass.trim();
    if (!cls) {
      rejected.push({ path: p.path, reason: 'not inside a class folder (drop a folder with one sub-folder per class, or name a class for loose files)' });
      return;
    }
    classes.set(cls, [...(classes.get(cls) ?? []), p.file]);
  });
  return { classes: sortClasses(classes), rejected };
}

function sortClasses(m: ReadonlyMap<string, readonly File[]>): Map<string, File[]> {
  return new Map([...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, [...v]]));
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
