/**
 * tfjs layers-model artifacts (model.json + binary shards) from bytes, a URL or a multi-file pick, without
 * tfjs' own file:// handler (which needs tfjs-node). Shards are concatenated in `weightsManifest[].paths` order:
 * an alphabetical sort (shard10 before shard2) loads without error and gives NaN everywhere.
 */
import type * as tf from '@tensorflow/tfjs';
import { concatBytes, rememberSourceBlob } from './bytes';
import { CancelledError, FetchError, WeightsFormatError } from './errors';
import { unzipToBlobs } from './model-zip';

export interface WeightsManifestGroup {
  readonly paths: readonly string[];
  readonly weights: readonly tf.io.WeightsManifestEntry[];
}

export interface ModelJson {
  readonly format?: string;
  readonly modelTopology?: unknown;
  readonly weightsManifest: readonly WeightsManifestGroup[];
  /** Free-form metadata (a fine-tuned model's class names). */
  readonly userDefinedMetadata?: Record<string, unknown>;
}

/** Bytes a weight entry occupies (float32/int32 = 4, bool/uint8 = 1; quantized entries use their dtype). */
function entryBytes(e: tf.io.WeightsManifestEntry): number {
  const n = e.shape.reduce((a, b) => a * b, 1);
  const q = e.quantization;
  if (q) return n * (q.dtype === 'float16' || q.dtype === 'uint16' ? 2 : 1);
  return n * (e.dtype === 'bool' || e.dtype === 'string' ? 1 : 4);
}

/** Parse and check a model.json. `source` names the file or URL in messages. */
export function parseModelJson(text: string, source: string): ModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new WeightsFormatError(
      `${source} is not valid JSON (${text.length} characters; truncated or not a model.json?): ${why}`,
    );
  }
  const m = json as Partial<ModelJson> | null;
  if (!m || typeof m !== 'object' || !Array.isArray(m.weightsManifest)) {
    throw new WeightsFormatError(
      `${source} is not a tfjs layers model: it has no "weightsManifest" array (keys: ${m && typeof m === 'object' ? Object.keys(m).join(', ') || 'none' : typeof m}).`,
    );
  }
  for (const g of m.weightsManifest) {
    if (!g || !Array.isArray(g.paths) || !Array.isArray(g.weights)) {
      throw new WeightsFormatError(`${source}: every weightsManifest group needs "paths" and "weights" arrays.`);
    }
  }
  return m as ModelJson;
}

/** Total weight bytes the manifest describes. */
export function manifestBytes(m: ModelJson): number {
  return m.weightsManifest.reduce((a, g) => a + g.weights.reduce((b, e) => b + entryBytes(e), 0), 0);
}

/** Shard paths in the order their bytes must be concatenated. */
export function shardPaths(m: ModelJson): string[] {
  return m.weightsManifest.flatMap((g) => [...g.paths]);
}

/**
 * Artifacts from a model.json and its shards (already in manifest order); a shard may come as the chunks it
 * arrived in (copied once, straight into the weights buffer).
 */
export function toArtifacts(m: ModelJson, shards: readonly (ArrayBuffer | readonly Uint8Array[])[], source: string): tf.io.ModelArtifacts {
  const parts = shards.flatMap((s) => (s instanceof ArrayBuffer ? [new Uint8Array(s)] : s));
  const total = parts.reduce((a, s) => a + s.byteLength, 0);
  const want = manifestBytes(m);
  if (total !== want) {
    throw new WeightsFormatError(
      `${source}: the shards hold ${total} bytes but the manifest describes ${want} bytes (a shard is missing, truncated or from another model).`,
    );
  }
  // One whole buffer (a download read from its Blob at once) is taken as it is: a copy was 49 MB more of fresh memory.
  const one = shards.length === 1 && shards[0] instanceof ArrayBuffer ? shards[0] : undefined;
  const data = one ?? concatBytes(parts).buffer;
  return {
    modelTopology: m.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    format: m.format,
    weightSpecs: m.weightsManifest.flatMap((g) => [...g.weights]),
    weightData: data,
    ...(m.userDefinedMetadata && typeof m.userDefinedMetadata === 'object' ? { userDefinedMetadata: m.userDefinedMetadata as Record<string, object> } : {}),
  };
}

export interface FetchOptions {
  readonly signal?: AbortSignal;
  /** Bytes loaded so far and the total the manifest promises. */
  readonly onProgress?: (loaded: number, total: number) => void;
  readonly fetch?: typeof fetch;
  /**
   * How shard bodies are read:
   * - 'stream': chunk by chunk into this thread's memory, with progress for every chunk;
   * - 'blob': each shard as a Blob (`Response.blob()`), which Chromium fills in its own process from the network
   *   without passing the bytes through this thread; all are read at once at the end. Progress per shard.
   * - 'auto' (default): the first shard streamed, the rest as Blobs when it arrived at ≥ 8 MB/s. On a slow link
   *   chunk progress matters and the copying is cheap beside the wait; on a fast one the copying is what costs.
   * Measured in a Chromium worker, 13 shards / 49 MB from a local server, 4 in flight: streamed 1.25–1.35 s,
   * as Blobs 0.47–0.52 s, as Blobs then read into memory 0.76–0.81 s (issue 11).
   */
  readonly bodies?: 'stream' | 'blob' | 'auto';
  /** The 'auto' threshold in bytes per second (default BLOB_BYTES_PER_SECOND; tests serve small shards). */
  readonly blobAbove?: number;
}

/** From this rate on ('auto'), shards are fetched as Blobs; below it, streamed for chunk-by-chunk progress. */
export const BLOB_BYTES_PER_SECOND = 8e6;

async function get(url: string, opts: FetchOptions): Promise<Response> {
  const f = opts.fetch ?? fetch;
  let res: Response;
  try {
    // no-store: the app keeps the weights in IndexedDB itself; a second copy in the HTTP cache cost the download time.
    res = await f(url, { signal: opts.signal, cache: 'no-store' });
  } catch (e) {
    if (opts.signal?.aborted) throw new CancelledError('download');
    const why = e instanceof Error ? e.message : String(e);
    throw new FetchError(`could not fetch ${url}: ${why} (offline, wrong address, or the server does not allow cross-origin requests)`);
  }
  if (!res.ok) throw new FetchError(`could not fetch ${url}: HTTP ${res.status} ${res.statusText}`.trim());
  return res;
}

/**
 * Read a body chunk by chunk so progress is reported and cancellation is prompt. The chunks are returned as they
 * came: `toArtifacts` copies them once into the weights buffer (a shard-sized copy first was 49 MB more of fresh
 * memory per load, issue 11).
 */
async function readBody(res: Response, onChunk: (n: number) => void, signal?: AbortSignal): Promise<Uint8Array[]> {
  if (!res.body) {
    const b = await res.arrayBuffer();
    onChunk(b.byteLength);
    return [new Uint8Array(b)];
  }
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  for (;;) {
    if (signal?.aborted) {
      await reader.cancel();
      throw new CancelledError('download');
    }
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    onChunk(value.byteLength);
  }
  return parts;
}

/** A shard's body as a Blob; an abort while it arrives is a cancel, anything else a failed fetch. */
async function readBlobBody(res: Response, url: string, signal?: AbortSignal): Promise<Blob> {
  try {
    return await res.blob();
  } catch (e) {
    if (signal?.aborted) throw new CancelledError('download');
    throw new FetchError(`could not fetch ${url}: the body broke off (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Fetch a layers model from the URL of its model.json; shards are resolved relative to it. */
export async function fetchLayersModel(url: string, opts: FetchOptions = {}): Promise<tf.io.ModelArtifacts> {
  const res = await get(url, opts);
  const m = parseModelJson(await res.text(), url);
  const total = manifestBytes(m);
  let loaded = 0;
  const progress = (n: number) => {
    loaded += n;
    opts.onProgress?.(loaded, total);
  };
  opts.onProgress?.(0, total);
  const base = new URL(url, typeof location !== 'undefined' ? location.href : undefined);
  const paths = shardPaths(m);
  const shards: (readonly Uint8Array[] | Blob)[] = new Array(paths.length);
  const bodies = opts.bodies ?? 'auto';
  let asBlobs = bodies === 'blob';
  /** Fetches shard i; returns its bytes per second, request included. */
  const fetchShard = async (i: number): Promise<number> => {
    const shardUrl = new URL(paths[i], base).href;
    const t0 = performance.now();
    const r = await get(shardUrl, opts);
    let bytes: number;
    if (asBlobs) {
      const b = await readBlobBody(r, shardUrl, opts.signal);
      shards[i] = b;
      bytes = b.size;
      progress(bytes);
    } else {
      const parts = await readBody(r, progress, opts.signal);
      shards[i] = parts;
      bytes = parts.reduce((a, p) => a + p.byteLength, 0);
    }
    return bytes / (Math.max(1, performance.now() - t0) / 1000);
  };
  let next = 0;
  if (bodies === 'auto' && paths.length > 1) {
    asBlobs = (await fetchShard(next++)) >= (opts.blobAbove ?? BLOB_BYTES_PER_SECOND);
  }
  // A few shards in flight hide per-request latency on real networks; results keep manifest order by index.
  const worker = async () => {
    while (next < paths.length) {
      const i = next++;
      try {
        await fetchShard(i);
      } catch (e) {
        next = paths.length; // the load has failed: the other workers stop after their current shard
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, paths.length - next) }, worker));
  if (!shards.some((s) => s instanceof Blob)) return toArtifacts(m, shards as (readonly Uint8Array[])[], url);
  const blob = new Blob(shards.flatMap((s): BlobPart[] => (s instanceof Blob ? [s] : (s as Uint8Array<ArrayBuffer>[]))));
  if (blob.size !== total) {
    throw new WeightsFormatError(`${url}: the shards hold ${blob.size} bytes but the manifest describes ${total} bytes (a shard is missing, truncated or from another model).`);
  }
  const data = await blob.arrayBuffer();
  const artifacts = toArtifacts(m, [data], url);
  rememberSourceBlob(artifacts.weightData as ArrayBuffer, blob);
  return artifacts;
}

/** A named blob: a browser File, or anything with a name and bytes (tests, Node). */
export interface NamedBlob {
  readonly name: string;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
}

/**
 * Artifacts from a multi-file pick: one `*.json` plus every shard it names (matched by file name). A picked
 * `.zip` (this app's model download) counts as the files inside it.
 */
export async function layersModelFromFiles(picked: readonly NamedBlob[]): Promise<tf.io.ModelArtifacts> {
  const files: NamedBlob[] = [];
  for (const f of picked) {
    if (f.name.toLowerCase().endsWith('.zip')) files.push(...unzipToBlobs(new Uint8Array(await f.arrayBuffer()), f.name));
    else files.push(f);
  }
  const jsons = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  if (jsons.length !== 1) {
    throw new WeightsFormatError(
      `pick exactly one model.json with its .bin shards; got ${jsons.length} JSON files among ${files.map((f) => f.name).join(', ') || 'no files'}.`,
    );
  }
  const m = parseModelJson(await jsons[0].text(), jsons[0].name);
  const byName = new Map(files.map((f) => [f.name, f]));
  const shards: ArrayBuffer[] = [];
  for (const p of shardPaths(m)) {
    const base = p.split('/').pop()!;
    const f = byName.get(base);
    if (!f) throw new WeightsFormatError(`${jsons[0].name} needs the shard "${base}", which was not picked.`);
    shards.push(await f.arrayBuffer());
  }
  return toArtifacts(m, shards, jsons[0].name);
}
