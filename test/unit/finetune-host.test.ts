/**
 * Fine-tuning through the model worker's host (Node, wasm, real ImageNet ResNet50): progress per image and per
 * epoch, the previous model kept until `finetune-use`, then classification with the user's class names,
 * downloads in both formats, cancel and bad input leaving the model working, and no tensor growth; a model kept
 * under a name (fake-indexeddb) loads back after another model and predicts exactly as before.
 */
import 'fake-indexeddb/auto';
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKerasH5 } from '../../src/tf/h5/keras-h5';
import { decodeImage } from '../../src/tf/node-image';
import type { ModelHost } from '../../src/worker/model-host';
import type { FinetuneImage, RawImage, Request, RequestBody, Response } from '../../src/worker/protocol';
import { fixture, requireWeights, SKIP_WEIGHTS } from '../helpers/fixtures';
import { imagenetModelHost } from './helpers/model-host';


function raw(img: tf.Tensor3D, [t, l, h, w]: readonly number[]): RawImage {
  const [H, W] = img.shape;
  const c = tf.slice(img, [Math.round(t * H), Math.round(l * W), 0], [Math.round(h * H), Math.round(w * W), 3]);
  const rgb = c.dataSync();
  const [height, width] = c.shape;
  c.dispose();
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) data.set([rgb[j], rgb[j + 1], rgb[j + 2], 255], i);
  return { width, height, data };
}

describe.skipIf(SKIP_WEIGHTS)('fine-tuning in the model worker host (wasm)', () => {
  const messages: Response[] = [];
  let nextId = 1;
  let host: ModelHost;
  let images: FinetuneImage[];
  let probe: { elephant: RawImage; cat: RawImage };
  let exported: Extract<Response, { type: 'exported' }> | undefined;

  async function send(req: RequestBody): Promise<Response> {
    const id = nextId++;
    await host.handle({ ...req, id } as Request);
    const final = messages.filter((m) => m.id === id && m.type !== 'progress' && !m.type.startsWith('finetune-'));
    expect(final).toHaveLength(1);
    return final[0];
  }
  const numTensors = async () => {
    const m = await send({ type: 'memory' });
    return m.type === 'memory' ? m.numTensors : -1;
  };

  beforeAll(async () => {
    requireWeights();
    host = imagenetModelHost((m) => messages.push(m));
    expect(await send({ type: 'init', backend: 'wasm' })).toMatchObject({ type: 'backend' });
    expect(await send({ type: 'load', source: { kind: 'imagenet' } })).toMatchObject({ type: 'loaded' });
    // An ImageNet load defers its LayersModel (src/worker/loaded-model.ts); build it now so tensor counts compare like with like.
    expect(host.model).toBeDefined();
    const px = await Promise.all(['elephant.jpg', 'cat.jpg'].map(async (f) => decodeImage(await readFile(fixture('imagenet', f)), f)));
    const boxes = [
      [0, 0, 0.8, 0.8],
      [0.2, 0.2, 0.8, 0.8],
      [0.1, 0, 0.85, 0.75],
    ];
    images = px.flatMap((img, label) => boxes.map((b, i) => ({ name: `${label ? 'cat' : 'elephant'}-${i}.png`, label, image: raw(img, b) })));
    probe = { elephant: raw(px[0], [0.1, 0.1, 0.75, 0.75]), cat: raw(px[1], [0.15, 0.05, 0.8, 0.9]) };
    tf.dispose(px);
  });
  afterAll(() => host?.dispose());

  it('refuses bad input with a clear message and keeps the ImageNet model', async () => {
    const one = await send({ type: 'finetune', images: images.slice(0, 3).map((im) => ({ ...im, label: 0 })), classNames: ['elephant'] });
    expect(one).toMatchObject({ type: 'error', error: { name: 'FinetuneInputError', message: 'fine-tuning needs at least 2 classes; got 1 (elephant).' } });
    const empty = await send({ type: 'finetune', images: images.slice(0, 3), classNames: ['elephant', 'cat'] });
    expect(empty).toMatchObject({ type: 'error', error: { message: 'every class needs at least one image; "cat" has none.' } });
    const use = await send({ type: 'finetune-use' });
    expect(use).toMatchObject({ type: 'error', error: { message: expect.stringMatching(/train a new head first/) } });
    const r = await send({ type: 'classify', image: probe.elephant, name: 'e', gradcam: false });
    expect(r).toMatchObject({ type: 'classified', top: [{ label: 'African_elephant' }, {}, {}, {}, {}] });
  });

  it('a cancelled run reports CancelledError and leaves the model and the tensor count as they were', async () => {
    const before = await numTensors();
    const id = nextId;
    const run = send({ type: 'finetune', images, classNames: ['elephant', 'cat'], options: { flip: false } });
    // Cancel after the first image's progress message (the host yields to the event loop between images).
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (messages.some((m) => m.id === id && m.type === 'finetune-progress')) {
          clearInterval(t);
          void host.handle({ type: 'cancel', id: 9999, target: id });
          resolve();
        }
      }, 5);
    });
    expect(await run).toMatchObject({ type: 'error', error: { name: 'CancelledError' } });
    const done = messages.filter((m) => m.id === id && m.type === 'finetune-progress');
    expect(done.length).toBeLessThan(images.length);
    expect(await numTensors()).toBe(before);
  });

  it('trains with progress per image and epoch, then classifies with the user class names after finetune-use', async () => {
    const before = await numTensors();
    const id = nextId;
    const r = await send({
      type: 'finetune',
      images,
      classNames: ['elephant', 'cat'],
      options: { epochs: 6, validationSplit: 0, flip: false, seed: 5 },
    });
    if (r.type !== 'finetuned') throw new Error(JSON.stringify(r));
    expect(r.summary).toMatchObject({ classNames: ['elephant', 'cat'], counts: [3, 3], trainExamples: 6, valExamples: 0, skipped: [] });
    expect(r.summary.history.at(-1)!.accuracy).toBe(1);
    const prog = messages.filter((m) => m.id === id && m.type === 'finetune-progress');
    expect(prog.map((m) => (m.type === 'finetune-progress' ? m.done : 0))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(messages.filter((m) => m.id === id && m.type === 'finetune-epoch')).toHaveLength(6);
    // Not used yet: the ImageNet model still classifies.
    const still = await send({ type: 'classify', image: probe.elephant, name: 'e', gradcam: false });
    expect(still).toMatchObject({ top: [{ index: 386 }, {}, {}, {}, {}] });

    const tfjs = await send({ type: 'finetune-export', format: 'tfjs' });
    if (tfjs.type !== 'exported') throw new Error(JSON.stringify(tfjs));
    expect(tfjs.filename).toBe('ResNet50-finetuned.tfjs.zip');
    const inside = unzipSync(new Uint8Array(tfjs.zip));
    expect(Object.keys(inside)).toEqual(['model.json', 'ResNet50-finetuned.weights.bin']);
    expect(JSON.parse(new TextDecoder().decode(inside['model.json'])).userDefinedMetadata).toEqual({ classNames: ['elephant', 'cat'] });
    expect(inside['ResNet50-finetuned.weights.bin'].byteLength).toBe((23_587_712 + 2048 * 2 + 2) * 4);
    exported = tfjs;

    const used = await send({ type: 'finetune-use' });
    expect(used).toMatchObject({
      type: 'loaded',
      info: { name: 'ResNet50-finetuned', weights: 'finetuned', classes: 2, classNames: ['elephant', 'cat'], params: 23_587_712 + 4098 },
    });
    for (const [img, label] of [
      [probe.elephant, 'elephant'],
      [probe.cat, 'cat'],
    ] as const) {
      const c = await send({ type: 'classify', image: img, name: label });
      if (c.type !== 'classified') throw new Error(JSON.stringify(c));
      expect(c.top).toHaveLength(2);
      expect(c.top[0].label).toBe(label);
      expect(c.heat).toMatchObject({ height: 7, width: 7, layer: 'conv5_block3_out' });
    }
    const h5 = await send({ type: 'finetune-export', format: 'h5' });
    if (h5.type !== 'exported-h5') throw new Error(JSON.stringify(h5));
    expect(h5.filename).toBe('ResNet50-finetuned.keras-h5.zip');
    const h5Files = unzipSync(new Uint8Array(h5.zip));
    expect(Object.keys(h5Files)).toEqual(['ResNet50-finetuned.weights.h5', 'ResNet50-finetuned.classes.txt']);
    const file = await readKerasH5(h5Files['ResNet50-finetuned.weights.h5'], 'finetuned.h5');
    expect(file.layers.at(-1)).toMatchObject({ layer: 'predictions', weights: [{ shape: [2048, 2] }, { shape: [2] }] });
    expect(new TextDecoder().decode(h5Files['ResNet50-finetuned.classes.txt'])).toBe('elephant\ncat\n');
    expect(h5.classNames).toEqual(['elephant', 'cat']);
    // The ImageNet classifier (2048×1000 + 1000) was freed, the new head (2) added.
    expect(await numTensors()).toBe(before);
  });

  it('a backend switch rebuilds the fine-tuned model with the same weights and class names', async () => {
    const a = await send({ type: 'classify', image: probe.cat, name: 'cat', gradcam: false });
    expect(await send({ type: 'init', backend: 'wasm' })).toMatchObject({ type: 'backend', choice: { name: 'wasm' } });
    const b = await send({ type: 'classify', image: probe.cat, name: 'cat', gradcam: false });
    if (a.type !== 'classified' || b.type !== 'classified') throw new Error('classification failed');
    expect(b.top.map((p) => p.label)).toEqual(['cat', 'elephant']);
    expect(b.top[0].probability).toBeCloseTo(a.top[0].probability, 5);
  });

  it('the downloaded zip loads back (picked as "tfjs model files") with the class names and the same predictions', async () => {
    if (!exported) throw new Error('the previous test did not export');
    const files = [new File([exported.zip], exported.filename, { type: 'application/zip' })];
    const before = await send({ type: 'classify', image: probe.cat, name: 'cat', gradcam: false });
    const r = await send({ type: 'load', source: { kind: 'layers-files', files, preset: 'ResNet50' } });
    expect(r).toMatchObject({ type: 'loaded', info: { classes: 2, classNames: ['elephant', 'cat'], spec: { bnEpsilon: 1e-3 } } });
    const after = await send({ type: 'classify', image: probe.cat, name: 'cat', gradcam: false });
    if (before.type !== 'classified' || after.type !== 'classified') throw new Error('classification failed');
    expect(after.top[0].label).toBe('cat');
    expect(after.top[0].probability).toBeCloseTo(before.top[0].probability, 4);
  });

  it('fine-tunes again on top of a fine-tuned model (its head replaced, nothing leaked)', async () => {
    const before = await numTensors();
    const relabelled = images.map((im) => ({ ...im, label: 1 - im.label }));
    const r = await send({ type: 'finetune', images: relabelled, classNames: ['Felis', 'Loxodonta'], options: { epochs: 6, validationSplit: 0, flip: false } });
    expect(r).toMatchObject({ type: 'finetuned', summary: { counts: [3, 3] } });
    expect(await send({ type: 'finetune-use' })).toMatchObject({ type: 'loaded', info: { classNames: ['Felis', 'Loxodonta'] } });
    const c = await send({ type: 'classify', image: probe.elephant, name: 'e' });
    expect(c).toMatchObject({ type: 'classified', top: [{ label: 'Loxodonta', index: 1 }, { label: 'Felis' }] });
    expect(await numTensors()).toBe(before);
  });
  it('keeps the fine-tuned model under a name; loaded back after another model it predicts exactly as before', async () => {
    const before = await send({ type: 'classify', image: probe.cat, name: 'cat', gradcam: false });
    if (before.type !== 'classified') throw new Error(JSON.stringify(before));
    const kept = await send({ type: 'finetune-keep', name: 'latin' });
    expect(kept).toMatchObject({
      type: 'kept',
      saved: { name: 'latin', classNames: ['Felis', 'Loxodonta'], preset: 'ResNet50', spec: { head: { classes: 2 } } },
      models: [{ name: 'latin' }],
    });
    const again = await send({ type: 'finetune-keep', name: 'latin' });
    expect(again).toMatchObject({ type: 'error', error: { name: 'KeptModelError', message: expect.stringMatching(/already kept as "latin"/) } });

    expect(await send({ type: 'load', source: { kind: 'imagenet' } })).toMatchObject({ type: 'loaded', info: { classes: 1000 } });
    expect(host.model).toBeDefined(); // the deferred LayersModel, built as fine-tuning would
    // A classification keeps its feature map (for more heat maps): count with one kept on both sides.
    expect(await send({ type: 'classify', image: probe.cat, name: 'cat', gradcam: false })).toMatchObject({ type: 'classified' });
    const tensors = await numTensors();
    const loaded = await send({ type: 'load', source: { kind: 'kept', name: 'latin' } });
    expect(loaded).toMatchObject({ type: 'loaded', info: { classes: 2, classNames: ['Felis', 'Loxodonta'], weightsLabel: 'kept model "latin"' } });
    const after = await send({ type: 'classify', image: probe.cat, name: 'cat', gradcam: false });
    if (after.type !== 'classified') throw new Error(JSON.stringify(after));
    expect(after.top).toEqual(before.top);
    // The ImageNet model was freed, the kept one (2 classes instead of 1000) took its place.
    expect(await numTensors()).toBe(tensors);

    const missing = await send({ type: 'load', source: { kind: 'kept', name: 'nope' } });
    expect(missing).toMatchObject({ type: 'error', error: { name: 'KeptModelError', message: 'no model is kept as "nope" (deleted in another tab?).' } });
    expect(await send({ type: 'kept-list', remove: 'latin' })).toMatchObject({ type: 'kept', models: [] });
  });
  it('the Keras tutorial head with evaluation, then conv5 fine-tuned (lr/10), used, and rebuilt on a backend switch', async () => {
    expect(await send({ type: 'load', source: { kind: 'imagenet' } })).toMatchObject({ type: 'loaded' });
    expect(host.model).toBeDefined(); // the deferred LayersModel, built as fine-tuning would
    expect(await send({ type: 'classify', image: probe.cat, name: 'cat', gradcam: false })).toMatchObject({ type: 'classified' });
    const before = await numTensors();
    const dup = [...images, { ...images[0], name: 'elephant-0-copy.png' }];
    const r = await send({
      type: 'finetune',
      images: dup,
      classNames: ['elephant', 'cat'],
      options: { epochs: 3, validationSplit: 0.34, flip: false, seed: 3, head: 'dense2048', dropout: 0.2, learningRate: 1e-3 },
      prepareStage: true,
    });
    if (r.type !== 'finetuned') throw new Error(JSON.stringify(r));
    const sum = r.summary;
    expect(sum).toMatchObject({ head: 'dense2048', dropout: 0.2, stageReady: true, bestEpoch: 3, stoppedEarly: false });
    expect(sum.warnings?.join(' ')).toMatch(/identical files in "elephant": elephant-0\.png, elephant-0-copy\.png/);
    const ev = sum.evaluation!;
    expect(ev.confusion.flat().reduce((a, b) => a + b, 0)).toBe(sum.valExamples);
    expect(ev.items).toHaveLength(sum.valExamples);
    for (const it of ev.items) {
      expect(it.top).toHaveLength(2);
      expect(it.top[0].probability).toBeGreaterThanOrEqual(it.top[1].probability);
      expect(dup.some((im) => im.name === it.name && im.label === it.trueIndex)).toBe(true);
    }

    // Cancelled after its first batch: CancelledError, nothing leaked, the trained head still pending.
    const pendingTensors = await numTensors();
    const cid = nextId;
    const cancelled = send({ type: 'finetune-stage', epochs: 1 });
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (messages.some((m) => m.id === cid && m.type === 'finetune-batch')) {
          clearInterval(t);
          void host.handle({ type: 'cancel', id: 9998, target: cid });
          resolve();
        }
      }, 5);
    });
    expect(await cancelled).toMatchObject({ type: 'error', error: { name: 'CancelledError' } });
    expect(await numTensors()).toBe(pendingTensors);

    const id = nextId;
    const st = await send({ type: 'finetune-stage', epochs: 1 });
    if (st.type !== 'stage-tuned') throw new Error(JSON.stringify(st));
    console.info(`[finetune-host] conv5: ${(st.summary.msPerEpoch / 1000).toFixed(1)} s per epoch; val accuracy ${st.summary.before?.valAccuracy} → ${st.summary.after?.valAccuracy}`);
    expect(st.summary).toMatchObject({ learningRate: 1e-4, history: [{ epoch: 1, epochs: 1 }] });
    expect(st.summary.before?.valAccuracy).toBeCloseTo(sum.history.at(-1)!.valAccuracy!, 5);
    expect(st.summary.after?.valAccuracy).toBe(st.summary.history[0].valAccuracy);
    expect(st.summary.evaluation!.confusion.flat().reduce((a, b) => a + b, 0)).toBe(sum.valExamples);
    // The evaluation after conv5 agrees with the accuracy the training loop measured.
    const cm = st.summary.evaluation!.confusion;
    expect(cm.reduce((a, row, i) => a + row[i], 0) / sum.valExamples).toBeCloseTo(st.summary.after!.valAccuracy, 5);
    expect(messages.filter((m) => m.id === id && m.type === 'finetune-batch').length).toBeGreaterThan(0);

    const used = await send({ type: 'finetune-use' });
    expect(used).toMatchObject({ type: 'loaded', info: { weightsLabel: expect.stringMatching(/^fine-tuned \(head \+ conv5\) on 7 images/), classNames: ['elephant', 'cat'] } });
    const a = await send({ type: 'classify', image: probe.cat, name: 'cat', gradcam: false });
    if (a.type !== 'classified') throw new Error(JSON.stringify(a));
    // The ImageNet head (2 tensors) gave way to fc1 + predictions (4); conv5 was replaced by copies of the same size.
    // The ImageNet model's fused runner (53 folded conv kernels + biases, the classifier's 2) gave way to the fine-tuned
    // model's, which its spec (head.hidden) describes: the same plus fc1's 2.
    expect(await numTensors()).toBe(before + 2 + 2);
    expect(await send({ type: 'init', backend: 'wasm' })).toMatchObject({ type: 'backend' });
    const b = await send({ type: 'classify', image: probe.cat, name: 'cat', gradcam: false });
    if (b.type !== 'classified') throw new Error(JSON.stringify(b));
    expect(b.top.map((p) => p.index)).toEqual(a.top.map((p) => p.index));
    expect(b.top[0].probability).toBeCloseTo(a.top[0].probability, 5);
  }, 600_000);
});
