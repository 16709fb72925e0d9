/** Model state of the Classify view: the loaded model, a load in progress (with cancel) and the last error. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { type BackendName, backendFromSearch } from '../../tf/backend-names';
import { modelClient } from '../../worker/client';
import type { EngineName } from '../../worker/ort-engine';
import type { LoadPhase, ModelInfo, ModelSource } from '../../worker/protocol';
import { type PhaseTime, phaseClock } from './load-phases';
import { registerServiceWorkerSoon } from '../service-worker';

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
  /** Phases of the last completed load with their times (from the worker's progress messages). */
  readonly phases?: readonly PhaseTime[];
  readonly engine: EngineName;
  readonly engineBusy: boolean;
  setEngine(engine: EngineName): Promise<void>;
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
  const [phases, setPhases] = useState<readonly PhaseTime[]>();
  const [engine, setEngineState] = useState<EngineName>('tfjs');
  const [engineBusy, setEngineBusy] = useState(false);
  const [param] = useState(() => backendFromSearch(window.location.search));
  const engineRef = useRef<EngineName>('tfjs');

  const load = useCallback(async (source: ModelSource, label: string) => {
    const client = modelClient();
    // Not waiting for the backend: the worker downloads meanwhile and builds once the backend is ready.
    setError(undefined);
    const clock = phaseClock();
    const job = client.load(source, (phase, loaded, total) => {
      clock.saw(phase);
      setLoading((l) => (l ? { ...l, phase, loaded, total } : l));
    });
    setLoading({ label, phase: 'download', loaded: 0, total: 0, cancel: job.cancel });
    try {
      setInfo(await job.promise);
      setPhases(clock.done());
      registerServiceWorkerSoon(); // offline use: the app's files are cached after the first result, or in a while
      // A new model needs a new ONNX session: prepare it now rather than inside the first prediction.
      if (engineRef.current === 'onnxruntime-web') void setEngineRef.current?.('onnxruntime-web');
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
      // The worker rebuilt the model on the new backend: a new ONNX session, prepared now.
      if (engineRef.current === 'onnxruntime-web') void setEngineRef.current?.('onnxruntime-web');
    } catch (e) {
      setError(`Backend: ${(e as Error).message}`);
    } finally {
      setBackendBusy(false);
    }
  }, []);

  const setEngine = useCallback(async (next: EngineName) => {
    setEngineBusy(true);
    try {
      await modelClient().setEngine(next);
      engineRef.current = next;
      setEngineState(next);
    } catch (e) {
      setError(`Engine: ${(e as Error).message}`);
    } finally {
      setEngineBusy(false);
    }
  }, []);

  const setEngineRef = useRef(setEngine);
  setEngineRef.current = setEngine;

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
    phases,
    engine,
    engineBusy,
    setEngine,
    backendNotice: param.notice,
    load,
    setBackend,
    dismissError: () => setError(undefined),
    adopted: (next: ModelInfo) => {
      setInfo(next);
      if (engineRef.current === 'onnxruntime-web') void setEngine('onnxruntime-web');
    },
  };
}
