/**
 * How a download's shard bodies are read (src/tf/layers-model-io.ts `bodies`): streamed chunk by chunk, or as
 * Blobs read once at the end — the same bytes either way; 'auto' streams the first shard and keeps the rest as
 * Blobs only when it came fast; a cancel while a Blob arrives is a CancelledError; the cache stores the download's
 * own Blob (src/tf/cache.ts).
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { rememberSourceBlob, sourceBlobOf } from '../../src/tf/bytes';
import { WeightsCache } from '../../src/tf/cache';
import { CancelledError, FetchError, WeightsFormatError } from '../../src/tf/errors';
import { BLOB_BYTES_PER_SECOND, fetchLayersModel } from '../../src/tf/layers-model-io';

const BASE = 'https://example.invalid/w/';
const SHARD_BYTES = 4000;
const SHARDS = 3;
const BYTES = new Uint8Array(SHARD_BYTES * SHARDS).map((_, i) => (i * 7) % 253);
const MODEL_JSON = JSON.stringify({
  format: 'layers-model',
  modelTopology: {},
  weightsManifest: [
    {
      paths: Array.from({ length: SHARDS }, (_, i) => `group1-shard${i + 1}of${SHARDS}.bin`),
      weights: [{ name: 'w', shape: [(SHARD_BYTES * SHARDS) / 4], dtype: 'float32' }],
    },
  ],
});

/**
 * A server of the three shards in 500-byte chunks; `delayMs` between chunks (a slow link); records how each body
 * was read ('blob' when Response.blob() was called on it, else 'stream').
 */
function server(opts: { delayMs?: number; stall?: boolean; truncate?: boolean } = {}) {
  const reads: string[] = [];
  const signals: AbortSignal[] = [];
  const fetchImpl: typeof fetch = async (u, init) => {
    const url = String(u);
    if (url.endsWith('model.json')) return new Response(MODEL_JSON);
    const i = Number(/shard(\d+)of/.exec(url)?.[1]) - 1;
    const bytes = BYTES.slice(i * SHARD_BYTES, (i + 1) * SHARD_BYTES - (opts.truncate && i === SHARDS - 1 ? 10 : 0));
    const signal = init?.signal;
    if (signal) signals.push(signal);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(ctl) {
        if (opts.stall && sent > 0) await new Promise<void>((r) => signal?.addEventListener('abort', () => r(), { once: true }));
        else if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
        if (signal?.aborted) return ctl.error(new DOMException('aborted', 'AbortError'));
        ctl.enqueue(bytes.slice(sent, sent + 500));
        sent += 500;
        if (sent >= bytes.length) ctl.close();
      },
    });
    const res = new Response(body);
    const blob = res.blob.bind(res);
    reads[i] = 'stream';
    res.blob = () => {
      reads[i] = 'blob';
      return blob();
    };
    return res;
  };
  return { fetchImpl, reads, signals };
}

describe('download bodies', () => {
  it("'stream' and 'blob' give the same bytes; a Blob download reports progress per shard and remembers its Blob", async () => {
    const streamed = server();
    const progressStreamed: number[] = [];
    const a = await fetchLayersModel(`${BASE}model.json`, { fetch: streamed.fetchImpl, bodies: 'stream', onProgress: (l) => progressStreamed.push(l) });
    expect(streamed.reads).toEqual(['stream', 'stream', 'stream']);
    expect(new Uint8Array(a.weightData as ArrayBuffer)).toEqual(BYTES);
    expect(progressStreamed.length).toBeGreaterThan(SHARDS * 2); // every 500-byte chunk
    expect(sourceBlobOf(a.weightData as ArrayBuffer)).toBeUndefined();

    const blobs = server();
    const progress: number[] = [];
    const b = await fetchLayersModel(`${BASE}model.json`, { fetch: blobs.fetchImpl, bodies: 'blob', onProgress: (l) => progress.push(l) });
    expect(blobs.reads).toEqual(['blob', 'blob', 'blob']);
    expect(new Uint8Array(b.weightData as ArrayBuffer)).toEqual(BYTES);
    expect(progress).toEqual([0, 4000, 8000, 12000]);
    const source = sourceBlobOf(b.weightData as ArrayBuffer);
    expect(source).toBeInstanceOf(Blob);
    expect(new Uint8Array(await source!.arrayBuffer())).toEqual(BYTES);
  });

  it("'auto' streams the first shard and takes the rest as Blobs only when it came fast", async () => {
    // Small shards: a threshold of 20 kB/s (4000 bytes in 0.2 s) stands for the real 8 MB/s.
    const blobAbove = 20_000;
    expect(blobAbove).toBeLessThan(BLOB_BYTES_PER_SECOND);
    const fast = server();
    const a = await fetchLayersModel(`${BASE}model.json`, { fetch: fast.fetchImpl, blobAbove });
    expect(fast.reads).toEqual(['stream', 'blob', 'blob']);
    expect(new Uint8Array(a.weightData as ArrayBuffer)).toEqual(BYTES); // streamed chunks + Blobs, in order
    expect(new Uint8Array(await sourceBlobOf(a.weightData as ArrayBuffer)!.arrayBuffer())).toEqual(BYTES);

    // 8 chunks × 50 ms for 4000 bytes: ≤ 10 kB/s.
    const slow = server({ delayMs: 50 });
    const b = await fetchLayersModel(`${BASE}model.json`, { fetch: slow.fetchImpl, blobAbove });
    expect(slow.reads).toEqual(['stream', 'stream', 'stream']);
    expect(new Uint8Array(b.weightData as ArrayBuffer)).toEqual(BYTES);
  });

  it('a cancel while Blobs arrive is a CancelledError and aborts every request; a short shard is refused', async () => {
    const s = server({ stall: true });
    const ctl = new AbortController();
    const loading = fetchLayersModel(`${BASE}model.json`, { fetch: s.fetchImpl, bodies: 'blob', signal: ctl.signal });
    const failed = expect(loading).rejects.toThrow(CancelledError);
    await expect.poll(() => s.signals.length).toBe(SHARDS);
    ctl.abort();
    await failed;
    expect(s.signals.every((x) => x.aborted)).toBe(true);

    const short = server({ truncate: true });
    await expect(fetchLayersModel(`${BASE}model.json`, { fetch: short.fetchImpl, bodies: 'blob' })).rejects.toThrow(WeightsFormatError);
    await expect(fetchLayersModel(`${BASE}model.json`, { fetch: short.fetchImpl, bodies: 'blob' })).rejects.toThrow(/11990 bytes but the manifest describes 12000/);
  });

  it('a body that breaks off is a FetchError naming the shard', async () => {
    const broken: typeof fetch = async (u) => {
      if (String(u).endsWith('model.json')) return new Response(MODEL_JSON);
      const body = new ReadableStream<Uint8Array>({
        start(ctl) {
          ctl.enqueue(BYTES.slice(0, 100));
          ctl.error(new TypeError('network error'));
        },
      });
      return new Response(body);
    };
    await expect(fetchLayersModel(`${BASE}model.json`, { fetch: broken, bodies: 'blob' })).rejects.toThrow(FetchError);
    await expect(fetchLayersModel(`${BASE}model.json`, { fetch: broken, bodies: 'blob' })).rejects.toThrow(/shard1of3\.bin: the body broke off/);
  });
});

describe('the cache write of a download kept as Blobs', () => {
  it('stores the Blob the bytes were read from, not a new copy of the bytes', async () => {
    const cache = new WeightsCache(indexedDB, `blobs-${Math.random()}`);
    const data = BYTES.slice().buffer;
    // A Blob that differs from the buffer in one byte shows which of the two the row was written from.
    const marked = BYTES.slice();
    marked[0] ^= 0xff;
    rememberSourceBlob(data, new Blob([marked]));
    await cache.put('k', { weightSpecs: [], weightData: data });
    const back = await cache.get('k');
    expect(new Uint8Array(back!.weightData as ArrayBuffer)).toEqual(marked);
    expect(() => rememberSourceBlob(data, new Blob([BYTES.subarray(1)]))).toThrow(RangeError);
    // Without a remembered Blob the bytes themselves are stored.
    const plain = BYTES.slice().buffer;
    await cache.put('p', { weightSpecs: [], weightData: plain });
    expect(new Uint8Array((await cache.get('p'))!.weightData as ArrayBuffer)).toEqual(BYTES);
    cache.close();
  });
});
