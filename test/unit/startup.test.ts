/**
 * Start-up (issue 11): a model built for weights that set every weight runs no random initialiser;
 * the ImageNet ResNet50 built that way predicts exactly what the randomly initialised build did once loaded;
 * the worker warms the model up before ready, writes the cache after ready (a failed write does not fail the
 * load), builds only once the backend asked for is ready, and leaks no tensors.
 */
import { readFileSync } from 'node:fs';
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src/core';
import { buildModel, unassignedWeights, weightIdentities } from '../../src/tf/build';
import { WeightsCache } from '../../src/tf/cache';
import { classify } from '../../src/tf/classify';
import { imagenetResNet50, imagenetResNet50Spec } from '../../src/tf/imagenet';
import { exportLayersModel } from '../../src/tf/layers-model-export';
import { parseModelJson, toArtifacts } from '../../src/tf/layers-model-io';
import { initNodeBackend } from '../../src/tf/node-backend';
import { decodeImage } from '../../src/tf/node-image';
import { IMAGENET_RESNET50_JSON, readLayersModel } from '../../src/tf/node-io';
import { preprocess } from '../../src/tf/preprocess';
import { loadWeightsSource } from '../../src/tf/weights-source';
import { ModelHost } from '../../src/worker/model-host';
import type { Request, RequestBody, Response } from '../../src/worker/protocol';
import { fixture, requireWeights, SKIP_WEIGHTS } from '../helpers/fixtures';

const allZero = (m: tf.LayersModel) => m.getWeights().every((t) => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]) === 0);

describe('building for weights that follow', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('creates every weight as zeros (no random draw; BN gamma and variance too), unlike the preset build', () => {
    for (const preset of ['ResNet-20', 'ResNeXt50']) {
      const spec = preset === 'ResNeXt50' ? { ...getPreset(preset), input: [64, 64, 3] as const } : getPreset(preset);
      const lean = buildModel(spec, { weightsFollow: true });
      const usual = buildModel(spec);
      expect(lean.countParams()).toBe(usual.countParams());
      expect(allZero(lean)).toBe(true);
      // The usual build draws kernels and sets BN gamma to ones: the check above could fail.
      expect(allZero(usual)).toBe(false);
      lean.dispose();
      usual.dispose();
    }
  });

  it('the zeros share one buffer per size (ResNet50: 37.5 MB instead of 102.5 MB), each weight still its own', () => {
    const before = tf.memory();
    const m = buildModel(imagenetResNet50Spec(), { weightsFollow: true });
    const built = tf.memory();
    expect(built.numTensors - before.numTensors).toBe(m.weights.length);
    const buffers = new Map(m.weights.map((w) => [w.read().dataId, w.read().size * 4]));
    expect(buffers.size).toBeLessThan(60);
    expect(built.numDataBuffers - before.numDataBuffers).toBe(buffers.size);
    // One buffer per element count (37.5 MB), not 102.5 MB of zeros (tf.memory().numBytes counts per tensor).
    expect([...buffers.values()].reduce((a, b) => a + b, 0)).toBeLessThan(40e6);
    // Keras names the initialiser as ever: the exported topology reads `Zeros`.
    expect((m.getLayer('conv2_block1_1_conv').getConfig().kernelInitializer as { className: string }).className).toBe('Zeros');
    // Assigning one weight leaves the others that shared its zeros untouched.
    const [a, b] = m.weights.filter((w) => w.shape.join() === '64').slice(0, 2);
    expect(a.read().dataId).toBe(b.read().dataId);
    const ones = tf.ones([64]);
    a.write(ones);
    ones.dispose();
    expect([...b.read().dataSync()].every((x) => x === 0)).toBe(true);
    expect([...a.read().dataSync()].every((x) => x === 1)).toBe(true);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
  });

  it('tells which weights were never written: all right after building, none after setWeights', () => {
    const m = buildModel(getPreset('ResNet-20'), { weightsFollow: true });
    const before = weightIdentities(m);
    expect(unassignedWeights(m, before)).toHaveLength(m.weights.length);
    const src = buildModel(getPreset('ResNet-20'));
    m.layers[3].setWeights(src.layers[3].getWeights());
    expect(unassignedWeights(m, before)).toHaveLength(m.weights.length - m.layers[3].weights.length);
    m.setWeights(src.getWeights());
    expect(unassignedWeights(m, before)).toEqual([]);
    m.dispose();
    src.dispose();
  });

  it('a tfjs source builds with zeros and sets every weight: same outputs as the model it came from', async () => {
    const src = buildModel(getPreset('ResNet-20'));
    const files = await exportLayersModel(src, 'r20', {});
    const artifacts = toArtifacts(parseModelJson(files.modelJson, 'model.json'), [files.weights], 'model.json');
    const { model } = await loadWeightsSource({ kind: 'tfjs', artifacts, preset: 'ResNet-20', label: 'r20' });
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 5);
    const [a, b] = [model.predict(x) as tf.Tensor, src.predict(x) as tf.Tensor];
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    src.dispose();
  });

  it('an .h5 loaded by name keeps the initialisers of the layers it does not name (Keras by_name), not zeros', async () => {
    const src = buildModel(getPreset('ResNet-20'));
    const n0 = tf.memory().numTensors;
    const allButHead = async (m: tf.LayersModel) => {
      for (const l of m.layers) if (l.weights.length && l.name !== 'predictions') l.setWeights(src.getLayer(l.name).getWeights());
    };
    const source = { kind: 'h5', bytes: new Uint8Array(1), preset: 'ResNet-20', mode: 'name', label: 'no-top.h5' } as const;
    const { model } = await loadWeightsSource(source, { loadH5: allButHead });
    const kernel = model.getLayer('predictions').getWeights()[0];
    expect(tf.tidy(() => tf.max(tf.abs(kernel)).dataSync()[0])).toBeGreaterThan(0);
    model.dispose();
    expect(tf.memory().numTensors).toBe(n0);
    src.dispose();
  });

  it('random weights keep the preset initialisation', async () => {
    const { model } = await loadWeightsSource({ kind: 'random', preset: 'ResNet-20' });
    expect(allZero(model)).toBe(false);
    model.dispose();
  });
});

describe.skipIf(SKIP_WEIGHTS)('the ImageNet ResNet50 built with zeros (wasm)', () => {
  let artifacts: tf.io.ModelArtifacts;
  beforeAll(async () => {
    requireWeights();
    await initNodeBackend('wasm');
    artifacts = await readLayersModel(IMAGENET_RESNET50_JSON);
  });

  it('predicts exactly what the Glorot-initialised build predicts once loaded; elephant → African_elephant', async () => {
    const n0 = tf.memory().numTensors;
    const { model } = await loadWeightsSource({ kind: 'imagenet', artifacts });
    const old = imagenetResNet50(artifacts); // random initialisers, then the same weights
    const img = decodeImage(readFileSync(fixture('imagenet', 'elephant.jpg')), 'elephant.jpg');
    const x = preprocess(img, imagenetResNet50Spec(), 'center-crop');
    const ours = await classify(model, x, 5);
    const before = await classify(old, x, 5);
    expect(ours.top).toEqual(before.top);
    expect(ours.top[0]).toMatchObject({ index: 386, label: 'African_elephant' });
    // Keras' documented result for this photo (keras.io/api/applications, "Classify ImageNet classes with
    // ResNet50"): African_elephant, tusker, Indian_elephant.
    expect(ours.top.slice(0, 3).map((p) => p.index)).toEqual([386, 101, 385]);
    const [a, b] = [model.predict(x) as tf.Tensor, old.predict(x) as tf.Tensor];
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBe(0);
    tf.dispose([a, b, x, img]);
    model.dispose();
    old.dispose();
    expect(tf.memory().numTensors).toBe(n0);
  });
});

describe('the worker host: warm-up before ready, cache write after it, backend in parallel', () => {
  let files: { modelJson: string; weights: ArrayBuffer; name: string };
  const URL_ = 'https://w.test/model.json';
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const src = buildModel(getPreset('ResNet-20'));
    files = await exportLayersModel(src, 'r20', {});
    src.dispose();
  });
  const served: typeof fetch = (async (u: RequestInfo | URL) => {
    if (String(u) === URL_) return new Response(files.modelJson);
    if (String(u) === `https://w.test/${files.name}.weights.bin`) return new Response(files.weights.slice(0));
    return new Response('gone', { status: 404 });
  }) as typeof fetch;
  const source = { kind: 'layers-url', url: URL_, preset: 'ResNet-20' } as const;

  /** A cache whose writes are recorded (and can fail), to see when they happen. */
  class WatchedCache extends WeightsCache {
    readonly events: string[] = [];
    constructor(
      private readonly messages: Response[],
      private readonly fail: boolean,
    ) {
      super(indexedDB, `startup-${Math.random()}`);
    }
    override async put(key: string, a: tf.io.ModelArtifacts): Promise<void> {
      this.events.push(this.messages.some((m) => m.type === 'loaded') ? 'put after loaded' : 'put before loaded');
      if (this.fail) throw new DOMException('quota exceeded', 'QuotaExceededError');
      return super.put(key, a);
    }
  }

  function harness(fail: boolean) {
    const messages: Response[] = [];
    const cache = new WatchedCache(messages, fail);
    const host = new ModelHost({ post: (m) => messages.push(m), imagenetUrl: 'unused', fetch: served, cache });
    let id = 1;
    const send = (req: RequestBody) => host.handle({ ...req, id: id++ } as Request);
    return { messages, cache, host, send };
  }

  it('posts ready after the warm-up and only then writes the cache; the next load reads it', async () => {
    const h = harness(false);
    await h.send({ type: 'init', backend: 'cpu' });
    const n0 = tf.memory().numTensors;
    await h.send({ type: 'load', source });
    const loaded = h.messages.find((m) => m.type === 'loaded');
    if (loaded?.type !== 'loaded') throw new Error(JSON.stringify(h.messages.at(-1)));
    const phases = loaded.info.phases?.map((p) => p.phase);
    expect(phases).toEqual(['cache', 'download', 'build', 'weights', 'warmup']); // cache: the miss
    expect(loaded.info.phases?.every((p) => p.ms >= 0)).toBe(true);
    const progress = h.messages.filter((m) => m.type === 'progress').map((m) => (m.type === 'progress' ? m.phase : ''));
    expect(progress.at(-1)).toBe('warmup');
    await h.host.cacheWrite;
    expect(h.cache.events).toEqual(['put after loaded']);
    expect((await h.cache.list()).map((r) => r.key)).toEqual([`url:${URL_}`]);
    const bitsOf = () => h.host.model!.getWeights().map((w) => new Uint32Array((w.dataSync() as Float32Array).slice().buffer));
    const fresh = bitsOf();
    await h.send({ type: 'load', source });
    const again = h.messages.filter((m) => m.type === 'loaded').at(-1);
    expect(again?.type === 'loaded' && again.info.fromCache).toBe(true);
    expect(again?.type === 'loaded' && again.info.phases?.[0].phase).toBe('cache');
    // The model from the cache (weights stored as a Blob, cache.ts layout 3) has the downloaded one's bits.
    // Index of each weight's first differing element (-1: none); a diff of whole arrays would take minutes to print.
    expect(bitsOf().map((b, i) => (b.length === fresh[i].length ? b.findIndex((x, k) => x !== fresh[i][k]) : -2))).toEqual(fresh.map(() => -1));
    h.host.dispose();
    expect(tf.memory().numTensors).toBe(n0);
  });

  it('a failed cache write does not fail the load, nor anything after it', async () => {
    const h = harness(true);
    await h.send({ type: 'init', backend: 'cpu' });
    await h.send({ type: 'load', source });
    await h.host.cacheWrite;
    expect(h.cache.events).toEqual(['put after loaded']);
    expect(h.messages.filter((m) => m.type === 'error')).toEqual([]);
    expect(h.messages.some((m) => m.type === 'loaded')).toBe(true);
    expect(await h.cache.list()).toEqual([]);
    h.host.dispose();
  });

  it('downloads while the backend starts and builds only once it is ready', async () => {
    const messages: Response[] = [];
    const fetchedBeforeBackend: boolean[] = [];
    const watching: typeof fetch = (async (u: RequestInfo | URL) => {
      fetchedBeforeBackend.push(!messages.some((m) => m.type === 'backend'));
      return served(u);
    }) as typeof fetch;
    const host = new ModelHost({ post: (m) => messages.push(m), imagenetUrl: 'unused', fetch: watching });
    const init = host.handle({ type: 'init', id: 1, backend: 'cpu' });
    const load = host.handle({ type: 'load', id: 2, source });
    await Promise.all([init, load]);
    expect(fetchedBeforeBackend[0]).toBe(true);
    const kinds = messages.map((m) => (m.type === 'progress' ? m.phase : m.type));
    expect(kinds.indexOf('backend')).toBeLessThan(kinds.indexOf('build'));
    expect(kinds.at(-1)).toBe('loaded');
    host.dispose();
  });
});

afterAll(() => {
  tf.disposeVariables();
});
