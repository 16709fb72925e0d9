/**
 * Feature maps (src/tf/activations.ts, src/core/residual-parts.ts, the model worker's `activations` request):
 * the residual parts come from the graph; on the real ImageNet ResNet50 and the elephant, branch + shortcut
 * equals the add's output and ReLU of it the block output; channels are shown by descending mean on one
 * colour scale; nothing leaks; a missing image, an unknown layer and a changed model are clear errors.
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expand, getPreset, residualParts } from '../../src/core';
import { activationMaps, channelOrder, layerOutputs, quantize, sharedScale } from '../../src/tf/activations';
import { imagenetResNet50Spec } from '../../src/tf/imagenet';
import { initNodeBackend } from '../../src/tf/node-backend';
import { decodeImage } from '../../src/tf/node-image';
import { preprocess } from '../../src/tf/preprocess';
import type { ModelHost } from '../../src/worker/model-host';
import type { ActivationsReport, RawImage, Request, RequestBody, Response } from '../../src/worker/protocol';
import { fixture, requireWeights, SKIP_WEIGHTS } from '../helpers/fixtures';
import { rgbaOf } from './helpers/images';
import { imagenetModelHost } from './helpers/model-host';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('residualParts (from the graph)', () => {
  const r50 = expand(getPreset('ResNet50'));
  it('ResNet50: a projection block by its id, add or output; an identity block’s shortcut is its input', () => {
    const want = { block: 'conv2_block1', shortcutKind: 'projection', branch: 'conv2_block1_3_bn', shortcut: 'conv2_block1_0_bn', add: 'conv2_block1_add', out: 'conv2_block1_out' };
    expect(residualParts(r50, 'conv2_block1_out')).toEqual(want);
    expect(residualParts(r50, 'conv2_block1_add')).toEqual(want);
    expect(residualParts(r50, 'conv2_block1')).toEqual(want);
    expect(residualParts(r50, 'conv3_block2_out')).toMatchObject({ shortcutKind: 'identity', shortcut: 'conv3_block1_out', branch: 'conv3_block2_3_bn' });
  });
  it('a layer inside the branch, a stage, a plain twin’s block: none', () => {
    expect(residualParts(r50, 'conv2_block1_2_conv')).toBeUndefined();
    expect(residualParts(r50, 'conv2')).toBeUndefined();
    expect(residualParts(expand(getPreset('plain-ResNet50')), 'conv2_block1_out')).toBeUndefined();
  });
  it('V2 (pre-activation): the branch ends in a conv and the add is the block output', () => {
    const p = residualParts(expand(getPreset('ResNet50V2')), 'conv2_block2_out');
    expect(p).toMatchObject({ branch: 'conv2_block2_3_conv', shortcut: 'conv2_block1_out', add: 'conv2_block2_out' });
    expect(p?.out).toBeUndefined();
  });
});

describe('scale and order helpers', () => {
  it('channelOrder sorts by descending mean, ties by index, and caps', () => {
    expect(channelOrder([0.5, 2, -1, 2, 0], 3)).toEqual([1, 3, 0]);
  });
  it('sharedScale: symmetric for signed values, from 0 otherwise; clipped share counted', () => {
    const v = Float32Array.from({ length: 1000 }, (_, i) => i / 10);
    const s = sharedScale([v], 0.01);
    expect(s).toMatchObject({ lo: 0, diverging: false });
    expect(s.hi).toBeCloseTo(98.9, 4);
    expect(s.clipped).toBeCloseTo(0.01, 6);
    const d = sharedScale([Float32Array.of(-3, 1), Float32Array.of(2)], 0);
    expect(d).toMatchObject({ lo: -3, hi: 3, diverging: true, clipped: 0 });
    expect(Array.from(quantize(Float32Array.of(-3, 0, 3, 9), d))).toEqual([0, 128, 255, 255]);
  });
});

describe.skipIf(SKIP_WEIGHTS)('the ImageNet ResNet50 on elephant.jpg', () => {
  const messages: Response[] = [];
  let host: ModelHost;
  let nextId = 1;
  let elephant: RawImage;
  let x: tf.Tensor4D;
  const parts = residualParts(expand(imagenetResNet50Spec()), 'conv2_block1_out')!;
  const partNames = [parts.branch, parts.shortcut, parts.add, parts.out!];
  const send = async (req: RequestBody) => {
    const id = nextId++;
    await host.handle({ ...req, id } as Request);
    return messages.filter((m) => m.id === id && m.type !== 'progress');
  };
  const numTensors = async () => ((await send({ type: 'memory' }))[0] as Extract<Response, { type: 'memory' }>).numTensors;

  beforeAll(async () => {
    requireWeights();
    host = imagenetModelHost((m) => messages.push(m));
    expect(await send({ type: 'init', backend: 'wasm' })).toMatchObject([{ type: 'backend' }]);
    expect(await send({ type: 'load', source: { kind: 'imagenet' } })).toMatchObject([{ type: 'loaded' }]);
    // An ImageNet load defers its LayersModel (src/worker/loaded-model.ts); build it now so tensor counts compare like with like.
    expect(host.model).toBeDefined();
    const px = decodeImage(await readFile(fixture('imagenet', 'elephant.jpg')), 'elephant.jpg');
    x = preprocess(px, imagenetResNet50Spec());
    elephant = await rgbaOf(px);
    px.dispose();
  }, 300_000);
  afterAll(() => {
    x?.dispose();
    host?.dispose();
  });

  it('before any image: a NoImageError that says to classify one', async () => {
    const [r] = await send({ type: 'activations', layers: ['conv2_block1_out'], maxChannels: 8 });
    expect(r).toMatchObject({ type: 'error', error: { name: 'NoImageError', message: expect.stringMatching(/No image has been classified yet with ResNet50: classify one in Classify/) } });
  });

  it('conv2_block1: branch (3_bn) + shortcut (0_bn) = add within 1e-4, ReLU(add) = out; no tensor left', async () => {
    const before = tf.memory().numTensors;
    const [branch, shortcut, add, out] = layerOutputs(host.model!, x, partNames);
    expect(branch.shape).toEqual([1, 56, 56, 256]);
    const [d1, d2, addMax] = tf.tidy(() => [
      tf.max(tf.abs(tf.sub(tf.add(branch, shortcut), add))),
      tf.max(tf.abs(tf.sub(tf.relu(add), out))),
      tf.max(tf.abs(add)),
    ]);
    const [e1, e2, m] = [(await d1.data())[0], (await d2.data())[0], (await addMax.data())[0]];
    console.log(`conv2_block1: max |branch + shortcut − add| = ${e1.toExponential(2)}, max |relu(add) − out| = ${e2}, max |add| = ${m.toFixed(2)}`);
    expect(e1).toBeLessThan(1e-4);
    expect(e2).toBe(0);
    // The parts are not trivially zero: the check could fail.
    expect(m).toBeGreaterThan(1);
    tf.dispose([branch, shortcut, add, out, d1, d2, addMax]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('activationMaps: channels by descending mean of the chosen layer, one scale, tiles on it; no tensor left', async () => {
    const before = tf.memory().numTensors;
    const r = await activationMaps(host.model!, x, partNames, { maxChannels: 12, orderBy: parts.add });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.totalChannels).toBe(256);
    expect(r.channels).toHaveLength(12);
    const means = r.layers[2].means;
    expect(means).toHaveLength(256);
    const shown = r.channels.map((c) => means[c]);
    for (let i = 1; i < shown.length; i++) expect(shown[i]).toBeLessThanOrEqual(shown[i - 1]);
    const rest = Array.from(means).filter((_, c) => !r.channels.includes(c));
    expect(Math.max(...rest)).toBeLessThanOrEqual(shown[shown.length - 1]);
    expect(r.layers.map((l) => l.shape)).toEqual(partNames.map(() => [56, 56, 256]));
    expect([r.tileHeight, r.tileWidth, r.downsample]).toEqual([56, 56, 1]);
    for (const l of r.layers) expect(l.tiles).toHaveLength(12 * 56 * 56);
    // BN outputs are signed: a diverging scale, zero in the middle; its end inside the values' range.
    expect(r.scale.diverging).toBe(true);
    expect(r.scale.lo).toBe(-r.scale.hi);
    expect(r.scale.hi).toBeLessThanOrEqual(Math.max(...r.layers.map((l) => Math.max(-l.min, l.max))));
    // The ReLU output is ≥ 0: its tiles sit in the upper half of the diverging scale.
    expect(Math.min(...r.layers[3].tiles)).toBeGreaterThanOrEqual(127);
    // The channel means agree with the layer's own mean.
    const mean = tf.tidy(() => tf.mean(layerOutputs(host.model!, x, [parts.add])[0], [0, 1, 2]));
    const direct = await mean.data();
    mean.dispose();
    for (const c of r.channels) expect(means[c]).toBeCloseTo(direct[c], 5);
    // A conv1 map is box-averaged to ≤ 64 px; a vector layer is 1×1 per channel.
    const conv1 = await activationMaps(host.model!, x, ['conv1_relu'], { maxChannels: 64 });
    expect([conv1.tileHeight, conv1.downsample, conv1.scale.diverging]).toEqual([56, 2, false]);
    const pool = await activationMaps(host.model!, x, ['avg_pool'], { maxChannels: 5 });
    expect([pool.totalChannels, pool.tileHeight, pool.layers[0].shape]).toEqual([2048, 1, [2048]]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('through the worker host after classify: the same order, tiles transferred, tensors as before', async () => {
    const c = await send({ type: 'classify', image: elephant, name: 'elephant.jpg', gradcam: false });
    expect(c[0]).toMatchObject({ type: 'classified', top: [{ index: 386 }, {}, {}, {}, {}] });
    const before = await numTensors();
    const [r] = await send({ type: 'activations', layers: partNames, maxChannels: 16, orderBy: parts.add });
    if (r.type !== 'activations') throw new Error(JSON.stringify(r));
    const rep: ActivationsReport = r.result;
    expect(rep).toMatchObject({ image: 'elephant.jpg', model: 'ResNet50', orderBy: 'conv2_block1_add', totalChannels: 256 });
    const direct = await activationMaps(host.model!, x, partNames, { maxChannels: 16, orderBy: parts.add });
    expect(rep.channels).toEqual(direct.channels);
    console.log(`feature maps of conv2_block1 in the host: ${rep.ms.toFixed(0)} ms; top channels ${rep.channels.slice(0, 6).join(', ')}; scale ±${rep.scale.hi.toFixed(2)} (${(rep.scale.clipped * 100).toFixed(2)} % clipped)`);
    expect(await numTensors()).toBe(before);
    const [bad] = await send({ type: 'activations', layers: ['conv9_block1_out'], maxChannels: 4 });
    expect(bad).toMatchObject({ type: 'error', error: { name: 'ActivationsError', message: expect.stringMatching(/ResNet50\) has no layer conv9_block1_out/) } });
  });

  it('another model loaded: a ModelChangedError, and the kept image is freed', async () => {
    expect(await send({ type: 'load', source: { kind: 'random', preset: 'ResNet-20' } })).toMatchObject([{ type: 'loaded' }]);
    const before = await numTensors();
    const [r] = await send({ type: 'activations', layers: ['conv1_relu'], maxChannels: 4 });
    expect(r).toMatchObject({ type: 'error', error: { name: 'ModelChangedError', message: expect.stringMatching(/changed since elephant\.jpg was classified \(now ResNet-20\)/) } });
    expect(await numTensors()).toBe(before - 1);
    const [again] = await send({ type: 'activations', layers: ['conv1_relu'], maxChannels: 4 });
    expect(again).toMatchObject({ type: 'error', error: { name: 'NoImageError' } });
  });
});
