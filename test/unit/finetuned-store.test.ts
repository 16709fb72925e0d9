/**
 * Kept fine-tuned models (fake-indexeddb in Node): a fine-tuned ResNet-20 kept under a name comes back through
 * a fresh connection (as after a reload) and, rebuilt by the app's own load path (planWeights → buildModel),
 * predicts exactly as before; taken names, corrupt rows and quota failures give clear messages and lose nothing.
 */
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src/core';
import { buildModel } from '../../src/tf/build';
import { combinedModel, finetunedSpec } from '../../src/tf/finetune';
import { FinetunedStore, KEPT_ROW_VERSION, KeptModelError, rowProblem, toRow, writeErrorMessage } from '../../src/tf/finetuned-store';
import { initNodeBackend } from '../../src/tf/node-backend';
import { loadWeightsSource } from '../../src/tf/weights-source';

async function artifactsOf(model: tf.LayersModel, classNames: string[]): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return { ...saved!, userDefinedMetadata: { classNames } };
}

async function rawPut(dbName: string, row: unknown): Promise<void> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open(dbName, 1);
    r.onupgradeneeded = () => r.result.createObjectStore('models', { keyPath: 'name' });
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction('models', 'readwrite');
    tx.objectStore('models').put(row);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}

describe('FinetunedStore', () => {
  const classNames = ['cat', 'dog', 'emu'];
  const base = getPreset('ResNet-20');
  const spec = finetunedSpec(base, classNames.length);
  let tuned: tf.LayersModel;
  let baseModel: tf.LayersModel;
  let artifacts: tf.io.ModelArtifacts;
  let x: tf.Tensor4D;

  beforeAll(async () => {
    await initNodeBackend('cpu');
    baseModel = buildModel(base);
    // A trained head stands in for the fine-tuning: random but fixed weights.
    const head = { kind: 'dense' as const, dropout: 0, weights: [tf.randomNormal([64, 3], 0, 1, 'float32', 7), tf.tensor1d([0.1, -0.2, 0.3])] };
    tuned = combinedModel(baseModel, head, 'resnet_finetuned');
    tf.dispose(head.weights);
    artifacts = await artifactsOf(tuned, classNames);
    x = tf.randomUniform([2, ...base.input], -1, 1, 'float32', 3) as tf.Tensor4D;
  });
  afterAll(() => {
    tuned?.dispose();
    x?.dispose();
  });

  it('keeps a model under a name; after a new connection it rebuilds through the load path and predicts identically', async () => {
    const dbName = `kept-${Date.now()}`;
    const store = new FinetunedStore(indexedDB, dbName);
    const info = await store.put({ name: '  pets v1 ', classNames, spec, preset: base.name, weightsLabel: 'fine-tuned on 30 images', artifacts });
    expect(info).toMatchObject({ name: 'pets v1', classNames, preset: 'ResNet-20', bytes: (artifacts.weightData as ArrayBuffer).byteLength });
    store.close();

    const again = new FinetunedStore(indexedDB, dbName);
    expect(await again.list()).toEqual([expect.objectContaining({ name: 'pets v1', classNames, spec })]);
    expect((await again.list())[0].problem).toBeUndefined();
    const kept = await again.get('pets v1');
    const before = tuned.predict(x) as tf.Tensor;
    const tensorsBefore = tf.memory().numTensors;
    const loaded = await loadWeightsSource({ kind: 'tfjs', artifacts: kept.artifacts, preset: kept.preset, label: 'kept "pets v1"' });
    expect(loaded.weights.labels).toEqual(classNames);
    expect(loaded.spec.head.classes).toBe(3);
    const after = loaded.model.predict(x) as tf.Tensor;
    expect(Array.from(await after.data())).toEqual(Array.from(await before.data()));
    tf.dispose([before, after]);
    loaded.model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore - 1);

    await again.delete('pets v1');
    expect(await again.list()).toEqual([]);
    await expect(again.get('pets v1')).rejects.toThrow(/no model is kept as "pets v1"/);
    again.close();
  });

  it('a kept Keras-tutorial head (Dense(2048, relu) + dropout + Dense(N)) rebuilds with fc1 and predicts identically', async () => {
    const b = buildModel(base);
    const head = {
      kind: 'dense2048' as const,
      dropout: 0.25,
      weights: [tf.randomNormal([64, 2048], 0, 0.05, 'float32', 1), tf.zeros([2048]), tf.randomNormal([2048, 3], 0, 0.05, 'float32', 2), tf.zeros([3])],
    };
    const m = combinedModel(b, head, 'resnet_finetuned');
    tf.dispose(head.weights);
    const store = new FinetunedStore(indexedDB, `fc1-${Date.now()}`);
    await store.put({ name: 'tutorial', classNames, spec, preset: base.name, weightsLabel: 'fc1', artifacts: await artifactsOf(m, classNames) });
    const kept = await new FinetunedStore(indexedDB, (store as unknown as { dbName: string }).dbName).get('tutorial');
    const loaded = await loadWeightsSource({ kind: 'tfjs', artifacts: kept.artifacts, preset: kept.preset, label: 'kept' });
    expect(loaded.model.layers.map((l) => l.name).slice(-3)).toEqual(['fc1', 'dropout', 'predictions']);
    const [a, c] = [m.predict(x) as tf.Tensor, loaded.model.predict(x) as tf.Tensor];
    expect(Array.from(await c.data())).toEqual(Array.from(await a.data()));
    tf.dispose([a, c]);
    loaded.model.dispose();
    m.dispose();
    store.close();
  });

  it('refuses a taken name unless replacing, and bad names, without touching the kept row', async () => {
    const store = new FinetunedStore(indexedDB, `names-${Date.now()}`);
    const m = { name: 'a', classNames, spec, preset: base.name, weightsLabel: 'first', artifacts };
    await store.put(m);
    await expect(store.put({ ...m, weightsLabel: 'second' })).rejects.toThrow(/already kept as "a"; choose another name or replace it/);
    expect((await store.get('a')).weightsLabel).toBe('first');
    await store.put({ ...m, weightsLabel: 'second' }, { replace: true });
    expect((await store.get('a')).weightsLabel).toBe('second');
    await expect(store.put({ ...m, name: '   ' })).rejects.toThrow(KeptModelError);
    await expect(store.put({ ...m, name: 'x'.repeat(81) })).rejects.toThrow(/name of 1 to 80 characters/);
    expect((await store.list()).map((r) => r.name)).toEqual(['a']);
    store.close();
  });

  it('lists a corrupt row with its problem, refuses to load it by name, and keeps the others loadable', async () => {
    const dbName = `corrupt-${Date.now()}`;
    const store = new FinetunedStore(indexedDB, dbName);
    await store.put({ name: 'good', classNames, spec, preset: base.name, weightsLabel: 'ok', artifacts });
    const row = toRow({ name: 'cut', classNames, spec, preset: base.name, weightsLabel: 'ok', artifacts });
    await rawPut(dbName, { ...row, artifacts: { ...row.artifacts, weightData: row.artifacts.weightData!.slice(0, 100) } });
    await rawPut(dbName, { name: 'old', version: KEPT_ROW_VERSION + 1 });
    const list = await store.list();
    expect(list.find((r) => r.name === 'cut')?.problem).toMatch(/weight data has 100 bytes but the specs need \d+/);
    expect(list.find((r) => r.name === 'old')?.problem).toMatch(/another version of the app \(row version 2/);
    expect(list.find((r) => r.name === 'good')?.problem).toBeUndefined();
    await expect(store.get('cut')).rejects.toThrow(/the kept model "cut" cannot be loaded: its weight data has 100 bytes.*Delete it; the other kept models are unaffected/);
    expect((await store.get('good')).classNames).toEqual(classNames);
    await store.delete('cut');
    expect((await store.list()).map((r) => r.name).sort()).toEqual(['good', 'old']);
    store.close();
  });

  it('a write that fails (quota) rejects with a clear message and leaves the existing rows', async () => {
    const dbName = `quota-${Date.now()}`;
    const store = new FinetunedStore(indexedDB, dbName);
    await store.put({ name: 'kept', classNames, spec, preset: base.name, weightsLabel: 'ok', artifacts });
    // An IDBFactory whose object stores refuse writes as Chromium does past the quota.
    const refusing = new Proxy(indexedDB, {
      get(target, p) {
        if (p !== 'open') return Reflect.get(target, p);
        return (name: string, v?: number) => {
          const r = target.open(name, v);
          r.addEventListener('success', () => {
            const db = r.result;
            const tx = db.transaction.bind(db);
            db.transaction = ((s: string | string[], mode?: IDBTransactionMode) => {
              const t = tx(s, mode);
              if (mode === 'readwrite') {
                const os = t.objectStore.bind(t);
                t.objectStore = ((n: string) => {
                  const o = os(n);
                  o.put = () => {
                    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
                  };
                  return o;
                }) as typeof t.objectStore;
              }
              return t;
            }) as typeof db.transaction;
          });
          return r;
        };
      },
    });
    const full = new FinetunedStore(refusing, dbName);
    await expect(full.put({ name: 'new', classNames, spec, preset: base.name, weightsLabel: 'x', artifacts })).rejects.toThrow(
      /not enough browser storage to keep "new" \([\d.]+ MB of weights\); delete kept models or free space\. Nothing was changed\./,
    );
    full.close();
    expect((await store.list()).map((r) => r.name)).toEqual(['kept']);
    expect(writeErrorMessage(new Error('boom'), 'n', 2 ** 20)).toBe('could not keep "n" (1.0 MB): Error: boom. Nothing was changed.');
    store.close();
  });

  it('checks rows before writing: class names that disagree with the metadata are refused', () => {
    expect(() => toRow({ name: 'x', classNames: ['a', 'b', 'c'], spec, preset: base.name, weightsLabel: '', artifacts })).toThrow(
      /class names in its model metadata differ/,
    );
    expect(rowProblem(undefined)).toMatch(/not a kept-model row/);
  });
});
