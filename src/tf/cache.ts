/**
 * IndexedDB cache of downloaded weights (tfjs artifacts: weight specs + one ArrayBuffer), so a reload is
 * instant and works offline. Keyed by where the weights came from. Works in a worker; tests use fake-indexeddb.
 */
import type * as tf from '@tensorflow/tfjs';

export interface CachedArtifacts {
  readonly key: string;
  readonly savedAt: number;
  readonly bytes: number;
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  readonly weightData: ArrayBuffer;
  readonly format?: string;
}

const STORE = 'weights';

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

export class WeightsCache {
  private db?: Promise<IDBDatabase>;

  constructor(
    private readonly idb: IDBFactory | undefined = globalThis.indexedDB,
    private readonly name = 'resnet-explorer-weights',
  ) {}

  get available(): boolean {
    return this.idb !== undefined;
  }

  private open(): Promise<IDBDatabase> {
    if (!this.idb) return Promise.reject(new Error('IndexedDB is not available'));
    this.db ??= new Promise((resolve, reject) => {
      const r = this.idb!.open(this.name, 1);
      r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: 'key' });
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    return this.db;
  }

  async get(key: string): Promise<tf.io.ModelArtifacts | undefined> {
    const db = await this.open();
    const row = (await req(db.transaction(STORE).objectStore(STORE).get(key))) as CachedArtifacts | undefined;
    if (!row) return undefined;
    return { weightSpecs: row.weightSpecs, weightData: row.weightData, format: row.format };
  }

  async put(key: string, a: tf.io.ModelArtifacts): Promise<void> {
    if (!a.weightSpecs || !(a.weightData instanceof ArrayBuffer)) throw new Error('only single-buffer artifacts are cached');
    const db = await this.open();
    const row: CachedArtifacts = {
      key,
      savedAt: Date.now(),
      bytes: a.weightData.byteLength,
      weightSpecs: a.weightSpecs,
      weightData: a.weightData,
      format: a.format,
    };
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put(row);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted (storage quota?)'));
    });
  }

  async delete(key: string): Promise<void> {
    const db = await this.open();
    await req(db.transaction(STORE, 'readwrite').objectStore(STORE).delete(key));
  }

  /** Keys and sizes, without loading the weights. */
  async list(): Promise<{ key: string; bytes: number; savedAt: number }[]> {
    const db = await this.open();
    const out: { key: string; bytes: number; savedAt: number }[] = [];
    await new Promise<void>((resolve, reject) => {
      const cur = db.transaction(STORE).objectStore(STORE).openCursor();
      cur.onsuccess = () => {
        const c = cur.result;
        if (!c) return resolve();
        const v = c.value as CachedArtifacts;
        out.push({ key: v.key, bytes: v.bytes, savedAt: v.savedAt });
        c.continue();
      };
      cur.onerror = () => reject(cur.error);
    });
    return out;
  }

  close(): void {
    void this.db?.then((d) => d.close());
    this.db = undefined;
  }
}
