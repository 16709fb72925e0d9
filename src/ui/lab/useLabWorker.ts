import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { type BackendName, backendFromSearch } from '../../tf/backend-names';
import { labBackendStatus } from '../../worker/backend-status';
import type { Backend, LabRequest, LabResponse } from '../../worker/lab-protocol';

export interface WorkerStatus {
  /** The backend training runs on; undefined while (re)starting. */
  readonly backend?: Backend;
  /** The user's pick (undefined: automatic). */
  readonly requested?: BackendName;
  /** Why the pick was not used, or that cpu is slow; or why no backend started. */
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
  // `?backend=` in the URL, read once and checked by the same function as Classify's.
  const [param] = useState(() => backendFromSearch(window.location.search));
  const [status, setStatus] = useState<WorkerStatus>(() => ({ requested: param.backend }));
  const nextId = useRef(1);

  const setBackend = useCallback((backend?: BackendName) => {
    setStatus({ requested: backend });
    labBackendStatus.set({ state: 'starting', requested: backend });
    workerRef.current?.postMessage({ type: 'init', backend } satisfies LabRequest);
  }, []);

  useEffect(() => {
    const worker = new Worker(new URL('../../worker/lab.worker.ts', import.meta.url), { type: 'module' });
    workerRef.current = worker;
    worker.onmessage = (ev: MessageEvent<LabResponse>) => {
      const m = ev.data;
      if (m.type === 'ready') {
        setStatus({ backend: m.backend, requested: m.requested, note: m.note });
        labBackendStatus.set({ state: 'ready', choice: m.choice, requested: m.requested });
      } else if (m.type === 'backend-failed') {
        setStatus({ requested: m.requested, note: m.message });
        labBackendStatus.set({ state: 'failed', message: m.message, requested: m.requested });
      }
      for (const l of listeners.current) l(m);
    };
    worker.onerror = (e) => {
      for (const l of listeners.current) l({ type: 'error', message: e.message || 'the lab worker failed to start' });
    };
    const requested = param.backend;
    labBackendStatus.set({ state: 'starting', requested });
    worker.postMessage({ type: 'init', backend: requested } satisfies LabRequest);
    return () => {
      worker.terminate();
      workerRef.current = null;
      labBackendStatus.set({ state: 'idle' });
    };
  }, [param]);

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

  const urlNotice = param.notice;
  return useMemo(
    () => ({ status, urlNotice, send, subscribe, newId, setBackend }),
    [status, urlNotice, send, subscribe, newId, setBackend],
  );
}

export type LabWorker = ReturnType<typeof useLabWorker>;
