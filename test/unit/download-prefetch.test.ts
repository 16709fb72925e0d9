/**
 * The default weights' download started by the model worker's entry when IndexedDB misses
 * (src/worker/download-prefetch.ts): taken over by the host's first download of that URL with its progress, and
 * cancelled with it; not started when the weights were found; abandoned when nobody claims it.
 */
import { describe, expect, it } from 'vitest';
import { CancelledError, FetchError } from '../../src/tf/errors';
import { prefetchingDownload } from '../../src/worker/download-prefetch';
import { prefetchingCache } from '../../src/worker/cache-prefetch';

const URL_ = 'https://example.invalid/w/model.json';
const SHARD = new Uint8Array(4000).map((_, i) => i % 251);
const MODEL_JSON = JSON.stringify({
  format: 'layers-model',
  modelTopology: {},
  weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'w', shape: [1000], dtype: 'float32' }] }],
});

/** A server whose shard response is held until `release()`, counting requests and exposing their signals. */
function server(opts: { fail?: boolean } = {}) {
  const asked: string[] = [];
  const signals: AbortSignal[] = [];
  let release!: () => void;
  const held = new Promise<void>((r) => {
    release = r;
  });
  let requested!: () => void;
  const shardRequested = new Promise<void>((r) => {
    requested = r;
  });
  const fetchImpl: typeof fetch = async (u, init) => {
    const url = String(u);
    asked.push(url);
    if (init?.signal) signals.push(init.signal);
    if (opts.fail) return new Response('gone', { status: 503, statusText: 'Service Unavailable' });
    if (url.endsWith('model.json')) return new Response(MODEL_JSON);
    requested();
    await held;
    if (init?.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    // Two chunks, so progress is seen part-way.
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(SHARD.slice(0, 1000));
        c.enqueue(SHARD.slice(1000));
        c.close();
      },
    });
    return new Response(body);
  };
  return { fetchImpl, asked, signals, release, shardRequested };
}

const aborted = (s: AbortSignal) => new Promise<void>((r) => (s.aborted ? r() : s.addEventListener('abort', () => r(), { once: true })));

describe('prefetchingDownload', () => {
  it('starts when IndexedDB missed; the first download of the URL takes it over with all of its progress', async () => {
    const s = server();
    const download = prefetchingDownload(URL_, Promise.resolve(true), { fetch: s.fetchImpl });
    await s.shardRequested; // under way before anyone asked
    const seen: [number, number][] = [];
    const taking = download(URL_, { onProgress: (l, t) => seen.push([l, t]) });
    s.release();
    const art = await taking;
    expect(new Uint8Array(art.weightData as ArrayBuffer)).toEqual(SHARD);
    expect(seen[0]).toEqual([0, 4000]); // replayed: what happened before the claim
    expect(seen.at(-1)).toEqual([4000, 4000]);
    expect(s.asked).toEqual([URL_, 'https://example.invalid/w/group1-shard1of1.bin']);
    // Only the first claim: a later load downloads again.
    const again = server();
    again.release();
    await expect(download(URL_, { fetch: again.fetchImpl })).resolves.toBeDefined();
    expect(again.asked).toHaveLength(2);
  });

  it('does not start when the weights were found, and then downloads only when asked', async () => {
    const s = server();
    s.release();
    const download = prefetchingDownload(URL_, Promise.resolve(false), { fetch: s.fetchImpl });
    await Promise.resolve();
    expect(s.asked).toEqual([]);
    await download(URL_, { fetch: s.fetchImpl });
    expect(s.asked).toHaveLength(2);
  });

  it('another URL is a download of its own; the early one stays to be claimed', async () => {
    const s = server();
    const download = prefetchingDownload(URL_, Promise.resolve(true), { fetch: s.fetchImpl });
    await s.shardRequested;
    const other = server();
    other.release();
    await download('https://example.invalid/other/model.json', { fetch: other.fetchImpl });
    expect(other.asked[0]).toBe('https://example.invalid/other/model.json');
    s.release();
    await expect(download(URL_, {})).resolves.toBeDefined();
    expect(s.asked).toHaveLength(2);
  });

  it("the host's cancel aborts the download it took over", async () => {
    const s = server();
    const download = prefetchingDownload(URL_, Promise.resolve(true), { fetch: s.fetchImpl });
    await s.shardRequested;
    const ctl = new AbortController();
    const taking = download(URL_, { signal: ctl.signal });
    const failed = expect(taking).rejects.toThrow(CancelledError);
    await Promise.resolve();
    ctl.abort();
    s.release();
    await failed;
    expect(s.signals.every((x) => x.aborted)).toBe(true);
  });

  it('a failed download reaches the host as the same error', async () => {
    const s = server({ fail: true });
    const download = prefetchingDownload(URL_, Promise.resolve(true), { fetch: s.fetchImpl });
    await expect(download(URL_, {})).rejects.toThrow(FetchError);
    await expect(download(URL_, { fetch: s.fetchImpl })).rejects.toThrow(/HTTP 503/);
  });

  it('is abandoned when nobody claims it in time', async () => {
    const s = server();
    prefetchingDownload(URL_, Promise.resolve(true), { fetch: s.fetchImpl, keepMs: 20 });
    await s.shardRequested;
    await aborted(s.signals[0]);
    s.release();
    expect(s.signals.every((x) => x.aborted)).toBe(true);
  });
});

describe('prefetchingCache.prefetched', () => {
  const rows = (found: boolean, fails = false, available = true) => ({
    available,
    get: async () => {
      if (fails) throw new Error('IndexedDB broke');
      return found ? { weightSpecs: [], weightData: new ArrayBuffer(4) } : undefined;
    },
    put: async () => undefined,
  });
  it('says whether the early read found the key', async () => {
    expect(await prefetchingCache(rows(true), 'k').prefetched).toBe(true);
    expect(await prefetchingCache(rows(false), 'k').prefetched).toBe(false);
    expect(await prefetchingCache(rows(true, true), 'k').prefetched).toBe(false);
    expect(await prefetchingCache(rows(true, false, false), 'k').prefetched).toBe(false);
  });
});
