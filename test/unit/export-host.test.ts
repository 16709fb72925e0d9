/**
 * `export-code` in the model worker's host (Node): the current model with its weights and class names, a spec
 * with random weights or structure only, progress, cancel, an unknown format, and no tensors left behind.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src/core';
import { EXPORT_FORMATS } from '../../src/export';
import { readKerasH5 } from '../../src/tf/h5/keras-h5';
import { ModelHost } from '../../src/worker/model-host';
import type { RawImage, Request, RequestBody, Response } from '../../src/worker/protocol';

const messages: Response[] = [];
let onMessage: ((m: Response) => void) | undefined;
let host: ModelHost;
let nextId = 1;

async function send(req: RequestBody): Promise<{ id: number; final: Response; progress: Extract<Response, { type: 'export-progress' }>[] }> {
  const id = nextId++;
  await host.handle({ ...req, id } as Request);
  const mine = messages.filter((m) => m.id === id);
  return { id, final: mine.at(-1)!, progress: mine.filter((m): m is Extract<Response, { type: 'export-progress' }> => m.type === 'export-progress') };
}

const unzip = (final: Response) => {
  if (final.type !== 'code-exported') throw new Error(`expected code-exported, got ${JSON.stringify(final)}`);
  return { result: final.result, files: unzipSync(new Uint8Array(final.result.zip)) };
};

beforeAll(async () => {
  const require = createRequire(import.meta.url);
  host = new ModelHost({
    post: (m) => {
      messages.push(m);
      onMessage?.(m);
    },
    wasmPaths: `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`,
    imagenetUrl: 'http://unused.test/model.json',
  });
  await send({ type: 'init', backend: 'wasm' });
});

afterAll(() => host.dispose());

describe('export-code in the model host', () => {
  it('a spec with random weights: zip with model.py, train.py, weights.h5, README.md; progress rises to the end', async () => {
    const before = tf.memory().numTensors;
    const { final, progress } = await send({ type: 'export-code', format: 'keras', source: { kind: 'spec', spec: getPreset('ResNet-20'), weights: 'random' } });
    const { result, files } = unzip(final);
    expect(Object.keys(files).sort()).toEqual(['resnet-20-keras/README.md', 'resnet-20-keras/model.py', 'resnet-20-keras/train.py', 'resnet-20-keras/weights.h5']);
    expect(result).toMatchObject({ format: 'keras', modelName: 'ResNet-20', weightsLabel: 'random (untrained)', folder: 'resnet-20-keras' });
    expect(result.files.find((f) => f.path === 'weights.h5')!.bytes).toBe(files['resnet-20-keras/weights.h5'].length);
    const fractions = progress.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(progress.map((p) => p.message)).toEqual(expect.arrayContaining(['building ResNet-20', 'writing weights.h5', 'zipping']));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('structure only: no weights file, labelled', async () => {
    const { final } = await send({ type: 'export-code', format: 'keras', source: { kind: 'spec', spec: getPreset('ResNeXt50'), weights: 'none' } });
    const { result, files } = unzip(final);
    expect(Object.keys(files).some((p) => p.endsWith('.h5'))).toBe(false);
    expect(result.weightsLabel).toBe('none (structure only)');
    expect(result.notes).toContain('structure only: no weights');
  });

  it('the current model: its weights as they are now', async () => {
    const loaded = await send({ type: 'load', source: { kind: 'random', preset: 'ResNet-20' } });
    expect(loaded.final.type).toBe('loaded');
    const { final } = await send({ type: 'export-code', format: 'keras', source: { kind: 'current' } });
    const { result, files } = unzip(final);
    expect(result.weightsLabel).toBe('random (untrained)');
    const h5 = await readKerasH5(files['resnet-20-keras/weights.h5']);
    const layer = host.model!.getLayer('conv3_block2_1_bn');
    const got = h5.layers.find((l) => l.layer === 'conv3_block2_1_bn')!;
    for (const [j, w] of layer.getWeights().entries()) expect(got.weights[j].data).toEqual(w.dataSync());
  });

  it('a fine-tuned current model: its new head in weights.h5, its class names in classes.txt and model.py', async () => {
    // Tiny random images per class: enough to train a head on ResNet-20's pooled features.
    const image = (seed: number): RawImage => {
      const data = new Uint8ClampedArray(32 * 32 * 4);
      for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 97) % 256;
      return { width: 32, height: 32, data };
    };
    const images = [0, 1, 2, 3].map((k) => ({ name: `${k}.png`, label: k % 2, image: image(k) }));
    const tuned = await send({ type: 'finetune', images, classNames: ['cat', 'dog'], options: { epochs: 1, validationSplit: 0, flip: false } });
    expect(tuned.final.type).toBe('finetuned');
    expect(await send({ type: 'finetune-use' })).toMatchObject({ final: { type: 'loaded', info: { classNames: ['cat', 'dog'] } } });
    const { final } = await send({ type: 'export-code', format: 'keras', source: { kind: 'current' } });
    const { files } = unzip(final);
    const text = (p: string) => new TextDecoder().decode(files[`resnet-20-finetuned-keras/${p}`]);
    expect(text('classes.txt')).toBe('cat\ndog\n');
    expect(text('model.py')).toContain("CLASS_NAMES = ['cat', 'dog']");
    expect(text('model.py')).toContain("layers.Dense(2, activation='softmax', name='predictions')");
    const h5 = await readKerasH5(files['resnet-20-finetuned-keras/weights.h5']);
    const head = h5.layers.find((l) => l.layer === 'predictions')!;
    expect(head.weights.map((w) => w.shape)).toEqual([[64, 2], [2]]);
    expect(head.weights[0].data).toEqual(host.model!.getLayer('predictions').getWeights()[0].dataSync());
  });

  it('cancel stops it (CancelledError), and an unknown format names the allowed ones', async () => {
    const before = tf.memory().numTensors;
    const id = nextId;
    onMessage = (m) => {
      if (m.type === 'export-progress' && m.id === id && m.message.startsWith('reading')) void host.handle({ type: 'cancel', id: 999, target: id });
    };
    const { final } = await send({ type: 'export-code', format: 'keras', source: { kind: 'spec', spec: getPreset('ResNet-110'), weights: 'random' } });
    onMessage = undefined;
    expect(final).toMatchObject({ type: 'error', error: { name: 'CancelledError', message: 'export cancelled' } });
    expect(tf.memory().numTensors).toBe(before);
    const bad = await send({ type: 'export-code', format: 'caffe', source: { kind: 'current' } });
    expect(bad.final).toMatchObject({ type: 'error', error: { message: `unknown export format "caffe"; allowed: ${EXPORT_FORMATS.join(', ')}` } });
  });
});
