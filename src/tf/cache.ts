/**
 * IndexedDB cache of downloaded weights, so a reload is instant and works offline. Keyed by where the weights
 * came from. It keeps the whole tfjs artifacts — topology, format, `userDefinedMetadata` (a fine-tuned model's
 * class names), weight specs and data — the fields tfjs' own `indexeddb://` handler keeps: a row that dropped the
 * topology or metadata would rebuild a fine-tuned model as the 1000-class preset and fail to load it.
 * Works in a worker; tests use fake-indexeddb.
 */
import * as tf from '@tensorflow/tfjs';

/** Rows written before the whole artifacts were kept (version 1) are ignored and replaced on the next download. */
export const CACHE_ROW_VERSION = 2;

export interface CachedArtifacts {
  readonly key: string;
  readonly version: number;
  readonly savedAt: number;
  readonly bytes: number;
  readonly artifacts: tf.io.ModelArtifacts;
}

const STORE = 'weights';

/** The fields of ModelArtifacts that are plain data (structured-clonable) and describe the model. */
const KEPT = [
  'modelTopology',
  'format',
  'generatedBy',
  'convertedBy',
  'trainingConfig',
  'signature',
  'userDefinedMetadata',
  'modelInitializer',
  'initializerSignature',
  'weightSpecs',
] as const satisfies readonly (keyof tf.io.ModelArtifacts)[];

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** One ArrayBuffer of weights (tfjs allows a list of buffers). */
function singleBuffer(d: tf.io.ModelArtifacts['weightData']): ArrayBuffer | undefined {
  if (d instanceof ArrayBuffer) return d;
  if (Array.isArray(d)) return tf.io.concatenateArrayBuffers(d);
  return undefined;
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

  /** The artifacts stored under `key`, as they were put; undefined when absent or written by an older version. */
  async get(key: string): Promise<tf.io.ModelArtifacts | undefined> {
    const db = await this.open();
    const row = (await req(db.transaction(STORE).objectStore(STORE).get(key))) as CachedArtifacts | undefined;
    if (!row || row.version !== CACHE_ROW_VERSION || !row.artifacts) return undefined;
    return row.artifacts;
  }

  async put(key: string, a: tf.io.ModelArtifacts): Promise<void> {
    const weightData = singleBuffer(a.weightData);
    if (!a.weightSpecs || !weightData) throw new Error(`only artifacts with weight specs and data are cached (key ${key})`);
    const artifacts: tf.io.ModelArtifacts = { weightData };
    for (const k of KEPT) if (a[k] !== undefined) Object.assign(artifacts, { [k]: a[k] });
    const db = await this.open();
    const row: CachedArtifacts = { key, version: CACHE_ROW_VERSION, savedAt: Date.now(), bytes: weightData.byteLength, artifacts };
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
