/**
 * The lab's default filters: the ImageNet ResNet50's conv1 kernel read from the weight files by its place in the
 * manifest (only the first shard fetched), 64 filters of 7×7×3, input channels reversed BGR → RGB. Checked
 * against tfjs' own decoding of all 25 shards.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FiltersFormatError, fetchConv1Filters, locateWeight, reverseInputChannels } from '../../src/tf/imagenet-filters';
import { initNodeBackend } from '../../src/tf/node-backend';
import { IMAGENET_RESNET50_JSON, readLayersModel } from '../../src/tf/node-io';
import { requireWeights, SKIP_WEIGHTS } from './helpers/fixtures';

const BASE = 'http://weights.test/resnet50/';

beforeAll(async () => {
  await initNodeBackend('cpu');
});

describe('ImageNet conv1 filters', () => {
  it.skipIf(SKIP_WEIGHTS)('64 filters of 7×7×3 from the first shard only, equal to tfjs decoding with B and R swapped', async () => {
    requireWeights();
    const fetched: string[] = [];
    const fetchFn = (async (u: RequestInfo | URL) => {
      fetched.push(String(u));
      return new Response(await readFile(join(dirname(IMAGENET_RESNET50_JSON), String(u).slice(BASE.length))));
    }) as typeof fetch;
    const f = await fetchConv1Filters(`${BASE}model.json`, fetchFn);
    expect(f.shape).toEqual([7, 7, 3, 64]);
    expect(f.name).toBe('conv1/kernel');
    expect(f.shards).toEqual(['group1-shard1of25.bin']);
    expect(fetched).toEqual([`${BASE}model.json`, `${BASE}group1-shard1of25.bin`]);

    const artifacts = await readLayersModel(IMAGENET_RESNET50_JSON);
    const specs = artifacts.weightSpecs!;
    const named = tf.io.decodeWeights(artifacts.weightData as ArrayBuffer, specs);
    const ref = await named['conv1/kernel'].data();
    tf.dispose(Object.values(named));
    expect(ref.length).toBe(7 * 7 * 3 * 64);
    let checked = 0;
    for (let p = 0; p < 49; p++)
      for (let c = 0; c < 3; c++)
        for (let o = 0; o < 64; o++) {
          expect(f.kernel[(p * 3 + c) * 64 + o]).toBe(ref[(p * 3 + (2 - c)) * 64 + o]);
          checked++;
        }
    expect(checked).toBe(9408);
  });

  it('reversing the input channels twice is the identity; it moves channel 0 to 2', () => {
    const shape = [2, 1, 3, 2] as const;
    const k = Float32Array.from({ length: 12 }, (_, i) => i);
    const r = reverseInputChannels(k, shape);
    expect(Array.from(r.slice(0, 6))).toEqual([4, 5, 2, 3, 0, 1]);
    expect(Array.from(reverseInputChannels(r, shape))).toEqual(Array.from(k));
  });

  it('a missing or quantized weight is a clear error', () => {
    const group = (weights: { name: string; shape: number[]; dtype?: string; quantization?: unknown }[]) => [{ paths: ['a.bin'], weights }];
    expect(() => locateWeight(group([{ name: 'x', shape: [2] }]), ['conv1/kernel'])).toThrow(/no weight named conv1\/kernel/);
    expect(() => locateWeight(group([{ name: 'conv1/kernel', shape: [7, 7, 3, 64], quantization: { dtype: 'uint8' } }]), ['conv1/kernel'])).toThrow(
      FiltersFormatError,
    );
    expect(locateWeight(group([{ name: 'x', shape: [2, 3] }, { name: 'conv1/kernel', shape: [4] }]), ['conv1/kernel'])).toMatchObject({ start: 24, end: 40 });
  });
});
