/**
 * Fine-tuned models kept in the browser under a name (IndexedDB), so they survive a reload: the whole tfjs
 * artifacts (topology, weight specs and data, `userDefinedMetadata` with the class names and input mode) plus
 * the spec, class names and the preset the model was built from — everything `planWeights` needs to rebuild it
 * exactly (src/tf/weights-source.ts). Same approach as the weights cache (src/tf/cache.ts): one object store,
 * plain structured-clonable rows, works in a worker; tests use fake-indexeddb.
 *
 * Nothing is lost by a failure: a write that does not fit (quota) aborts its transaction, so the older rows
 * stay as they were; a name already in use is refused unless `replace` is asked; a corrupt row is reported by
 * name on `get` and still listed (so it can be deleted).
 */
import type * as tf from '@tensorflow/tfjs';
import type { ArchSpec } from '../core';
import { singleBuffer } from './bytes';

/** Bumped when the row layout changes; rows of another version are listed as unreadable, never misread. */
export const KEPT_ROW_VERSION = 1;

/** What the list shows, without the weights. */
export interface KeptModelInfo {
  readonly name: string;
  readonly savedAt: number;
  /** Weight bytes. */
  readonly bytes: number;
  readonly classNames: readonly string[];
  /** The fine-tuned model's spec (its head included), for the diagram and for rebuilding. */
  readonly spec: ArchSpec;
  /** The preset the base was built from (`ResNet50`), as `planWeights` needs it. */
  readonly preset: string;
  /** Where the weights came from, in words (ModelInfo.weightsLabel). */
  readonly weightsLabel: string;
  /** Set when the row cannot be loaded: why. */
  readonly problem?: string;
}

export interface KeptModel extends KeptModelInfo {
  readonly artifacts: tf.io.ModelArtifacts;
}

interface Row extends Omit<KeptModel, 'problem'> {
  readonly version: number;
}

/** Names, quota, corrupt rows: the message says what happened and that nothing else changed. */
export class KeptModelError extends Error {
  override readonly name = 'KeptModelError';
}

const STORE = 'models';
/** Longest name accepted: it is shown in lists and buttons. */
export const MAX_NAME = 80;

/** The artifact fields worth keeping (cache.ts' list): plain data describing the model. */
const KEPT = ['modelTopology', 'format', 'generatedBy', 'convertedBy', 'trainingConfig', 'signature', 'userDefinedMetadata', 'weightSpecs'] as const satisfies readonly (keyof tf.io.ModelArtifacts)[];

/** Bytes per element of the dtypes tfjs layers models save. */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, float16: 2 };

/** A name to keep a model under: trimmed, 1…MAX_NAME characters. */
export function checkName(name: unknown): string {
  const n = typeof name === 'string' ? name.trim() : '';
  if (n.length === 0 || n.length > MAX_NAME) {
    throw new KeptModelError(`a kept model needs a name of 1 to ${MAX_NAME} characters; got ${JSON.stringify(name)}.`);
  }
  return n;
}

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new DOMException('IndexedDB write aborted', 'AbortError'));
  });
}

/** Why a write failed, in words: quota errors say how much was asked for. */
export function writeErrorMessage(e: unknown, name: string, bytes: number): string {
  const err = e as { name?: string; message?: string } | undefined;
  const mb = (bytes / 2 ** 20).toFixed(1);
  if (err?.name === 'QuotaExceededError') {
    return `not enough browser storage to keep "${name}" (${mb} MB of weights); delete kept models or free space. Nothing was changed.`;
  }
  return `could not keep "${name}" (${mb} MB): ${err?.name ?? 'Error'}: ${err?.message ?? String(e)}. Nothing was changed.`;
}

/** A row from a model to keep; checks the pieces fit together so a bad row is never written. */
export function toRow(m: Omit<KeptModel, 'savedAt' | 'bytes' | 'problem'>, savedAt = Date.now()): Row {
  const name = checkName(m.name);
  const weightData = singleBuffer(m.artifacts.weightData);
  if (!m.artifacts.weightSpecs || !weightData) throw new KeptModelError(`"${name}" has no weights to keep (weight specs or data missing).`);
  const artifacts: tf.io.ModelArtifacts = { weightData };
  for (const k of KEPT) if (m.artifacts[k] !== undefined) Object.assign(artifacts, { [k]: m.artifacts[k] });
  const row: Row = {
    version: KEPT_ROW_VERSION,
    name,
    savedAt,
    bytes: weightData.byteLength,
    classNames: [...m.classNames],
    spec: m.spec,
    preset: m.preset,
    weightsLabel: m.weightsLabel,
    artifacts,
  };
  const problem = rowProblem(row);
  if (problem) throw new KeptModelError(`"${name}" cannot be kept: ${problem}.`);
  return row;
}

/** What is wrong with a stored row, or undefined: version, class names, weight bytes against their specs. */
export function rowProblem(row: unknown): string | undefined {
  const r = row as Partial<Row> | undefined;
  if (!r || typeof r !== 'object') return `not a kept-model row (${typeof row})`;
  if (r.version !== KEPT_ROW_VERSION) return `written by another version of the app (row version ${String(r.version)}, this app reads ${KEPT_ROW_VERSION})`;
  if (!Array.isArray(r.classNames) || r.classNames.length < 2 || !r.classNames.every((c) => typeof c === 'string')) {
    return `its class names are missing or not a list of ≥ 2 names (${JSON.stringify(r.classNames)?.slice(0, 80)})`;
  }
  if (!r.spec || typeof r.spec !== 'object' || typeof r.preset !== 'string') return 'its architecture (spec, preset) is missing';
  if (r.spec.head?.classes !== r.classNames.length) return `its spec has ${r.spec.head?.classes} classes but ${r.classNames.length} class names`;
  const a = r.artifacts;
  if (!a?.modelTopology || !Array.isArray(a.weightSpecs) || !(a.weightData instanceof ArrayBuffer)) return 'its topology, weight specs or weight data are missing';
  const meta = (a.userDefinedMetadata as { classNames?: unknown } | undefined)?.classNames;
  if (!Array.isArray(meta) || meta.join('\u0000') !== r.classNames.join('\u0000')) return 'the class names in its model metadata differ from the listed ones';
  let want = 0;
  for (const w of a.weightSpecs) {
    const per = DTYPE_BYTES[w.dtype];
    if (!per || w.quantization) return `weight "${w.name}" has dtype ${w.dtype}${w.quantization ? ' (quantised)' : ''}, not a kept layout`;
    want += per * w.shape.reduce((x, y) => x * y, 1);
  }
  if (want !== a.weightData.byteLength) return `its weight data has ${a.weightData.byteLength} bytes but the specs need ${want}`;
  return undefined;
}

export class FinetunedStore {
  private db?: Promise<IDBDatabase>;

  constructor(
    private readonly idb: IDBFactory | undefined = globalThis.indexedDB,
    private readonly dbName = 'resnet-explorer-finetuned',
  ) {}

  get available(): boolean {
    return this.idb !== undefined;
  }

  private open(): Promise<IDBDatabase> {
    if (!this.idb) return Promise.reject(new KeptModelError('this browser offers no IndexedDB (a private window?): models cannot be kept here.'));
    this.db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const r = this.idb!.open(this.dbName, 1);
      r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: 'name' });
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(new KeptModelError(`could not open the kept-model store: ${r.error?.message ?? 'unknown error'}`));
    }).catch((e) => {
      this.db = undefined;
      throw e;
    });
    return this.db;
  }

  /** Keep a model. A taken name is refused unless `replace`; a failed write changes nothing. */
  async put(m: Omit<KeptModel, 'savedAt' | 'bytes' | 'problem'>, opts: { replace?: boolean } = {}): Promise<KeptModelInfo> {
    const row = toRow(m);
    const db = await this.open();
    if (!opts.replace) {
      const taken = await req(db.transaction(STORE).objectStore(STORE).getKey(row.name));
      if (taken !== undefined) throw new KeptModelError(`a model is already kept as "${row.name}"; choose another name or replace it.`);
    }
    try {
      const tx = db.transaction(STORE, 'readwrite');
      const finished = done(tx);
      finished.catch(() => undefined);
      tx.objectStore(STORE).put(row);
      await finished;
    } catch (e) {
      throw new KeptModelError(writeErrorMessage(e, row.name, row.bytes));
    }
    const { artifacts: _, version: __, ...info } = row;
    return info;
  }

  /** The kept model, checked; KeptModelError naming the problem when absent or corrupt. */
  async get(name: string): Promise<KeptModel> {
    const db = await this.open();
    const row = (await req(db.transaction(STORE).objectStore(STORE).get(name))) as Row | undefined;
    if (row === undefined) throw new KeptModelError(`no model is kept as "${name}" (deleted in another tab?).`);
    const problem = rowProblem(row);
    if (problem) throw new KeptModelError(`the kept model "${name}" cannot be loaded: ${problem}. Delete it; the other kept models are unaffected.`);
    const { version: _, ...m } = row;
    return m;
  }

  /** Every kept model without its weights, oldest first; unreadable rows are listed with their problem. */
  async list(): Promise<KeptModelInfo[]> {
    const db = await this.open();
    const out: KeptModelInfo[] = [];
    await new Promise<void>((resolve, reject) => {
      const cur = db.transaction(STORE).objectStore(STORE).openCursor();
      cur.onsuccess = () => {
        const c = cur.result;
        if (!c) return resolve();
        const v = c.value as Partial<Row>;
        const problem = rowProblem(v);
        out.push({
          name: String(c.key),
          savedAt: typeof v.savedAt === 'number' ? v.savedAt : 0,
          bytes: typeof v.bytes === 'number' ? v.bytes : 0,
          classNames: Array.isArray(v.classNames) ? v.classNames : [],
          spec: v.spec as ArchSpec,
          preset: typeof v.preset === 'string' ? v.preset : '',
          weightsLabel: typeof v.weightsLabel === 'string' ? v.weightsLabel : '',
          ...(problem ? { problem } : {}),
        });
        c.continue();
      };
      cur.onerror = () => reject(cur.error);
    });
    return out.sort((a, b) => a.savedAt - b.savedAt || a.name.localeCompare(b.name));
  }

  async delete(name: string): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).delete(name);
    await done(tx);
  }

  close(): void {
    void this.db?.then(
      (d) => d.close(),
      () => undefined,
    );
    this.db = undefined;
  }
}
