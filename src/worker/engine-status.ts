/**
 * Which inference engine ran the model worker's last classification (or was just chosen): a tiny external store
 * the status bar reads with useSyncExternalStore. `undefined` until Classify has run or chosen an engine.
 */
export interface EngineStatus {
  /** `tfjs (wasm)`, `onnxruntime-web (wasm, 2 threads)`, or a state while a session is prepared. */
  readonly label: string;
  readonly state: 'ready' | 'preparing' | 'failed';
}

let status: EngineStatus | undefined;
const listeners = new Set<() => void>();

export const engineStatus = {
  set(s: EngineStatus | undefined): void {
    status = s;
    for (const l of listeners) l();
  },
  get: (): EngineStatus | undefined => status,
  subscribe(l: () => void): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};
