/**
 * A helper worker for the model worker's start (issue 11): reading the cached weights — the IndexedDB row, then its
 * Blob into an ArrayBuffer, 49 MB copied into fresh memory, ≈ 0.12 s of the model worker's thread on a reload here
 * (first touches of new pages cost ≈ 3–4 ms per MB on this machine) — while that thread loads its code. The helper
 * reads and transfers the buffer: same process, so no copy. It opens IndexedDB itself: asked through the model
 * worker, the row waited for that thread's turns between its code's compile and run (the read began ≈ 0.1 s later).
 * A read falls back to the caller's own thread when the helper fails or has been released.
 * It once made the WebGL context for the renderer question too (src/tf/gpu-probe.ts), before the read: the read
 * then waited for it (18–170 ms here), and a second helper for it alone was a third thread at the start (reload
 * ×1.09); the model worker's entry now asks that question on its own thread while its code loads (reload ×0.95).
 */

import type * as tf from '@tensorflow/tfjs';

type Question = { readonly kind: 'read'; readonly blob: Blob } | { readonly kind: 'cached'; readonly key: string };
export type HelperQuestion = Question & { readonly id: number };
/** The helper's work is over: it ends itself once its own writes are done (a legacy row's rewrite, src/tf/cache.ts). */
export type HelperEnd = { readonly kind: 'end' };
export type HelperAnswer =
  | { readonly id: number; readonly kind: 'read'; readonly bytes: ArrayBuffer }
  | { readonly id: number; readonly kind: 'cached'; readonly artifacts?: tf.io.ModelArtifacts }
  | { readonly id: number; readonly kind: 'failed'; readonly message: string };

export type HelperWorker = Pick<Worker, 'postMessage' | 'terminate'> & {
  onmessage: ((e: MessageEvent<HelperAnswer>) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
};

export interface StartupHelper {
  /** The Blob's bytes, read on the helper's thread; on this one once released, or if the helper fails. */
  readBlob(blob: Blob): Promise<ArrayBuffer>;
  /**
   * The weights cache's row for `key` (src/tf/cache.ts `get`), read on the helper's thread: undefined when absent.
   * Rejects when the helper cannot answer (failed, gone, released): the caller reads the row itself.
   */
  cached(key: string): Promise<tf.io.ModelArtifacts | undefined>;
  /** The helper ends once the reads already asked for are answered; later ones run here. */
  release(): void;
}

export function startupHelper(start: () => HelperWorker): StartupHelper {
  let worker: HelperWorker | undefined;
  try {
    worker = start();
  } catch {
    worker = undefined; // e.g. a CSP that refuses workers: every job runs on the caller's thread
  }
  const pending = new Map<number, { resolve: (a: HelperAnswer) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let released = false;
  /** `finished`: released with nothing pending, so the helper may finish its own writes and close itself. */
  const end = (finished = false) => {
    if (finished) worker?.postMessage({ kind: 'end' } satisfies HelperEnd);
    else worker?.terminate();
    worker = undefined;
    for (const p of pending.values()) p.reject(new Error('the start-up helper ended'));
    pending.clear();
  };
  if (worker) {
    worker.onmessage = (e) => {
      const p = pending.get(e.data.id);
      pending.delete(e.data.id);
      p?.resolve(e.data);
      if (released && pending.size === 0) end(true);
    };
    worker.onerror = () => end();
  }
  const ask = (q: Question): Promise<HelperAnswer> => {
    if (!worker) return Promise.reject(new Error('no start-up helper'));
    const id = nextId++;
    const answer = new Promise<HelperAnswer>((resolve, reject) => pending.set(id, { resolve, reject }));
    worker.postMessage({ ...q, id } satisfies HelperQuestion);
    return answer;
  };
  return {
    async readBlob(blob) {
      const a = await ask({ kind: 'read', blob }).catch(() => undefined);
      // The helper could not read it (or is gone): read it here, where a real failure surfaces to the caller.
      return a?.kind === 'read' ? a.bytes : blob.arrayBuffer();
    },
    async cached(key) {
      const a = await ask({ kind: 'cached', key });
      if (a.kind !== 'cached') throw new Error(a.kind === 'failed' ? a.message : 'the start-up helper answered another question');
      return a.artifacts;
    },
    release() {
      released = true;
      if (pending.size === 0) end(true);
    },
  };
}
