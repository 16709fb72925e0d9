/**
 * IndexedDB cache of downloaded weights, so a reload is instant and works offline. Keyed by where the weights
 * came from. It keeps the whole tfjs artifacts — topology, format, `userDefinedMetadata` (a fine-tuned model's
 * class names), weight specs and data — the fields tfjs' own `indexeddb://` handler keeps: a row that dropped the
 * topology or metadata would rebuild a fine-tuned model as the 1000-class preset and fail to load it.
 * Works in a worker; tests use fake-indexeddb. No tfjs code here (types only): the model worker reads the cache
 * while tfjs is still loading (src/worker/model.worker.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import { singleBuffer, sourceBlobOf } from './bytes';
import { WeightsFormatError } from './errors';

/**
 * Row layouts:
 *   1  weights only: ignored (a fine-tuned model's class names were lost), replaced on the next download;
 *   2  the whole artifacts, weights as an ArrayBuffer inside the row: still read (offline), and rewritten as 3;
 *   3  the artifacts without weights, the weights as a Blob beside them: written now. Chromium reads a 51 MB
 *      ArrayBuffer value in ≈2 s but the same bytes as a Blob
 *      through Blob.arrayBuffer() in ≈0.5 s (measured on this machine, busy, medians of 5: 2.0 s vs 0.48 s;
 *      issue 11, reload → ready).
 */
export const CACHE_ROW_VERSION = 3;

export interface CachedArtifacts {
  readonly key: string;
  readonly version: number;
  readonly savedAt: number;
  readonly bytes: number;
  /** Version 3: without weightData (that is `weights`); version 2: with it. */
  readonly artifacts: tf.io.ModelArtifacts;
  /** Version 3: the weight bytes. */
  readonly weights?: Blob;
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

export class WeightsCache {
  private db?: Promise<IDBDatabase>;
  /** The last rewrite of a layout-2 row as layout 3 (tests wait for it); it never rejects. */
  upgrading: Promise<void> = Promise.resolve();

  /**
   * @param readBlob how a row's weights Blob becomes bytes (default `Blob.arrayBuffer()` on this thread; the model
   *   worker has a helper thread do it, src/worker/startup-helper.ts).
   */
  constructor(
    private readonly idb: IDBFactory | undefined = globalThis.indexedDB,
    private readonly name = 'resnet-explorer-weights',
    private readonly readBlob: (b: Blob) => Promise<ArrayBuffer> = (b) => b.arrayBuffer(),
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

  /**
   * The artifacts stored under `key`, as they were put (weights as one ArrayBuffer); undefined when absent or
   * written in layout 1 or in an unknown one. Rejects when the browser cannot read the stored weights back.
   */
  async get(key: string): Promise<tf.io.ModelArtifacts | undefined> {
    const db = await this.open();
    const row = (await req(db.transaction(STORE).objectStore(STORE).get(key))) as CachedArtifacts | undefined;
    if (!row?.artifacts) return undefined;
    if (row.version === 2) {
      if (!(row.artifacts.weightData instanceof ArrayBuffer)) return undefined;
      // Rewritten as layout 3 so the next reload reads the faster way; a failed write leaves the old row.
      this.upgrading = this.put(key, row.artifacts).catch(() => undefined);
      return row.artifacts;
    }
    if (row.version !== CACHE_ROW_VERSION || !(row.weights instanceof Blob)) return undefined;
    const weightData = await this.readBlob(row.weights);
    if (weightData.byteLength !== row.bytes) {
      throw new WeightsFormatError(`the cached weights of ${key} hold ${weightData.byteLength} bytes; the row says ${row.bytes} (a damaged row: the weights are downloaded again).`);
    }
    return { ...row.artifacts, weightData };
  }

  async put(key: string, a: tf.io.ModelArtifacts): Promise<void> {
    const weightData = singleBuffer(a.weightData);
    if (!a.weightSpecs || !weightData) throw new Error(`only artifacts with weight specs and data are cached (key ${key})`);
    const artifacts: tf.io.ModelArtifacts = {};
    for (const k of KEPT) if (a[k] !== undefined) Object.assign(artifacts, { [k]: a[k] });
    // A download kept as Blobs is stored as it is: its bytes need not come out of this thread again. Otherwise the
    // bytes are copied into the Blob now, before the first await: a caller may transfer the buffer meanwhile (the
    // start-up helper hands a legacy row's buffer over while its rewrite runs).
    const weights = sourceBlobOf(weightData) ?? new Blob([weightData]);
    const row: CachedArtifacts = { key, version: CACHE_ROW_VERSION, savedAt: Date.now(), bytes: weightData.byteLength, artifacts, weights };
    const db = await this.open();
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
