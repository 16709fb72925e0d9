import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/tf/build';
import { FetchError, WeightsFormatError, WeightsMismatchError } from '../../src/tf/errors';
import { fetchLayersModel, layersModelFromFiles, parseModelJson } from '../../src/tf/layers-model-io';
import { loadLayersModelWeights } from '../../src/tf/layers-model-weights';
import { initNodeBackend } from '../../src/tf/node-backend';
import { getPreset } from '../../src/core';

/** Save a model the way tfjs' browser download does: model.json + one shard. */
async function saveToFiles(model: tf.LayersModel) {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = saved!;
  const json = JSON.stringify({
    format: a.format,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
  });
  const data = a.weightData as ArrayBuffer;
  const blob = (name: string, bytes: Uint8Array | string) => {
    const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    return { name, arrayBuffer: async () => b.slice().buffer as ArrayBuffer, text: async () => new TextDecoder().decode(b) };
  };
  return { json, data, blob };
}

beforeAll(async () => {
  await initNodeBackend('cpu');
});

describe('tfjs layers model files', () => {
  const spec = getPreset('ResNet-20');

  it('round-trips a model through model.json + shard files bit-exactly', async () => {
    const a = buildModel(spec);
    const { json, data, blob } = await saveToFiles(a);
    const b = buildModel(spec);
    loadLayersModelWeights(b, await layersModelFromFiles([blob('model.json', json), blob('weights.bin', new Uint8Array(data))]));
    const wa = a.getWeights();
    const wb = b.getWeights();
    expect(wb.length).toBe(wa.length);
    wa.forEach((t, i) => {
      expect(Array.from(wb[i].dataSync())).toEqual(Array.from(t.dataSync()));
    });
    a.dispose();
    b.dispose();
  });

  it('a truncated model.json names the file and says it is not valid JSON', async () => {
    const a = buildModel(spec);
    const { json } = await saveToFiles(a);
    a.dispose();
    expect(() => parseModelJson(json.slice(0, json.length / 2), 'model.json')).toThrow(
      /model.json is not valid JSON \(\d+ characters; truncated/,
    );
  });

  it('a missing or short shard is refused', async () => {
    const a = buildModel(spec);
    const { json, data, blob } = await saveToFiles(a);
    a.dispose();
    await expect(layersModelFromFiles([blob('model.json', json)])).rejects.toThrow(/needs the shard "weights.bin"/);
    await expect(
      layersModelFromFiles([blob('model.json', json), blob('weights.bin', new Uint8Array(data).subarray(0, 100))]),
    ).rejects.toThrow(WeightsFormatError);
  });

  it('weights of another model name the first layer that differs', async () => {
    const a = buildModel(getPreset('ResNet-32'));
    const { json, data, blob } = await saveToFiles(a);
    a.dispose();
    const b = buildModel({ ...spec, head: { ...spec.head, classes: 100 } });
    const art = await layersModelFromFiles([blob('model.json', json), blob('weights.bin', new Uint8Array(data))]);
    expect(() => loadLayersModelWeights(b, art)).toThrow(WeightsMismatchError);
    expect(() => loadLayersModelWeights(b, art)).toThrow(/predictions.*\[64, 10\].*\[64, 100\]|match no layer/);
    b.dispose();
  });

  it('a URL that fails gives a FetchError with the URL and the status', async () => {
    const notFound: typeof fetch = async () => new Response('nope', { status: 404, statusText: 'Not Found' });
    await expect(fetchLayersModel('https://example.invalid/m/model.json', { fetch: notFound })).rejects.toThrow(
      /could not fetch https:\/\/example.invalid\/m\/model.json: HTTP 404 Not Found/,
    );
    const offline: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(fetchLayersModel('https://example.invalid/model.json', { fetch: offline })).rejects.toThrow(FetchError);
  });

  it('fetches model.json and shards past the HTTP cache (the app keeps its own copy in IndexedDB)', async () => {
    const a = buildModel(spec);
    const { json, data } = await saveToFiles(a);
    a.dispose();
    const asked: { url: string; cache?: RequestCache }[] = [];
    const served: typeof fetch = async (u, init) => {
      const url = String(u);
      asked.push({ url, cache: init?.cache });
      return new Response(url.endsWith('model.json') ? json : new Uint8Array(data).slice());
    };
    const art = await fetchLayersModel('https://example.invalid/m/model.json', { fetch: served });
    expect((art.weightData as ArrayBuffer).byteLength).toBe(data.byteLength);
    expect(asked.map((r) => r.url)).toEqual(['https://example.invalid/m/model.json', 'https://example.invalid/m/weights.bin']);
    expect(asked.every((r) => r.cache === 'no-store')).toBe(true);
  });
});
