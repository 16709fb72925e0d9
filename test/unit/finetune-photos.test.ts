/**
 * Transfer learning end to end on real photos (wasm): a small folder made in code from the fixture photos —
 * random crops, mirrors and brightness changes of the Keras elephant and of the Caffe cat, one class each,
 * written as JPEG files in class sub-folders, plus a planted duplicate and a corrupt file. Features are extracted
 * once (with conv5's inputs); both heads reach ≥ 90 % validation accuracy, the confusion matrix sums to the
 * validation count, conv5 fine-tuning changes only conv5 (BN statistics kept), the saved model reloads and
 * predicts identically, and the CLI's --json equals these in-process figures for the same seed.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/cli/classify';
import { folderImages } from '../../src/cli/finetune';
import { main } from '../../src/cli/main';
import type { ArchSpec } from '../../src/core';
import { combinedModel, disposeHead, releaseCombined, rng, trainHead } from '../../src/tf/finetune';
import { type Dataset, extractDataset } from '../../src/tf/finetune-data';
import { evaluateHead } from '../../src/tf/finetune-eval';
import { disposeStage, finetuneStage, type StageResult, stageCut } from '../../src/tf/finetune-stage';
import { exportLayersModel } from '../../src/tf/layers-model-export';
import { decodeImage } from '../../src/tf/node-image';
import { initNodeWasm } from '../../src/tf/node-wasm';
import { readWeightsSource } from '../../src/tf/node-weights';
import { preprocess } from '../../src/tf/preprocess';
import { loadWeightsSource, weightsMetadata } from '../../src/tf/weights-source';
import { fixture, requireWeights, SKIP_WEIGHTS } from '../helpers/fixtures';

const PER_CLASS = 10;
const SEED = 7;
const VAL = 0.3;
const EPOCHS = 15;
const SIDE = 160;

/** A seeded random crop (55–90 % of each side), maybe mirrored, brightness × 0.75…1.25, resized to SIDE², as JPEG bytes. */
function variant(img: tf.Tensor3D, random: () => number): Uint8Array {
  const rgb = tf.tidy(() => {
    const [H, W] = img.shape;
    const h = Math.round(H * (0.55 + 0.35 * random()));
    const w = Math.round(W * (0.55 + 0.35 * random()));
    const top = Math.floor((H - h) * random());
    const left = Math.floor((W - w) * random());
    let c = tf.slice(img, [top, left, 0], [h, w, 3]).toFloat();
    if (random() < 0.5) c = tf.reverse(c, 1);
    c = tf.clipByValue(tf.mul(c, 0.75 + 0.5 * random()), 0, 255);
    return tf.image.resizeBilinear(c as tf.Tensor3D, [SIDE, SIDE]).round().toInt();
  });
  const px = rgb.dataSync();
  rgb.dispose();
  const rgba = new Uint8Array(SIDE * SIDE * 4);
  for (let i = 0; i < SIDE * SIDE; i++) {
    rgba.set([px[3 * i], px[3 * i + 1], px[3 * i + 2], 255], 4 * i);
  }
  return jpeg.encode({ data: rgba, width: SIDE, height: SIDE }, 90).data;
}

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const sum = (m: number[][]) => m.flat().reduce((a, b) => a + b, 0);
const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe.skipIf(SKIP_WEIGHTS)('fine-tuning on a folder of real photos (wasm)', () => {
  let dir: string;
  /** Outputs go outside the data folder (else the next read of it would list them). */
  let outs: string;
  let base: tf.LayersModel;
  let spec: Pick<ArchSpec, 'input' | 'preprocessing'>;
  let data: Dataset;
  let classNames: string[];
  let dense: { valAccuracy: number; confusion: number[][]; bestEpoch: number; valLoss: number; epochs: number };
  let description: Parameters<typeof weightsMetadata>[0];
  const timings: string[] = [];

  beforeAll(async () => {
    requireWeights();
    await initNodeWasm();
    dir = mkdtempSync(join(tmpdir(), 'finetune-photos-'));
    outs = mkdtempSync(join(tmpdir(), 'finetune-photos-out-'));
    const random = rng(SEED);
    for (const [cls, file] of [
      ['cat', 'cat.jpg'],
      ['elephant', 'elephant.jpg'],
    ] as const) {
      mkdirSync(join(dir, cls));
      const img = decodeImage(readFileSync(fixture('imagenet', file)), file);
      for (let i = 0; i < PER_CLASS; i++) writeFileSync(join(dir, cls, `${cls}-${String(i).padStart(2, '0')}.jpg`), variant(img, random));
      img.dispose();
    }
    // Planted: an identical copy (must stay on the same side of the split) and a corrupt file (skipped, listed).
    copyFileSync(join(dir, 'cat', 'cat-03.jpg'), join(dir, 'cat', 'cat-03-copy.jpg'));
    writeFileSync(join(dir, 'elephant', 'broken.jpg'), new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]));
    const loaded = await loadModel('ResNet50', 'imagenet', () => {}, 'float16');
    base = loaded.model;
    description = loaded.description;
    spec = { input: loaded.spec.input, preprocessing: loaded.description.preprocessing.mode };
    const folder = await folderImages(dir);
    classNames = folder.classNames;
    const t0 = performance.now();
    data = await extractDataset(base, spec, folder.images, { validationSplit: VAL, flip: false, seed: SEED, classNames, stage: true });
    const s = (performance.now() - t0) / 1000;
    timings.push(`feature extraction (with conv4 outputs kept): ${(folder.images.length / s).toFixed(2)} images/s (${folder.images.length} images, ${s.toFixed(1)} s)`);
  }, 600_000);

  afterAll(() => {
    if (data) tf.dispose([data.train.x, data.val.x, data.stage!.train.x, data.stage!.val.x]);
    base?.dispose();
    for (const d of [dir, outs]) if (d) rmSync(d, { recursive: true, force: true });
    console.info(`[finetune-photos] ${timings.join('; ')}`);
  });

  it('reads the folder in Keras order, skips the corrupt file with its error, reports the duplicate kept on one side', () => {
    expect(classNames).toEqual(['cat', 'elephant']);
    expect(data.skipped).toEqual([{ name: 'elephant/broken.jpg', reason: expect.stringMatching(/broken\.jpg/) }]);
    expect(data.used.filter((l) => l === 0)).toHaveLength(PER_CLASS + 1);
    expect(data.used.filter((l) => l === 1)).toHaveLength(PER_CLASS);
    const dup = data.hygiene!.duplicates;
    expect(dup.map((d) => d.names)).toEqual([['cat/cat-03-copy.jpg', 'cat/cat-03.jpg']]);
    expect(new Set(dup[0].sides).size).toBe(1);
    expect(data.hygiene!.warnings.join('\n')).toMatch(/identical files in "cat": cat\/cat-03-copy\.jpg, cat\/cat-03\.jpg \(kept together/);
    expect(data.val.names!.length).toBe(data.val.labels.length);
    expect(data.stage!.train.x.shape).toEqual([data.train.labels.length, 14, 14, 1024]);
  });

  it('both heads reach ≥ 90 % validation accuracy; the confusion matrix sums to the validation count', async () => {
    for (const head of ['dense', 'dense2048'] as const) {
      const before = tf.memory().numTensors;
      const t0 = performance.now();
      const h = await trainHead(data.train, 2, { head, dropout: head === 'dense2048' ? 0.3 : 0, epochs: EPOCHS, seed: SEED, val: data.val });
      const ms = performance.now() - t0;
      timings.push(`${head} head training: ${((data.train.labels.length * EPOCHS) / (ms / 1000)).toFixed(0)} images/s`);
      const ev = await evaluateHead(h, data.val, 2);
      expect(sum(ev.confusion)).toBe(data.val.labels.length);
      expect(ev.predictions.map((p) => p.name)).toEqual(data.val.names);
      expect(ev.predictions[0].top).toHaveLength(2);
      expect(ev.accuracy).toBeGreaterThanOrEqual(0.9);
      expect(ev.accuracy).toBeCloseTo(h.history.at(-1)!.valAccuracy!, 6);
      timings.push(`${head} val accuracy ${ev.accuracy}`);
      // Same seed → the same weights (dropout masks included).
      const again = await trainHead(data.train, 2, { head, dropout: head === 'dense2048' ? 0.3 : 0, epochs: 2, seed: SEED });
      const again2 = await trainHead(data.train, 2, { head, dropout: head === 'dense2048' ? 0.3 : 0, epochs: 2, seed: SEED });
      expect(again.weights.map(values)).toEqual(again2.weights.map(values));
      if (head === 'dense') {
        const best = h.history[h.bestEpoch - 1];
        dense = { valAccuracy: best.valAccuracy!, confusion: ev.confusion, bestEpoch: h.bestEpoch, valLoss: best.valLoss!, epochs: h.history.length };
      }
      for (const x of [h, again, again2]) disposeHead(x);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('conv5 fine-tuning: 1 epoch changes conv5 and the head, keeps conv1–4 and BN statistics, saves and reloads identically, leaks nothing', async () => {
    const before = tf.memory().numTensors;
    // A head trained one epoch, so the stage's epoch still has a loss to lower: after five, its logits saturated on
    // these 16 photos (training loss 0 in float32) and the stage's epoch moved it by 1e-13 at most.
    const head = await trainHead(data.train, 2, { head: 'dense2048', epochs: 1, seed: SEED, val: data.val });
    const c = stageCut(base);
    expect(c.cut.sourceLayer.name).toBe('conv4_block6_out');
    const conv4 = values(base.getLayer('conv4_block6_3_conv').getWeights()[0]).slice(0, 1000);
    const batches: number[] = [];
    const t0 = performance.now();
    const r: StageResult = await finetuneStage(base, head, data.stage!, 2, { epochs: 1, seed: SEED, onBatch: (d) => batches.push(d) });
    const s = (performance.now() - t0) / 1000;
    timings.push(
      `conv5 fine-tuning: ${(r.msPerEpoch / 1000).toFixed(1)} s/epoch on ${data.train.labels.length} images (${(data.train.labels.length / (r.msPerEpoch / 1000)).toFixed(2)} images/s; ${s.toFixed(1)} s with evaluation); val acc ${r.before?.valAccuracy} → ${r.history[0].valAccuracy}`,
    );
    expect(batches).toEqual(Array.from({ length: Math.ceil(data.train.labels.length / 8) }, (_, i) => i + 1));
    expect(r.history).toHaveLength(1);
    expect(r.stage.layerNames[0]).toBe('conv5_block1_1_conv');
    expect(r.stage.layerNames.at(-1)).toBe('avg_pool');
    // conv5 kernels changed; BN moving statistics (weights 2 and 3 of each BN layer) equal the base's.
    const k = r.stage.layerNames.indexOf('conv5_block3_3_conv');
    expect(values(r.stage.weights[k][0])).not.toEqual(values(base.getLayer('conv5_block3_3_conv').getWeights()[0]));
    const bn = r.stage.layerNames.indexOf('conv5_block3_3_bn');
    const baseBn = base.getLayer('conv5_block3_3_bn').getWeights();
    expect(values(r.stage.weights[bn][2])).toEqual(values(baseBn[2]));
    expect(values(r.stage.weights[bn][3])).toEqual(values(baseBn[3]));
    const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
    for (const i of [0, 2]) expect(maxDiff(r.head.weights[i], head.weights[i])).toBeGreaterThan(0);
    expect(values(base.getLayer('conv4_block6_3_conv').getWeights()[0]).slice(0, 1000)).toEqual(conv4);

    // The combined model (shared conv1–4, own conv5 and head) saved as tfjs files and loaded back through the app's loader.
    const model = combinedModel(base, r.head, 'resnet_finetuned', r.stage);
    const x = tf.tidy(() => preprocess(decodeImage(readFileSync(join(dir, 'cat', 'cat-00.jpg')), 'cat-00.jpg'), spec));
    const p1 = model.predict(x) as tf.Tensor;
    const out = join(outs, 'saved');
    mkdirSync(out);
    const m = await exportLayersModel(model, 'model', weightsMetadata(description, classNames));
    writeFileSync(join(out, 'model.json'), m.modelJson);
    writeFileSync(join(out, `${m.name}.weights.bin`), new Uint8Array(m.weights));
    releaseCombined(model);
    const reloaded = await loadWeightsSource(await readWeightsSource(join(out, 'model.json'), 'ResNet50'));
    expect(reloaded.weights.labels).toEqual(classNames);
    expect(reloaded.model.getLayer('fc1').getClassName()).toBe('Dense');
    const p2 = reloaded.model.predict(x) as tf.Tensor;
    expect(values(p2)).toEqual(values(p1));
    reloaded.model.dispose();
    tf.dispose([x, p1, p2]);
    disposeHead(head);
    disposeHead(r.head);
    disposeStage(r.stage);
    expect(tf.memory().numTensors).toBe(before);
  }, 600_000);

  it("the CLI's --json equals the in-process figures for the same seed; classify --weights uses its class names", async () => {
    const out = join(outs, 'cli-out');
    const r = await cli(['finetune', dir, '--out', out, '--epochs', String(EPOCHS), '--val', String(VAL), '--seed', String(SEED), '--no-flip', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({
      classes: classNames,
      counts: [PER_CLASS + 1, PER_CLASS],
      epochs: dense.epochs,
      best: { epoch: dense.bestEpoch, valAccuracy: dense.valAccuracy },
      confusion: dense.confusion,
      skipped: [{ name: 'elephant/broken.jpg', reason: expect.any(String) }],
    });
    expect(json.best.valLoss).toBeCloseTo(dense.valLoss, 6);
    expect(json.warnings.join('\n')).toMatch(/identical files in "cat"/);
    expect(readFileSync(join(out, 'classes.txt'), 'utf8')).toBe('cat\nelephant\n');
    expect(json.files).toEqual(['model.json', 'model.weights.bin', 'model.weights.h5', 'classes.txt', 'model.onnx']);
    expect(readFileSync(join(out, 'model.onnx')).length).toBeGreaterThan(90e6);
    expect(readFileSync(join(out, 'model.weights.h5')).subarray(0, 4)).toEqual(Buffer.from([0x89, 0x48, 0x44, 0x46]));
    const c = await cli(['classify', join(dir, 'elephant', 'elephant-01.jpg'), '--weights', join(out, 'model.json'), '--json']);
    expect(c.code, c.stderr).toBe(0);
    const top = JSON.parse(c.stdout)[0].top;
    expect(top.map((t: { label: string }) => t.label).sort()).toEqual(['cat', 'elephant']);
    expect(top[0].label).toBe('elephant');
  }, 600_000);
});
