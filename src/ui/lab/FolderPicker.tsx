import { useState } from 'react';
import { fromDataTransfer, fromFileList, type PickedFile } from '../shared/folder';
import { followRequest } from './follow-request';
import { Progress } from './Progress';
import type { LabWorker } from './useLabWorker';

interface Loaded {
  readonly classes: readonly string[];
  readonly count: number;
  readonly skipped: readonly string[];
}

type PathFile = { readonly path: string; readonly blob: File };

const toPathFiles = (picked: readonly PickedFile[]): PathFile[] => picked.map((p) => ({ path: p.path, blob: p.file }));

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
    followRequest(worker, id, 'race-data-ready', {
      pending: setPending,
      result: (m) => {
        setLoaded({ classes: m.classes, count: m.count, skipped: m.skipped });
        onReady(true);
      },
      error: setError,
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
        try {
          send(toPathFiles(await fromDataTransfer(e.dataTransfer)));
        } catch (err) {
          setError(`could not read the dropped folder: ${err instanceof Error ? err.message : String(err)}`);
        }
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
          onChange={(e) => send(toPathFiles(fromFileList(e.target.files)))}
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
