/**
 * onnxruntime-web as Classify's inference engine, through the model worker's host in Node: the same image
 * classified with tfjs and then with onnxruntime-web (our ONNX export of the current model, in memory) gives the
 * same top-5 and probabilities within 1e-4 (ImageNet ResNet50 on the Keras elephant; a random CIFAR ResNet-20
 * whose head has no softmax); Grad-CAM still comes from tfjs; the bench entry agrees with classify; no tensors
 * are left behind; switching back to tfjs works.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/tf/node-image';
import { IMAGENET_RESNET50_JSON } from '../../src/tf/node-io';
import { ModelHost } from '../../src/worker/model-host';
import type { RawImage, Request, RequestBody, Response } from '../../src/worker/protocol';
import { fixture, requireWeights, SKIP_WEIGHTS } from '../helpers/fixtures';

const BASE = 'http://weights.test/resnet50/';
const WEIGHTS_DIR = dirname(IMAGENET_RESNET50_JSON);
const TOL = 1e-4;
const SLOW = 600_000;

const localFetch = (async (input: RequestInfo | URL) => {
  const url = String(input);
  const bytes = url.startsWith(BASE) ? await readFile(join(WEIGHTS_DIR, url.slice(BASE.length))).catch(() => undefined) : undefined;
  return bytes ? new Response(bytes) : new Response('not found', { status: 404 });
}) as typeof fetch;

function toRaw(pixels: tf.Tensor3D): RawImage {
  const [height, width] = pixels.shape;
  const rgb = pixels.dataSync();
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) data.set([rgb[j], rgb[j + 1], rgb[j + 2], 255], i);
  return { width, height, data };
}

let nextId = 1;
const messages: Response[] = [];
const require = createRequire(import.meta.url);
const host = new ModelHost({
  post: (m) => messages.push(m),
  wasmPaths: `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`,
  imagenetUrl: `${BASE}model.json`,
  fetch: localFetch,
  ort: { load: () => import('onnxruntime-web') },
});

async function send<T extends Response['type']>(req: RequestBody): Promise<Extract<Response, { type: T }>> {
  const id = nextId++;
  await host.handle({ ...req, id } as Request);
  const m = messages.filter((x) => x.id === id).at(-1);
  if (!m) throw new Error(`no answer to ${req.type}`);
  if (m.type === 'error') throw new Error(`${req.type}: ${m.error.name}: ${m.error.message}`);
  return m as Extract<Response, { type: T }>;
}

let elephant: RawImage;

beforeAll(async () => {
  await send({ type: 'init', backend: 'wasm' });
  const px = decodeImage(new Uint8Array(await readFile(fixture('imagenet', 'elephant.jpg'))), 'elephant.jpg');
  elephant = toRaw(px);
  px.dispose();
}, SLOW);

afterAll(() => host.dispose());

const classify = (image: RawImage, gradcam = true) => send<'classified'>({ type: 'classify', image, name: 'elephant.jpg', gradcam });

/** Classify with tfjs, then with onnxruntime-web; compare top-5 and every top probability. */
async function compareEngines() {
  await send({ type: 'engine', engine: 'tfjs' });
  const ref = await classify(elephant);
  const chosen = await send<'engine'>({ type: 'engine', engine: 'onnxruntime-web' });
  const before = tf.memory().numTensors;
  const got = await classify(elephant);
  await send({ type: 'engine', engine: 'tfjs' });
  return { ref, got, chosen, leaked: tf.memory().numTensors - before };
}

function expectSameTop(ref: Extract<Response, { type: 'classified' }>, got: Extract<Response, { type: 'classified' }>) {
  expect(got.top.map((p) => p.index)).toEqual(ref.top.map((p) => p.index));
  got.top.forEach((p, i) => {
    expect(Math.abs(p.probability - ref.top[i].probability), p.label).toBeLessThan(TOL);
  });
}

describe.skipIf(SKIP_WEIGHTS)('ImageNet ResNet50 on onnxruntime-web', () => {
  it(
    'classifies the elephant as tfjs does (African_elephant first, top-5 and probabilities within 1e-4)',
    async () => {
      requireWeights();
      await send({ type: 'load', source: { kind: 'imagenet' }, useCache: false });
      const { ref, got, chosen, leaked } = await compareEngines();
      // Node is not cross-origin isolated: one thread, and the label says so.
      expect(chosen.label).toBe('onnxruntime-web (wasm, 1 thread)');
      expect(chosen.session!.onnxBytes).toBeGreaterThan(100e6);
      expect(ref.engine).toBe('tfjs (wasm, 1 thread)');
      expect(got.engine).toBe('onnxruntime-web (wasm, 1 thread)');
      expect(got.top[0].label).toBe('African_elephant');
      expectSameTop(ref, got);
      // Grad-CAM is tfjs' on the same input: the same map.
      expect(got.heat!.layer).toBe(ref.heat!.layer);
      const heatDiff = Math.max(...got.heat!.values.map((v, i) => Math.abs(v - ref.heat!.values[i])));
      expect(heatDiff).toBeLessThan(1e-4);
      // More heat maps read the kept features (one 7×7×2048 map replaces the previous one).
      expect(leaked).toBeLessThanOrEqual(0);
      const heat = await send<'heat'>({ type: 'gradcam', classIndex: got.top[1].index });
      expect(heat.heat.classIndex).toBe(got.top[1].index);
      console.log(
        `ResNet50 elephant: tfjs ${ref.top[0].probability.toFixed(6)} vs ort ${got.top[0].probability.toFixed(6)}; ` +
          `export ${chosen.session!.exportMs.toFixed(0)} ms, session ${chosen.session!.sessionMs.toFixed(0)} ms; ` +
          `predict tfjs ${ref.timing.predict.toFixed(0)} ms, ort ${got.timing.predict.toFixed(0)} ms`,
      );
    },
    SLOW,
  );

  it(
    'bench entry: both engines on a batch of 2 agree with classify',
    async () => {
      const tfjs = await send<'bench'>({ type: 'bench', image: elephant, engine: 'tfjs', batch: 2, runs: 1 });
      const ort = await send<'bench'>({ type: 'bench', image: elephant, engine: 'onnxruntime-web', batch: 2, runs: 1 });
      expect(tfjs.label).toBe('tfjs (wasm, 1 thread), fused'); // Classify's default: the fused-BN runner
      expect(ort.label).toBe('onnxruntime-web (wasm, 1 thread)');
      expect(ort.ms).toHaveLength(1);
      expect(ort.top[0].label).toBe('African_elephant');
      expect(ort.top.map((p) => p.index)).toEqual(tfjs.top.map((p) => p.index));
      const diff = Math.max(...ort.probs.map((v, i) => Math.abs(v - tfjs.probs[i])));
      expect(diff).toBeLessThan(TOL);
      await expect(send({ type: 'bench', image: elephant, engine: 'tfjs', batch: 0, runs: 1 })).rejects.toThrow(/batch must be an integer ≥ 1, got 0/);
    },
    SLOW,
  );
});

describe('a random CIFAR ResNet-20', () => {
  it(
    'gives tfjs top-5 and probabilities within 1e-4, and a new session after a new model',
    async () => {
      await send({ type: 'load', source: { kind: 'random', preset: 'ResNet-20' } });
      const { ref, got, leaked } = await compareEngines();
      expectSameTop(ref, got);
      expect(leaked).toBeLessThanOrEqual(0);
      const sum = got.top.reduce((a, p) => a + p.probability, 0);
      expect(sum).toBeLessThanOrEqual(1 + 1e-6);
      // A second random model: the engine must not reuse the first model's session.
      await send({ type: 'load', source: { kind: 'random', preset: 'ResNet-20' } });
      const again = await compareEngines();
      expectSameTop(again.ref, again.got);
      expect(again.got.top.map((p) => p.probability)).not.toEqual(got.top.map((p) => p.probability));
    },
    SLOW,
  );

  it('refuses a bad engine name and a second thread count', async () => {
    await expect(send({ type: 'engine', engine: 'tvm' as 'tfjs' })).rejects.toThrow(/engine must be one of tfjs, onnxruntime-web; got "tvm"/);
    await expect(send({ type: 'engine', engine: 'onnxruntime-web', threads: 3 })).rejects.toThrow(/already runs with 1 thread/);
  });
});
