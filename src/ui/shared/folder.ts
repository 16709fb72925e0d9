/**
 * Files with their folder paths from a folder pick (`<input webkitdirectory>`: File.webkitRelativePath) or a
 * drop (DataTransferItem.webkitGetAsEntry, walked recursively). The one folder walker of the app (lab race and
 * fine-tuning). Generic: no idea of classes or images here (src/core/datasets/folders.ts has that rule).
 */
import { compareCodePoints } from '../../core/datasets/folders';

export interface PickedFile {
  readonly file: File;
  /** '/'-separated path inside what was picked or dropped, e.g. `pets/cat/a.jpg`, or just `a.jpg`. */
  readonly path: string;
}

/** A file input's selection; folder picks carry webkitRelativePath. */
export function fromFileList(list: FileList | readonly File[] | null | undefined): PickedFile[] {
  return [...(list ?? [])].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries returns at most ~100 entries per call: call it until it returns none.
  return new Promise((resolve, reject) => {
    const out: FileSystemEntry[] = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(out);
        else {
          out.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, prefix: string, out: PickedFile[]): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, path });
  } else if (entry.isDirectory) {
    const children = await readAll((entry as FileSystemDirectoryEntry).createReader());
    // Deterministic order, the same on every browser (classes are sorted again by the core rule).
    children.sort((a, b) => compareCodePoints(a.name, b.name));
    for (const c of children) await walk(c, path, out);
  }
}

/**
 * Everything dropped, folders walked. The entries are taken synchronously (a DataTransfer is emptied when the
 * drop handler returns), then read asynchronously. Without entry support, the dropped files as they are.
 */
export function fromDataTransfer(dt: DataTransfer): Promise<PickedFile[]> {
  const entries = [...(dt.items ?? [])]
    .filter((i) => i.kind === 'file')
    .map((i) => (typeof i.webkitGetAsEntry === 'function' ? i.webkitGetAsEntry() : null));
  if (entries.length === 0 || entries.some((e) => e === null)) return Promise.resolve(fromFileList(dt.files));
  return (async () => {
    const out: PickedFile[] = [];
    for (const e of entries) await walk(e!, '', out);
    return out;
  })();
}
