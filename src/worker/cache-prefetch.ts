/**
 * A weights cache that has already started reading one key. The model worker reads IndexedDB while tfjs and the
 * rest of its code are still loading (issue 11: on a reload, ≈ 0.4 s that the read used to wait for); the first
 * `get` of that key takes the read in flight. The read is dropped — its bytes are not held — when another key is
 * asked for first, when the key is written, or after `keepMs` unclaimed.
 */
import type { WeightsCache } from '../tf/cache';

export type Cache = Pick<WeightsCache, 'available' | 'get' | 'put'>;

export interface PrefetchingCache extends Cache {
  /** Whether the early read found the key (false: not there, unreadable, or no cache in this browser). */
  readonly prefetched: Promise<boolean>;
}

export function prefetchingCache(cache: Cache, key: string, keepMs = 60_000): PrefetchingCache {
  let early: ReturnType<Cache['get']> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const drop = () => {
    early = undefined;
    if (timer !== undefined) clearTimeout(timer);
  };
  if (cache.available) {
    early = cache.get(key);
    early.catch(() => undefined); // a failed read surfaces (or not) when the key is asked for
    timer = setTimeout(drop, keepMs);
  }
  const prefetched = early ? early.then((row) => row !== undefined, () => false) : Promise.resolve(false);
  return {
    prefetched,
    get available() {
      return cache.available;
    },
    get(k) {
      const taken = k === key ? early : undefined;
      drop();
      return taken ?? cache.get(k);
    },
    put(k, artifacts) {
      if (k === key) drop();
      return cache.put(k, artifacts);
    },
  };
}
