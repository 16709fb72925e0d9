/**
 * Which tfjs backend the model worker uses and why the faster ones were passed over: a tiny external store the
 * shell's status bar reads with useSyncExternalStore (no tfjs on the UI thread).
 */
import type { BackendChoice, BackendName } from '../tf/backend';

export type BackendStatus =
  | { readonly state: 'idle' }
  | { readonly state: 'starting'; readonly requested?: BackendName }
  | { readonly state: 'ready'; readonly choice: BackendChoice; readonly requested?: BackendName }
  | { readonly state: 'failed'; readonly message: string; readonly requested?: BackendName };

let status: BackendStatus = { state: 'idle' };
const listeners = new Set<() => void>();

export function setBackendStatus(s: BackendStatus): void {
  status = s;
  for (const l of listeners) l();
}

export function getBackendStatus(): BackendStatus {
  return status;
}

export function subscribeBackendStatus(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
