/**
 * Fine-tuning a new head on the real ImageNet ResNet50 (wasm): crops of the Keras elephant vs the Caffe cat.
 * The head learns the two classes (training accuracy 100 %, falling loss), held-out crops are classified right
 * by the combined model, cancel stops with nothing leaked, and the combined model's Keras .h5 reloads into a
 * freshly built fine-tuned ResNet50 with the same outputs.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/tf/build';
import { predictProbs } from '../../src/tf/classify';
import { CancelledError } from '../../src/tf/errors';
import {
  adoptCombined,
  combinedModel,
  disposeHead,
  featureExtractor,
  featureSize,
  finetunedSpec,
  releaseCombined,
  splitIndices,
  trainHead,
} from '../../src/tf/finetune';
import { extractDataset, type LabelledImage } from '../../src/tf/finetune-data';
import { readKerasH5, writeKerasH5 } from '../../src/tf/h5/keras-h5';
import { assignKerasWeights, modelToKerasWeights } from '../../src/tf/h5/model-weights';
import { imagenetResNet50, imagenetResNet50Spec } from '../../src/tf/imagenet';
import { initNodeBackend } from '../../src/tf/node-backend';
import { decodeImage } from '../../src/tf/node-image';
import { IMAGENET_RESNET50_JSON, readLayersModel } from '../../src/tf/node-io';
import { preprocess } from '../../src/tf/preprocess';
import { fixture, requireWeights, SKIP_WEIGHTS } from '../helpers/fixtures';

/** [top, left, height, width] as fractions of the image; the last two of each class are held out. */
const BOXES = [
  [0, 0, 0.8, 0.8],
  [0.2, 0.2, 0.8, 0.8],
  [0, 0.2, 0.9, 0.7],
  [0.1, 0, 0.85, 0.75],
  [0.05, 0.1, 0.7, 0.9],
] as const;
const HELD_OUT = [
  [0.15, 0.05, 0.8, 0.9],
  [0.1, 0.1, 0.75, 0.75],
] as const;

function crop(img: tf.Tensor3D, [t, l, h, w]: readonly number[], mirror = false): tf.Tensor3D {
  return tf.tidy(() => {
    const [H, W] = img.shape;
    const c = tf.slice(img, [Math.round(t * H), Math.round(l * W), 0], [Math.round(h * H), Math.round(w * W), 3]);
    return (mirror ? tf.reverse(c, 1) : c) as tf.Tensor3D;
  });
}

describe('validation split', () => {
  it('is per class, deterministic for a seed, keeps a training image per class', () => {
    const labels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2];
    const a = splitIndices(labels, 0.4, 7);
    expect(splitIndices(labels, 0.4, 7)).toEqual(a);
    expect(a.val.filter((i) => labels[i] === 0)).toHaveLength(2);
    expect(a.val.filter((i) => labels[i] === 1)).toHaveLength(2);
    expect(a.train).toContain(10); // a single image stays in training
    expect([...a.train, ...a.val].sort((x, y) => x - y)).toEqual(labels.map((_, i) => i));
    expect(splitIndices(labels, 0.4, 8)).not.toEqual(a);
    expect(splitIndices(labels, 0, 7).val).toEqual([]);
    expect(() => splitIndices(labels, 1, 7)).toThrow(/validation split must be in \[0, 1\); got 1/);
  });
});

describe.skipIf(SKIP_WEIGHTS)('fine-tuning ResNet50 (ImageNet) on elephant vs cat crops (wasm)', () => {
  let base: tf.LayersModel;
  let elephant: tf.Tensor3D;
  let cat: tf.Tensor3D;
  let images: LabelledImage[];
  const spec = imagenetResNet50Spec();

  beforeAll(async () => {
    requireWeights();
    await initNodeBackend('wasm');
    base = imagenetResNet50(await readLayersModel(IMAGENET_RESNET50_JSON));
    elephant = decodeImage(readFileSync(fixture('imagenet', 'elephant.jpg')), 'elephant.jpg');
    cat = decodeImage(readFileSync(fixture('imagenet', 'cat.jpg')), 'cat.jpg');
    images = [elephant, cat].flatMap((img, label) =>
      BOXES.map((b, i) => ({ name: `${label}-${i}`, label, pixels: () => crop(img, b, i % 2 === 1) })),
    );
  });
  afterAll(() => {
    base?.dispose();
    tf.dispose([elephant, cat]);
  });

  it('extracts 2048-d avg_pool features from the base layers (no weight copy)', () => {
    const ex = featureExtractor(base);
    expect(featureSize(base)).toBe(2048);
    expect(ex.outputs[0].shape).toEqual([null, 2048]);
    expect(ex.layers.at(-1)!.name).toBe('avg_pool');
    expect(ex.getLayer('conv1_conv')).toBe(base.getLayer('conv1_conv'));
  });

  it('trains a head: loss falls, training accuracy 100 %, held-out crops classified right, nothing leaked', async () => {
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const t0 = performance.now();
    const data = await extractDataset(base, spec, images, { validationSplit: 0.2, flip: true, seed: 1, onImage: (d) => progress.push(d) });
    const extractS = (performance.now() - t0) / 1000;
    expect(progress).toEqual(images.map((_, i) => i + 1));
    expect(data.skipped).toEqual([]);
    // 5 per class, 1 of each held out; the 4 training images of each class also mirrored.
    expect(data.val.labels).toEqual([0, 1]);
    expect(data.train.labels).toHaveLength(16);
    expect(data.train.x.shape).toEqual([16, 2048]);

    const logs: number[] = [];
    const head = await trainHead(data.train, 2, { epochs: 8, batchSize: 8, val: data.val, seed: 3, onEpoch: (l) => logs.push(l.loss) });
    const h = head.history;
    expect(h).toHaveLength(8);
    expect(h.at(-1)!.loss).toBeLessThan(h[0].loss);
    expect(h.at(-1)!.accuracy).toBe(1);
    expect(h.at(-1)!.valAccuracy).toBe(1);
    expect(logs).toEqual(h.map((l) => l.loss));
    console.info(
      `[finetune] feature extraction ${((extractS / images.length) * 1000).toFixed(0)} ms/image (with mirror for training images, msPerImage ${data.msPerImage.toFixed(0)}); ` +
        `head training ${(h.reduce((a, l) => a + l.ms, 0) / h.length).toFixed(1)} ms/epoch on 16 examples; losses ${h.map((l) => l.loss.toFixed(3)).join(' ')}`,
    );

    // Same seed, same data → the same head (deterministic init and shuffles).
    const again = await trainHead(data.train, 2, { epochs: 8, batchSize: 8, seed: 3 });
    expect(again.weights.map((w) => Array.from(w.dataSync()))).toEqual(head.weights.map((w) => Array.from(w.dataSync())));
    disposeHead(again);

    const combined = combinedModel(base, head);
    expect(combined.layers.at(-1)!.name).toBe('predictions');
    expect(combined.outputs[0].shape).toEqual([null, 2]);
    for (const [img, label] of [
      [elephant, 0],
      [cat, 1],
    ] as const) {
      for (const b of HELD_OUT) {
        const px = crop(img, b);
        const x = preprocess(px, spec);
        const p = await predictProbs(combined, x);
        tf.dispose([px, x]);
        expect(p[label]).toBeGreaterThan(0.5);
      }
    }
    releaseCombined(combined);
    disposeHead(head);
    tf.dispose([data.train.x, data.val.x]);
    expect(tf.memory().numTensors).toBe(before);
    // The base still works after the combined model was released.
    const x = preprocess(elephant, spec);
    const p = await predictProbs(base, x);
    x.dispose();
    expect(p.indexOf(Math.max(...p))).toBe(386);
  });

  it('cancels during extraction and during training with CancelledError, leaving no tensors', async () => {
    const before = tf.memory().numTensors;
    const ctl = new AbortController();
    const err = await extractDataset(base, spec, images, { signal: ctl.signal, onImage: (d) => d === 2 && ctl.abort() }).catch((e) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect(tf.memory().numTensors).toBe(before);

    const x = tf.randomNormal([20, 2048], 0, 1, 'float32', 5) as tf.Tensor2D;
    const labels = Array.from({ length: 20 }, (_, i) => i % 3);
    const ctl2 = new AbortController();
    const epochs: number[] = [];
    const err2 = await trainHead({ x, labels }, 3, {
      epochs: 50,
      batchSize: 4,
      signal: ctl2.signal,
      onEpoch: (l) => {
        epochs.push(l.epoch);
        if (l.epoch === 2) ctl2.abort();
      },
    }).catch((e) => e);
    expect(err2).toBeInstanceOf(CancelledError);
    expect(epochs).toEqual([1, 2]);
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('skips images that cannot be decoded and reports them by name', async () => {
    const bad: LabelledImage = {
      name: 'notes.txt',
      label: 0,
      pixels: () => decodeImage(new TextEncoder().encode('hello'), 'notes.txt'),
    };
    const data = await extractDataset(base, spec, [images[0], bad, images[5]], { validationSplit: 0, flip: false });
    expect(data.skipped).toEqual([{ name: 'notes.txt', reason: expect.stringMatching(/notes\.txt/) }]);
    expect(data.train.labels).toEqual([0, 1]);
    tf.dispose([data.train.x, data.val.x]);
  });

  it('rejects bad options with messages naming the value', async () => {
    const x = tf.zeros([2, 4]) as tf.Tensor2D;
    await expect(trainHead({ x, labels: [0, 0] }, 1)).rejects.toThrow(/at least 2 classes; got 1/);
    await expect(trainHead({ x, labels: [0, 2] }, 2)).rejects.toThrow(/label 2 is not a class index in 0…1/);
    await expect(trainHead({ x, labels: [0, 1] }, 2, { epochs: 0 })).rejects.toThrow(/epochs must be an integer in 1…1000; got 0/);
    await expect(trainHead({ x, labels: [0, 1] }, 2, { learningRate: -1 })).rejects.toThrow(/learning rate must be in \(0, 1\]; got -1/);
    x.dispose();
  });

  it("exports the combined model as Keras .h5 that reloads into a built fine-tuned ResNet50 with equal outputs", async () => {
    const kernel = tf.randomNormal([2048, 3], 0, 0.05, 'float32', 11) as tf.Tensor2D;
    const bias = tf.tensor1d([0.1, -0.2, 0.3]);
    const combined = combinedModel(base, { kind: 'dense', dropout: 0, weights: [kernel, bias] });
    const bytes = await writeKerasH5(modelToKerasWeights(combined));
    const file = await readKerasH5(bytes, 'finetuned.h5');
    expect(file.layers.at(-1)!.layer).toBe('predictions');
    const rebuilt = buildModel(finetunedSpec(spec, 3));
    expect(rebuilt.layers.map((l) => l.name)).toEqual(combined.layers.map((l) => l.name));
    assignKerasWeights(rebuilt, file, 'order');
    const x = tf.randomUniform([1, 224, 224, 3], -120, 150, 'float32', 4);
    const [a, b] = [combined.predict(x) as tf.Tensor, rebuilt.predict(x) as tf.Tensor];
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-5);
    expect(tf.tidy(() => tf.sum(a).dataSync()[0])).toBeCloseTo(1, 4);
    tf.dispose([x, a, b, kernel, bias]);
    rebuilt.dispose();
    releaseCombined(combined);
  });

  it('adopting the combined model frees only the old classifier; disposing it then frees the rest', () => {
    // Last test: it consumes the base.
    const kernel = tf.zeros([2048, 2]) as tf.Tensor2D;
    const bias = tf.zeros([2]) as tf.Tensor1D;
    const combined = combinedModel(base, { kind: 'dense', dropout: 0, weights: [kernel, bias] });
    tf.dispose([kernel, bias]);
    const withBase = tf.memory().numTensors;
    adoptCombined(base);
    expect(tf.memory().numTensors).toBe(withBase - 2); // the ImageNet predictions kernel and bias
    const x = tf.zeros([1, 224, 224, 3]);
    const y = combined.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 2]);
    tf.dispose([x, y]);
    const weights = combined.countParams();
    expect(weights).toBe(23_587_712 + 2048 * 2 + 2);
    combined.dispose();
    base = undefined as unknown as tf.LayersModel;
  });
});
