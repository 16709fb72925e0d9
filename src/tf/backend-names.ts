/** Backend names, free of tfjs so the UI can list them without loading tfjs on the main thread. */
import { show } from '../core/errors';
export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export function isBackendName(x: unknown): x is BackendName {
  return typeof x === 'string' && (BACKENDS as readonly string[]).includes(x);
}

/** What `?backend=` asks for: a backend, or automatic (absent or `auto`), with a notice when the value was not usable. */
export interface BackendParam {
  readonly backend?: BackendName;
  /** Plain text naming the value received and what is allowed (the UI renders it as text). */
  readonly notice?: string;
}

/**
 * Read `?backend=` from a query string, for Classify and the lab alike. Case and surrounding spaces are
 * forgiven (`WebGL` → webgl); `auto` or no parameter is the automatic choice; anything else is the automatic
 * choice plus a notice.
 */
export function backendFromSearch(search: string): BackendParam {
  const raw = new URLSearchParams(search).get('backend');
  if (raw === null) return {};
  const v = raw.trim().toLowerCase();
  if (v === 'auto') return {};
  if (isBackendName(v)) return { backend: v };
  return {
    notice: `Ignored ?backend=${show(raw)}: allowed are ${BACKENDS.join(', ')} or auto. Choosing the backend automatically.`,
  };
}
