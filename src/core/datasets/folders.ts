/**
 * The user's own images → classes, one rule for the lab's race and for fine-tuning. Paths are '/'-separated
 * as a folder pick (`webkitRelativePath`) or a drop gives them: `pets/cat/001.jpg`. Pure bookkeeping; decoding
 * happens in the workers.
 *
 * The rule is Keras' `image_dataset_from_directory(labels='inferred', class_names=None)`
 * (keras/src/utils/dataset_utils.py, `index_directory`): the classes are the sub-directories of the chosen
 * directory, `sorted(os.listdir(directory))` — Python's string order, i.e. by Unicode code point, not by
 * locale — skipping names that start with '.'; every image below a class directory, at any depth, belongs to it
 * (`index_subdirectory` walks it with os.walk), in the order `iter_valid_files` yields them: directories sorted,
 * then file names sorted. Files directly in the chosen directory belong to no class.
 *
 * Ours on top: a picked root (`pets/…`) shared by every file and holding sub-folders is the chosen directory and
 * is stripped; when class folders themselves are dropped, each is a class. Loose files (no folder) can be given
 * a class name. Keras' image formats are .bmp .gif .jpeg .jpg .png; the browser also decodes .webp and .avif.
 */

export interface FolderEntry {
  readonly path: string;
  /** MIME type when the browser knows it; empty or absent: decided by the file extension. */
  readonly type?: string;
}

export interface Rejected {
  readonly path: string;
  readonly reason: string;
}

export interface ClassAssignment {
  /** Class names in Keras' order (code-point order). */
  readonly classes: readonly string[];
  /** Per class, indices into the entries given, in Keras' file order. */
  readonly members: readonly (readonly number[])[];
  /** Files left out, with the reason. */
  readonly rejected: readonly Rejected[];
}

const IMAGE_EXT = /\.(png|jpe?g|gif|webp|bmp|avif)$/i;
export const IMAGE_FORMATS = 'png, jpg, jpeg, gif, webp, bmp or avif';

/** Python's `str` order: by Unicode code point (JS `<` compares UTF-16 units, which differs above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

export function isImageEntry(e: FolderEntry): boolean {
  return e.type ? e.type.startsWith('image/') : IMAGE_EXT.test(e.path);
}

/** Assign each image to its class folder (see the module comment for the rule). `looseClass` names the class of files picked without a folder. */
export function assignClasses(entries: readonly FolderEntry[], looseClass?: string): ClassAssignment {
  const parts = entries.map((e) => e.path.split('/').filter((s) => s.length > 0));
  const root = parts[0]?.[0];
  const stripRoot = parts.length > 0 && parts.every((s) => s.length >= 2 && s[0] === root) && parts.some((s) => s.length >= 3);
  const loose = looseClass?.trim();
  const byClass = new Map<string, number[]>();
  const rejected: Rejected[] = [];
  entries.forEach((e, i) => {
    const segs = stripRoot ? parts[i].slice(1) : parts[i];
    if (!isImageEntry(e)) {
      rejected.push({ path: e.path, reason: e.type ? `not an image (${e.type})` : `not an image (${IMAGE_FORMATS})` });
      return;
    }
    let cls: string | undefined;
    if (segs.length >= 2) cls = segs[0];
    else if (loose) cls = loose;
    if (!cls) {
      rejected.push({ path: e.path, reason: 'not inside a class folder (drop a folder with one sub-folder per class, or name a class for loose files)' });
      return;
    }
    if (segs.length >= 2 && cls.startsWith('.')) {
      rejected.push({ path: e.path, reason: `inside the hidden folder “${cls}” (skipped, as Keras does)` });
      return;
    }
    const list = byClass.get(cls) ?? [];
    list.push(i);
    byClass.set(cls, list);
  });
  const classes = [...byClass.keys()].sort(compareCodePoints);
  // Keras' file order inside a class: by directory, then by file name.
  const key = (i: number) => {
    const p = parts[i];
    return [p.slice(0, -1).join('/'), p[p.length - 1] ?? ''] as const;
  };
  const members = classes.map((c) =>
    [...byClass.get(c)!].sort((a, b) => {
      const [da, fa] = key(a);
      const [db, fb] = key(b);
      return compareCodePoints(da, db) || compareCodePoints(fa, fb);
    }),
  );
  return { classes, members, rejected };
}

export interface LabelledPath {
  readonly path: string;
  readonly label: number;
}

export interface FolderDataset {
  readonly classes: readonly string[];
  readonly items: readonly LabelledPath[];
  /** Files skipped, with the reason: `pets/notes.txt (not an image (text/plain))`. */
  readonly skipped: readonly string[];
}

export class FolderDatasetError extends Error {
  override readonly name = 'FolderDatasetError';
}

/** The lab's race set: `assignClasses`, and at least two classes, at most `maxClasses`. */
export function groupByFolder(entries: readonly (FolderEntry | string)[], maxClasses = 100): FolderDataset {
  const list = entries.map((e) => (typeof e === 'string' ? { path: e } : e));
  const a = assignClasses(list);
  const skipped = a.rejected.map((r) => `${r.path} (${r.reason})`);
  if (a.classes.length < 2) {
    throw new FolderDatasetError(
      `need a folder with at least two sub-folders of images (one per class); found ${a.classes.length === 0 ? 'no images in sub-folders' : `only “${a.classes[0]}”`}`,
    );
  }
  if (a.classes.length > maxClasses) throw new FolderDatasetError(`found ${a.classes.length} class folders; at most ${maxClasses} are allowed`);
  const items = a.members.flatMap((idx, label) => idx.map((i) => ({ path: list[i].path, label })));
  return { classes: a.classes, items, skipped };
}
