import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Backend, LabRequest, LabResponse } from '../../worker/lab-protocol';

export interface WorkerStatus {
  readonly backend?: Backend;
  readonly note?: string;
}

type Listener = (m: LabResponse) => void;

/**
 * The lab's worker, one per mounted view: terminated on unmount (leaving the page mid-training loses only the
 * run). `send` posts a request; `subscribe` receives every response.
 */
export function useLabWorker() {
  const workerRef = useRef<Worker | null>(null);
  const listeners = useRef(new Set<Listener>());
  const [status, setStatus] = useState<WorkerStatus>({});
  const nextId = useRef(1);

  useEffect(() => {
    const worker = new Worker(new URL('../../worker/lab.worker.ts', import.meta.url), { type: 'module' });
    workerRef.current = worker;
    worker.onmessage = (ev: MessageEvent<LabResponse>) => {
      const m = ev.data;
      if (m.type === 'ready') setStatus({ backend: m.backend, note: m.note });
      for (const l of listeners.current) l(m);
    };
    worker.onerror = (e) => {
      for (const l of listeners.current) l({ type: 'error', message: e.message || 'the lab worker failed to start' });
    };
    worker.postMessage({ type: 'init' } satisfies LabRequest);
    return () => {
      worker.terminate();
      workerRef.current = null;
    };
  }, []);

  const send = useCallback((m: LabRequest, transfer?: Transferable[]) => {
    workerRef.current?.postMessage(m, transfer ?? []);
  }, []);

  const subscribe = useCallback((l: Listener) => {
    listeners.current.add(l);
    return () => {
      listeners.current.delete(l);
    };
  }, []);

  const newId = useCallback(() => nextId.current++, []);

  return useMemo(() => ({ status, send, subscribe, newId }), [status, send, subscribe, newId]);
}

export type LabWorker = ReturnType<typeof useLabWorker>;
