import { useState } from 'react';
import type { LabWorker } from './useLabWorker';
import { Progress } from './Progress';

interface Loaded {
  readonly classes: readonly string[];
  readonly count: number;
  readonly skipped: readonly string[];
}

type PathFile = { readonly path: string; readonly blob: File };

/** Read a dropped directory tree (webkitGetAsEntry) into files with their relative paths. */
async function readEntry(entry: FileSystemEntry, out: PathFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
    out.push({ path: entry.fullPath.replace(/^\//, ''), blob: file });
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns batches until an empty one.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
      if (batch.length === 0) break;
      for (const e of batch) await readEntry(e, out);
    }
  }
}

/** Pick or drop a folder with one sub-folder per class; the worker decodes it for the race. */
export function FolderPicker({ worker, onReady }: { readonly worker: LabWorker; readonly onReady: (ok: boolean) => void }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [over, setOver] = useState(false);

  const send = (files: PathFile[]) => {
    setError(null);
    setLoaded(null);
    onReady(false);
    if (files.length === 0) {
      setError('the folder is empty');
      return;
    }
    const id = worker.newId();
    setPending(`sending ${files.length} files…`);
    const off = worker.subscribe((m) => {
      if (m.type === 'progress' && m.id === id) setPending(m.label);
      if (m.type === 'race-data-ready' && m.id === id) {
        setLoaded({ classes: m.classes, count: m.count, skipped: m.skipped });
        setPending(null);
        onReady(true);
        off();
      }
      if (m.type === 'error' && m.id === id) {
        setError(m.message);
        setPending(null);
        off();
      }
    });
    worker.send({ type: 'race-data', id, files });
  };

  return (
    <section
      aria-label="Your images"
      className={`lab-drop${over ? ' lab-drop-over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={async (e) => {
        e.preventDefault();
        setOver(false);
        const out: PathFile[] = [];
        for (const item of Array.from(e.dataTransfer.items)) {
          const entry = item.webkitGetAsEntry();
          if (entry) await readEntry(entry, out);
        }
        send(out);
      }}
    >
      <label>
        Folder with one sub-folder per class (pick or drop){' '}
        <input
          type="file"
          aria-label="image folder"
          multiple
          // biome-ignore lint/suspicious/noExplicitAny: webkitdirectory is not in React's input props
          {...({ webkitdirectory: '' } as any)}
          onChange={(e) => send(Array.from(e.target.files ?? [], (f) => ({ path: f.webkitRelativePath || f.name, blob: f })))}
        />
      </label>
      <Progress pending={pending} error={error} />
      {loaded && (
        <p className="lab-muted" data-testid="folder-loaded">
          {loaded.count} images in {loaded.classes.length} classes ({loaded.classes.slice(0, 8).join(', ')}
          {loaded.classes.length > 8 ? ', …' : ''}), resized to 16×16.
          {loaded.skipped.length > 0 && ` Skipped ${loaded.skipped.length}: ${loaded.skipped.slice(0, 3).join('; ')}${loaded.skipped.length > 3 ? '; …' : ''}`}
        </p>
      )}
    </section>
  );
}
