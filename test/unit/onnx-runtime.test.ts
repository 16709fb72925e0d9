/**
 * Exported ONNX files run in onnxruntime-web (wasm, Node) and give our tfjs model's outputs on the same input:
 * max abs difference < 1e-4 on the final output and on intermediate features (a softmax over 1000 classes of a
 * random net is ~1e-3 everywhere and would hide errors). Real weights: Keras' ImageNet ResNet50 (and the Keras
 * test elephant, preprocessed from the file's own metadata) and akamaster's trained CIFAR ResNet-20 (against the
 * numpy reference logits too). Random weights, BN statistics randomised so BN is not an identity: ResNet50V2,
 * ResNeXt50, resnet18, PreAct-ResNet-164 and small custom specs with Keras 'same' padding on even and odd sizes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArchSpec, getPreset } from '../../src/core';
import { parseNpz } from '../../src/core/npz';
import { exportOnnx } from '../../src/export/onnx';
import { onnx } from '../../src/export/onnx/proto';
import { loadAkamasterWeights } from '../../src/tf/akamaster';
import { buildModel } from '../../src/tf/build';
import { exportInputFromModel } from '../../src/tf/export-input';
import { imagenetResNet50, imagenetResNet50Spec } from '../../src/tf/imagenet';
import { IMAGENET_CLASSES } from '../../src/tf/imagenet-labels';
import { initNodeBackend } from '../../src/tf/node-backend';
import { decodeImage } from '../../src/tf/node-image';
import { IMAGENET_RESNET50_JSON, readLayersModel } from '../../src/tf/node-io';
import { resizeTo } from '../../src/tf/preprocess';
import reference from '../data/akamaster-logits.json';
import { akamasterInputs } from './helpers/akamaster-inputs';
import { fixture, requireWeights, SKIP_WEIGHTS } from './helpers/fixtures';
import { maxAbs, maxAbsDiff, runOnnx, toNchw } from './helpers/onnx';
import { checkOnnxFiles, SKIP_ONNX_CHECK } from './helpers/onnx-checker';

const TOL = 1e-4;
const SLOW = 600_000;

/** Figures for the report: printed once at the end. */
const figures: string[] = [];

interface Compared {
  readonly bytes: Uint8Array;
  readonly exportMs: number;
  /** Layer → [max abs diff, max abs value]. */
  readonly diffs: Map<string, [number, number]>;
  readonly onnxOut: Map<string, Float32Array>;
}

/** Export `model`, run both on `x` (NHWC) and compare the outputs of `layers` (our Keras names). */
async function compare(spec: ArchSpec, model: tf.LayersModel, x: tf.Tensor4D, layers: readonly string[], weightsLabel = 'random'): Promise<Compared> {
  const started = Date.now();
  const { files } = exportOnnx(exportInputFromModel(spec, model, { weightsLabel }));
  const exportMs = Date.now() - started;
  const bytes = files[0].bytes;
  const probe = tf.model({ inputs: model.inputs, outputs: layers.map((l) => model.getLayer(l).output as tf.SymbolicTensor) });
  const want = tf.tidy(() => {
    const out = probe.predict(x);
    return (Array.isArray(out) ? out : [out]).map(toNchw);
  });
  const got = await runOnnx(bytes, toNchw(x), [x.shape[0], x.shape[3], x.shape[1], x.shape[2]], layers);
  const diffs = new Map<string, [number, number]>();
  const onnxOut = new Map<string, Float32Array>();
  layers.forEach((l, i) => {
    const g = got.get(l)!.data as Float32Array;
    onnxOut.set(l, g);
    diffs.set(l, [maxAbsDiff(g, want[i]), maxAbs(want[i])]);
  });
  const fmt = [...diffs].map(([l, [d, s]]) => `${l} ${d.toExponential(1)} (|max| ${s.toPrecision(3)})`).join(', ');
  figures.push(`${spec.name} ${spec.input.join('×')}: ${(bytes.length / 2 ** 20).toFixed(1)} MiB, export ${exportMs} ms; ${fmt}`);
  return { bytes, exportMs, diffs, onnxOut };
}

function expectClose(c: Compared): void {
  for (const [layer, [diff, scale]] of c.diffs) {
    expect(diff, layer).toBeLessThan(TOL);
    // The compared values are not trivially small (a 1000-class softmax of a random net is ~1e-3 everywhere,
    // which is why features are compared too).
    expect(scale, layer).toBeGreaterThan(layer === 'predictions' ? 1e-4 : 0.1);
  }
}

/** Random BN statistics and affine parameters, so a wrong epsilon, order or layout shows. */
function randomiseBn(model: tf.LayersModel, seed: number): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const c = layer.weights[0].shape[0]!;
    const s = seed++ * 4;
    const values = [
      tf.randomUniform([c], 0.6, 1.2, 'float32', s),
      tf.randomUniform([c], -0.2, 0.2, 'float32', s + 1),
      tf.randomUniform([c], -0.2, 0.2, 'float32', s + 2),
      tf.randomUniform([c], 0.5, 1.5, 'float32', s + 3),
    ];
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** Keras' default Glorot-uniform kernels keep a random net's activations O(1) (He init grows PreAct-164's to ~10³). */
function randomModel(spec: ArchSpec): tf.LayersModel {
  const model = buildModel(spec);
  randomiseBn(model, 1);
  return model;
}

const batch = (spec: ArchSpec, n: number, seed: number) => tf.randomUniform([n, ...spec.input], -1, 1, 'float32', seed) as tf.Tensor4D;

beforeAll(async () => {
  await initNodeBackend('wasm');
});
afterAll(() => {
  console.log(`ONNX vs tfjs (max abs diff per output):\n  ${figures.join('\n  ')}`);
});

describe.skipIf(SKIP_WEIGHTS)('ONNX export of the ImageNet ResNet50 (224×224)', () => {
  let model: tf.LayersModel;
  let bytes: Uint8Array;
  const spec = imagenetResNet50Spec();

  beforeAll(async () => {
    requireWeights();
    model = imagenetResNet50(await readLayersModel(IMAGENET_RESNET50_JSON));
  }, SLOW);
  afterAll(() => model?.dispose());

  it('matches tfjs to 1e-4 on the last block, the pooled features and the probabilities', async () => {
    const x = tf.randomUniform([2, 224, 224, 3], -124, 152, 'float32', 7) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const c = await compare(spec, model, x, ['conv5_block3_out', 'avg_pool', 'predictions'], 'imagenet (Keras)');
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    expectClose(c);
    bytes = c.bytes;
    if (!SKIP_ONNX_CHECK) {
      // The real artifact through ONNX's own checker too (the preset sweep in onnx-checker.test.ts is structure only).
      const dir = mkdtempSync(join(tmpdir(), 'onnx-r50-'));
      try {
        writeFileSync(join(dir, 'resnet50.onnx'), bytes);
        expect(Object.values(checkOnnxFiles([join(dir, 'resnet50.onnx')]).results)).toEqual(['ok']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    // 25,636,712 float32 parameters (Keras' count, BN moving statistics included) plus a little structure.
    expect(bytes.length).toBeGreaterThan(25_636_712 * 4);
    expect(bytes.length).toBeLessThan(25_636_712 * 4 + 200_000);
  }, SLOW);

  it('classifies the Keras test elephant as African_elephant, preprocessed from the file’s metadata_props', async () => {
    const meta = new Map(onnx.ModelProto.decode(bytes).metadataProps.map((e) => [e.key, e.value]));
    expect(meta.get('preprocessing_mode')).toBe('caffe');
    const size = JSON.parse(meta.get('input_size')!) as [number, number];
    const mean = JSON.parse(meta.get('mean')!) as number[];
    const std = JSON.parse(meta.get('std')!) as number[];
    const scale = Number(meta.get('pixel_scale'));
    const order = meta.get('channel_order') === 'BGR' ? [2, 1, 0] : [0, 1, 2];
    const img = decodeImage(readFileSync(fixture('imagenet', 'elephant.jpg')), 'elephant.jpg');
    const rgb = tf.tidy(() => resizeTo(img, size).dataSync() as Float32Array);
    img.dispose();
    const [h, w] = size;
    const nchw = new Float32Array(3 * h * w);
    for (let c = 0; c < 3; c++)
      for (let i = 0; i < h * w; i++) nchw[c * h * w + i] = (rgb[i * 3 + order[c]] * scale - mean[c]) / std[c];
    const probs = (await runOnnx(bytes, nchw, [1, 3, h, w], ['predictions'])).get('predictions')!.data as Float32Array;
    const top = probs.indexOf(Math.max(...probs));
    expect(top).toBe(386);
    expect(IMAGENET_CLASSES[top][1]).toBe('African_elephant');
    expect(probs[top]).toBeGreaterThan(0.7);
    figures.push(`elephant.jpg through ONNX: ${IMAGENET_CLASSES[top][1]} ${probs[top].toFixed(4)}`);
  }, SLOW);
});

describe('ONNX export of trained and random networks', () => {
  it('CIFAR ResNet-20 option A with akamaster’s trained weights: tfjs and the numpy reference logits to 1e-4', async () => {
    const npz = readFileSync(fixture('cifar-akamaster', 'resnet20-12fca82f.npz'));
    const spec = getPreset('ResNet-20');
    const model = buildModel(spec);
    loadAkamasterWeights(model, await parseNpz(new Uint8Array(npz)));
    const x = akamasterInputs();
    const c = await compare(spec, model, x, ['conv3_block1_0_pad', 'avg_pool', 'predictions'], 'akamaster CIFAR-10');
    expectClose(c);
    const logits = c.onnxOut.get('predictions')!;
    const want = reference.models['ResNet-20'].logits;
    const flat = want.flat();
    expect(maxAbsDiff(logits, flat)).toBeLessThan(TOL);
    figures.push(`ResNet-20 akamaster: ONNX vs numpy reference logits ${maxAbsDiff(logits, flat).toExponential(1)}`);
    x.dispose();
    model.dispose();
  }, SLOW);

  const cases: [string, ArchSpec, readonly string[], number][] = [
    ['ResNet50V2', { ...getPreset('ResNet50V2'), input: [64, 64, 3] }, ['conv3_block4_out', 'post_relu', 'avg_pool', 'predictions'], 2],
    ['ResNeXt50', { ...getPreset('ResNeXt50'), input: [64, 64, 3] }, ['conv2_block1_2_conv', 'conv5_block3_out', 'avg_pool', 'predictions'], 2],
    ['resnet18', getPreset('resnet18'), ['conv5_block2_out', 'avg_pool', 'predictions'], 1],
    ['PreAct-ResNet-164', getPreset('PreAct-ResNet-164'), ['conv3_block1_0_conv', 'post_relu', 'avg_pool', 'predictions'], 2],
  ];
  // Keras V1 'same' padding with stride-2 3×3 convs: asymmetric pads (0 before, 1 after) on even sides,
  // symmetric on odd ones; option C projections; global max pooling and a 4-D (no pooling) output.
  const custom: ArchSpec = {
    ...getPreset('ResNet-20'),
    name: 'same-pad-v1',
    family: 'custom',
    pad3x3: 'same',
    shortcut: 'C',
    convBias: 'all',
    stages: [
      { blocks: 1, width: 8, stride: 1 },
      { blocks: 2, width: 16, stride: 2 },
      { blocks: 1, width: 32, stride: 2 },
    ],
    head: { ...getPreset('ResNet-20').head, includeTop: false, pooling: 'max' },
  };
  cases.push(
    ['same-pad-v1 even', custom, ['conv3_block1_1_conv', 'conv4_block1_1_conv', 'conv4_block1_out', 'max_pool'], 2],
    ['same-pad-v1 odd', { ...custom, input: [33, 35, 3] }, ['conv3_block1_1_conv', 'conv4_block1_1_conv', 'conv4_block1_out', 'max_pool'], 2],
    ['same-pad-v1 no pooling', { ...custom, input: [30, 30, 3], head: { ...custom.head, pooling: 'none' } }, ['conv3_block2_out', 'conv4_block1_out'], 1],
  );
  for (const [name, spec, layers, n] of cases) {
    it(`${name} ${spec.input.slice(0, 2).join('×')} (random weights and BN statistics) matches tfjs to 1e-4`, async () => {
      const model = randomModel(spec);
      const x = batch(spec, n, 3);
      const c = await compare(spec, model, x, layers);
      x.dispose();
      model.dispose();
      expectClose(c);
    }, SLOW);
  }
});
