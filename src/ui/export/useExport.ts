/** One code export at a time through the model worker: progress, cancel, the finished zip (downloaded at once). */
import { useCallback, useRef, useState } from 'react';
import type { BackendName } from '../../tf/backend-names';
import { modelClient } from '../../worker/client';
import type { CodeExport, ExportSource } from '../../worker/protocol';
import { downloadBlob } from '../shared/download';

export interface ExportRun {
  readonly fraction: number;
  readonly message: string;
  readonly cancel: () => void;
}

export interface ExportState {
  readonly running?: ExportRun;
  readonly result?: CodeExport;
  readonly error?: string;
  start(format: string, source: ExportSource): Promise<void>;
  download(): void;
  clear(): void;
}

function save(r: CodeExport): void {
  downloadBlob(new Blob([r.zip], { type: 'application/zip' }), `${r.folder}.zip`);
}

export function useExport(): ExportState {
  const [running, setRunning] = useState<ExportRun>();
  const [result, setResult] = useState<CodeExport>();
  const [error, setError] = useState<string>();
  const busy = useRef(false);

  const start = useCallback(async (format: string, source: ExportSource) => {
    if (busy.current) return;
    busy.current = true;
    setError(undefined);
    setResult(undefined);
    try {
      const client = modelClient();
      // Explore may export before Classify ever started the worker's backend.
      const requested = new URLSearchParams(window.location.search).get('backend') as BackendName | null;
      await client.ensureBackend(requested ?? undefined);
      const job = client.exportCode(format, source, (fraction, message) => setRunning((r) => (r ? { ...r, fraction, message } : r)));
      setRunning({ fraction: 0, message: 'starting', cancel: job.cancel });
      const r = await job.promise;
      setResult(r);
      save(r);
    } catch (e) {
      const err = e as Error;
      setError(err.name === 'CancelledError' ? 'Export cancelled; nothing was written.' : err.message);
    } finally {
      busy.current = false;
      setRunning(undefined);
    }
  }, []);

  const download = useCallback(() => {
    if (result) save(result);
  }, [result]);

  const clear = useCallback(() => {
    setResult(undefined);
    setError(undefined);
  }, []);

  return { running, result, error, start, download, clear };
}
