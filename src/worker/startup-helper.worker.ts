/// <reference lib="webworker" />
/**
 * The model worker's start-up helper (src/worker/startup-helper.ts): the cached weights' read, which would block the
 * model worker's thread while its code loads, done on this one instead.
 */
import type { HelperAnswer, HelperQuestion } from './startup-helper';

declare const self: DedicatedWorkerGlobalScope;

self.onmessage = async (e: MessageEvent<HelperQuestion>) => {
  const q = e.data;
  try {
    const bytes = await q.blob.arrayBuffer();
    self.postMessage({ id: q.id, kind: 'read', bytes } satisfies HelperAnswer, [bytes]);
  } catch (err) {
    self.postMessage({ id: q.id, kind: 'failed', message: err instanceof Error ? err.message : String(err) } satisfies HelperAnswer);
  }
};
