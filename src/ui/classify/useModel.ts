/** Model state of the Classify view: the loaded model, a load in progress (with cancel) and the last error. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { type BackendName, backendFromSearch } from '../../tf/backend-names';
import { modelClient } from '../../worker/client';
import type { LoadPhase, ModelInfo, ModelSource } from '../../worker/protocol';

export interface LoadState {
  readonly label: string;
  readonly phase: LoadPhase;
  readonly loaded: number;
  readonly total: number;
  readonly cancel: () => void;
}

export interface ModelState {
  readonly info?: ModelInfo;
  readonly loading?: LoadState;
  readonly error?: string;
  readonly backendBusy: boolean;
  /** Why `?backend=` in the URL was not used (value received, what is allowed). */
  readonly backendNotice?: string;
  load(source: ModelSource, label: string): Promise<void>;
  setBackend(name?: BackendName): Promise<void>;
  dismissError(): void;
  /** The worker switched models itself (e.g. to a fine-tuned one): show this one. */
  adopted(info: ModelInfo): void;
}

export function useModel(initial: ModelSource | undefined): ModelState {
  const [info, setInfo] = useState<ModelInfo>();
  const [loading, setLoading] = useState<LoadState>();
  const [error, setError] = useState<string>();
  const [backendBusy, setBackendBusy] = useState(true);
  const [param] = useState(() => backendFromSearch(window.location.search));

  const load = useCallback(async (source: ModelSource, label: string) => {
    const client = modelClient();
    // Not waiting for the backend: the worker downloads meanwhile and builds once the backend is ready.
    setError(undefined);
    const job = client.load(source, (phase, loaded, total) => setLoading((l) => (l ? { ...l, phase, loaded, total } : l)));
    setLoading({ label, phase: 'download', loaded: 0, total: 0, cancel: job.cancel });
    try {
      setInfo(await job.promise);
    } catch (e) {
      const err = e as Error;
      setError(err.name === 'CancelledError' ? `Loading ${label} was cancelled; the previous model is still in use.` : `${label}: ${err.message}`);
    } finally {
      setLoading(undefined);
    }
  }, []);

  const setBackend = useCallback(async (name?: BackendName) => {
    setBackendBusy(true);
    try {
      await modelClient().init(name);
    } catch (e) {
      setError(`Backend: ${(e as Error).message}`);
    } finally {
      setBackendBusy(false);
    }
  }, []);

  // Start the worker, pick a backend, load the default model once.
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void setBackend(param.backend);
    if (initial) void load(initial, 'ImageNet ResNet50');
  }, [initial, load, setBackend, param]);

  return {
    info,
    loading,
    error,
    backendBusy,
    backendNotice: param.notice,
    load,
    setBackend,
    dismissError: () => setError(undefined),
    adopted: setInfo,
  };
}
