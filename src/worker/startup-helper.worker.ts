/// <reference lib="webworker" />
/**
 * The model worker's start-up helper (src/worker/startup-helper.ts): the cached weights' read — the IndexedDB row and
 * its Blob — which would block the model worker's thread while its code loads, done on this one instead.
 */
import { WeightsCache } from '../tf/cache';
import type { HelperAnswer, HelperEnd, HelperQuestion } from './startup-helper';

declare const self: DedicatedWorkerGlobalScope;

let cache: WeightsCache | undefined;

self.onmessage = async (e: MessageEvent<HelperQuestion | HelperEnd>) => {
  const q = e.data;
  if (q.kind === 'end') {
    // A legacy row read here is being rewritten (WeightsCache.get): closing now would abort that write, and every
    // later visit would read the slow layout and try again.
    await cache?.upgrading;
    self.close();
    return;
  }
  try {
    if (q.kind === 'cached') {
      cache ??= new WeightsCache();
      const artifacts = await cache.get(q.key);
      const data = artifacts?.weightData;
      self.postMessage({ id: q.id, kind: 'cached', artifacts } satisfies HelperAnswer, data instanceof ArrayBuffer ? [data] : []);
      return;
    }
    const bytes = await q.blob.arrayBuffer();
    self.postMessage({ id: q.id, kind: 'read', bytes } satisfies HelperAnswer, [bytes]);
  } catch (err) {
    self.postMessage({ id: q.id, kind: 'failed', message: err instanceof Error ? err.message : String(err) } satisfies HelperAnswer);
  }
};
