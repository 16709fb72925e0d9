/**
 * The IndexedDB weights cache (fake-indexeddb in Node): whole artifacts back as they went in, weights given as
 * several buffers joined, the weights stored as a Blob beside the rest (layout 3), rows of layout 2 (weights
 * inside the row) still read, of layout 1 (weights only) ignored, a damaged row rejected, list and delete.
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
    expect(await cache.get('old')).toBeUndefined();
    expect(await cache.get('new')).toBeDefined();
    cache.close();
  });

  it('stores the weights as a Blob beside the rest of the artifacts (layout 3)', async () => {
    const name = `blob-${Date.now()}`;
    const cache = new WeightsCache(indexedDB, name);
    await cache.put('k', artifacts());
    const db = await openDb(name);
    const row = await rawGet(db, 'k');
    db.close();
    expect(CACHE_ROW_VERSION).toBe(3);
    expect(row.version).toBe(3);
    expect(row.weights).toBeInstanceOf(Blob);
    expect((row.weights as Blob).size).toBe(16);
    expect(row.artifacts.weightData).toBeUndefined();
    expect(row.artifacts.userDefinedMetadata).toEqual({ classNames: ['cat', 'dog'] });
    cache.close();
  });

  it('still reads rows of layout 2 (weights inside the row), so an offline reload keeps working, and rewrites them as layout 3', async () => {
    const name = `v2-${Date.now()}`;
    const cache = new WeightsCache(indexedDB, name);
    await cache.put('new', artifacts()); // creates the store
    const db = await openDb(name);
    await rawPut(db, { key: 'v2', version: 2, savedAt: 0, bytes: 16, artifacts: artifacts() });
    await rawPut(db, { key: 'v9', version: 9, savedAt: 0, bytes: 16, artifacts: artifacts() });
    db.close();
    const got = await cache.get('v2');
    const { weightData, ...rest } = artifacts();
    expect(got).toMatchObject(rest);
    expect(Array.from(new Float32Array(got!.weightData as ArrayBuffer))).toEqual(Array.from(new Float32Array(weightData as ArrayBuffer)));
    // The start-up helper transfers the buffer away at once, while the rewrite runs: the rewrite copied it already.
    structuredClone(got!.weightData, { transfer: [got!.weightData as ArrayBuffer] });
    expect((got!.weightData as ArrayBuffer).byteLength).toBe(0);
    // An unknown layout is a miss (download again), never a crash.
    expect(await cache.get('v9')).toBeUndefined();
    // The layout-2 row is rewritten as layout 3, same bytes.
    await cache.upgrading;
    const db2 = await openDb(name);
    const row = await rawGet(db2, 'v2');
    db2.close();
    expect(row.version).toBe(3);
    expect(row.weights).toBeInstanceOf(Blob);
    expect(Array.from(new Float32Array((await cache.get('v2'))!.weightData as ArrayBuffer))).toEqual([1, 2, 3, 4]);
    cache.close();
  });

  it('rejects a row whose weights are not the size it records (the caller downloads again)', async () => {
    const name = `short-${Date.now()}`;
    const cache = new WeightsCache(indexedDB, name);
    await cache.put('k', artifacts());
    const db = await openDb(name);
    const row = await rawGet(db, 'k');
    await rawPut(db, { ...row, weights: new Blob([new ArrayBuffer(12)]) });
    db.close();
    await expect(cache.get('k')).rejects.toThrow(/the cached weights of k hold 12 bytes; the row says 16/);
    cache.close();
  });
});

function openDb(name: string): Promise<IDBDatabase> {
  return new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open(name, 1);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

// biome-ignore lint/suspicious/noExplicitAny: a raw row of any layout
function rawGet(db: IDBDatabase, key: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const r = db.transaction('weights').objectStore('weights').get(key);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function rawPut(db: IDBDatabase, row: object): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const tx = db.transaction('weights', 'readwrite');
    tx.objectStore('weights').put(row);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}
