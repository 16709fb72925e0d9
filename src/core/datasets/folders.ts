/**
 * The user's own images: a folder with one sub-folder per class (as `webkitRelativePath` gives them:
 * `root/cat/001.jpg`). Pure bookkeeping; decoding happens in the worker.
 */

export interface LabelledPath {
  readonly path: string;
  readonly label: number;
}

export interface FolderDataset {
  readonly classes: readonly string[];
  readonly items: readonly LabelledPath[];
  /** Files skipped, with the reason (not an image, not inside a class folder). */
  readonly skipped: readonly string[];
}

export class FolderDatasetError extends Error {
  override readonly name = 'FolderDatasetError';
}

const IMAGE = /\.(png|jpe?g|gif|webp|bmp)$/i;

/**
 * Group image paths by their parent folder. Classes are sorted by name (like Keras'
 * image_dataset_from_directory). Needs at least two classes with images.
 */
export function groupByFolder(paths: readonly string[], maxClasses = 100): FolderDataset {
  const byClass = new Map<string, string[]>();
  const skipped: string[] = [];
  for (const p of paths) {
    const parts = p.split('/').filter((s) => s.length > 0);
    if (!IMAGE.test(p)) {
      skipped.push(`${p} (not an image: png, jpg, gif, webp or bmp)`);
      continue;
    }
    if (parts.length < 2) {
      skipped.push(`${p} (not inside a class folder)`);
      continue;
    }
    const cls = parts[parts.length - 2];
    const list = byClass.get(cls) ?? [];
    list.push(p);
    byClass.set(cls, list);
  }
  const classes = [...byClass.keys()].sort();
  if (classes.length < 2) {
    throw new FolderDatasetError(
      `need a folder with at least two sub-folders of images (one per class); found ${classes.length === 0 ? 'no images in sub-folders' : `only “${classes[0]}”`}`,
    );
  }
  if (classes.length > maxClasses) throw new FolderDatasetError(`found ${classes.length} class folders; at most ${maxClasses} are allowed`);
  const items = classes.flatMap((c, label) => byClass.get(c)!.map((path) => ({ path, label })));
  return { classes, items, skipped };
}
