/**
 * The IndexedDB weights cache (fake-indexeddb in Node): whole artifacts back as they went in, weights given as
 * several buffers joined, rows of the old layout (weights only) ignored, list and delete.
 */
import 'fake-indexeddb/auto';
import type * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CACHE_ROW_VERSION, WeightsCache } from '../../src/tf/cache';

const artifacts = (): tf.io.ModelArtifacts => ({
  modelTopology: { class_name: 'Functional', config: { name: 'm', layers: [{ class_name: 'BatchNormalization', config: { epsilon: 0.001 } }] } },
  format: 'layers-model',
  generatedBy: 'resnet-explorer',
  convertedBy: null as unknown as string,
  userDefinedMetadata: { classNames: ['cat', 'dog'] as unknown as object },
  weightSpecs: [{ name: 'd/kernel', shape: [2, 2], dtype: 'float32' }],
  weightData: new Float32Array([1, 2, 3, 4]).buffer,
});

describe('WeightsCache', () => {
  it('gives back the whole artifacts: topology, format, metadata, specs and bytes', async () => {
    const cache = new WeightsCache(indexedDB, `whole-${Date.now()}`);
    await cache.put('url:a', artifacts());
    const got = await cache.get('url:a');
    const { weightData, ...rest } = artifacts();
    expect(got).toMatchObject(rest);
    expect(Array.from(new Float32Array(got!.weightData as ArrayBuffer))).toEqual(Array.from(new Float32Array(weightData as ArrayBuffer)));
    expect(await cache.list()).toEqual([{ key: 'url:a', bytes: 16, savedAt: expect.any(Number) }]);
    await cache.delete('url:a');
    expect(await cache.get('url:a')).toBeUndefined();
    cache.close();
  });

  it('joins weights given as several buffers', async () => {
    const cache = new WeightsCache(indexedDB, `split-${Date.now()}`);
    await cache.put('k', { ...artifacts(), weightData: [new Float32Array([1, 2]).buffer, new Float32Array([3, 4]).buffer] });
    expect(Array.from(new Float32Array((await cache.get('k'))!.weightData as ArrayBuffer))).toEqual([1, 2, 3, 4]);
    await expect(cache.put('x', { modelTopology: {} })).rejects.toThrow(/only artifacts with weight specs and data are cached \(key x\)/);
    cache.close();
  });

  it('ignores rows written before whole artifacts were kept (they lost the class names)', async () => {
    const name = `old-${Date.now()}`;
    const cache = new WeightsCache(indexedDB, name);
    await cache.put('new', artifacts());
    // A row as the previous version wrote it: specs and data only.
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(name, 1);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction('weights', 'readwrite');
      tx.objectStore('weights').put({ key: 'old', savedAt: 0, bytes: 16, weightSpecs: artifacts().weightSpecs, weightData: new ArrayBuffer(16) });
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
    expect(CACHE_ROW_VERSION).toBe(2);
    expect(await cache.get('old')).toBeUndefined();
    expect(await cache.get('new')).toBeDefined();
    cache.close();
  });
});
