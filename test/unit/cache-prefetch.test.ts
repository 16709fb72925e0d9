import { describe, expect, it } from 'vitest';
import type * as tf from '@tensorflow/tfjs';
import { prefetchingCache } from '../../src/worker/cache-prefetch';

/** A cache whose reads are counted and resolve when the test says. */
function countingCache(available = true) {
  const reads: string[] = [];
  const puts: string[] = [];
  const rows = new Map<string, tf.io.ModelArtifacts>([
    ['a', { weightSpecs: [], weightData: new ArrayBuffer(8) }],
    ['b', { weightSpecs: [], weightData: new ArrayBuffer(4) }],
  ]);
  return {
    reads,
    puts,
    available,
    async get(k: string) {
      reads.push(k);
      return rows.get(k);
    },
    async put(k: string, a: tf.io.ModelArtifacts) {
      puts.push(k);
      rows.set(k, a);
    },
  };
}

describe('prefetchingCache', () => {
  it('starts reading its key at once; the first get of that key takes the read in flight', async () => {
    const inner = countingCache();
    const c = prefetchingCache(inner, 'a');
    expect(inner.reads).toEqual(['a']);
    const got = await c.get('a');
    expect((got!.weightData as ArrayBuffer).byteLength).toBe(8);
    expect(inner.reads).toEqual(['a']);
    await c.get('a'); // taken once: a second get reads again
    expect(inner.reads).toEqual(['a', 'a']);
  });

  it('drops the early read when another key comes first, when the key is written, or when unclaimed', async () => {
    const first = countingCache();
    const c1 = prefetchingCache(first, 'a');
    expect((await c1.get('b'))?.weightData).toBeDefined();
    await c1.get('a');
    expect(first.reads).toEqual(['a', 'b', 'a']); // a fresh read: another precision was loaded first

    const second = countingCache();
    const c2 = prefetchingCache(second, 'a');
    await c2.put('a', { weightSpecs: [], weightData: new ArrayBuffer(2) });
    expect(((await c2.get('a'))!.weightData as ArrayBuffer).byteLength).toBe(2); // the new row, not the stale read

    const third = countingCache();
    const c3 = prefetchingCache(third, 'a', 1);
    await new Promise((r) => setTimeout(r, 20));
    await c3.get('a');
    expect(third.reads).toEqual(['a', 'a']);
  });

  it('reads nothing without IndexedDB, and a failed early read fails only the get that takes it', async () => {
    const none = countingCache(false);
    const c = prefetchingCache(none, 'a');
    expect(c.available).toBe(false);
    expect(none.reads).toEqual([]);
    const failing = { available: true, get: async () => Promise.reject(new Error('disk gone')), put: async () => {} };
    await expect(prefetchingCache(failing, 'a').get('a')).rejects.toThrow('disk gone');
  });
});
