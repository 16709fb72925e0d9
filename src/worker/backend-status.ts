/**
 * Which tfjs backend each worker uses and why the faster ones were passed over: tiny external stores the
 * shell's status bar reads with useSyncExternalStore (no tfjs on the UI thread). One for the model worker
 * (explore / classify), one for the lab's training worker (set while the lab view is mounted).
 */
import type { BackendChoice, BackendName } from '../tf/backend';

export type BackendStatus =
  | { readonly state: 'idle' }
  | { readonly state: 'starting'; readonly requested?: BackendName }
  | { readonly state: 'ready'; readonly choice: BackendChoice; readonly requested?: BackendName }
  | { readonly state: 'failed'; readonly message: string; readonly requested?: BackendName };

export interface StatusStore {
  set(s: BackendStatus): void;
  get(): BackendStatus;
  subscribe(l: () => void): () => void;
}

function statusStore(): StatusStore {
  let status: BackendStatus = { state: 'idle' };
  const listeners = new Set<() => void>();
  return {
    set(s) {
      status = s;
      for (const l of listeners) l();
    },
    get: () => status,
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}

/** The model worker's backend. */
export const modelBackendStatus = statusStore();
/** The lab worker's backend. */
export const labBackendStatus = statusStore();

export const setBackendStatus = modelBackendStatus.set;
export const getBackendStatus = modelBackendStatus.get;
export const subscribeBackendStatus = modelBackendStatus.subscribe;
