/**
 * Lesion study (src/tf/lesion.ts, the CLI's `lesion`, the model worker's `lesion` request): the deletion is
 * exact (a deleted identity block's output equals its input bit for bit, in every family), the weights and the
 * prediction are as before afterwards, no tensor is left behind, cancel stops between blocks, and the CLI's
 * JSON equals the worker host's result for the same pixels.
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLesion } from '../../src/cli/lesion';
import { type ArchGraph, type ArchSpec, expand, getPreset, PRESET_NAMES } from '../../src/core';
import { buildModel } from '../../src/tf/build';
import { imagenetResNet50, imagenetResNet50Spec } from '../../src/tf/imagenet';
import { lesionBlocks, lesionStudy, withBlockDeleted } from '../../src/tf/lesion';
import { initNodeBackend } from '../../src/tf/node-backend';
import { decodeImage } from '../../src/tf/node-image';
import { IMAGENET_RESNET50_JSON, readLayersModel } from '../../src/tf/node-io';
import { preprocess } from '../../src/tf/preprocess';
import type { ModelHost } from '../../src/worker/model-host';
import type { RawImage, Request, RequestBody, Response } from '../../src/worker/protocol';
import { fixture, requireWeights, SKIP_WEIGHTS } from '../helpers/fixtures';
import { imagenetModelHost } from './helpers/model-host';
import { rgbaOf } from './helpers/images';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/**
 * For each listed block: delete it, run the net to the block's input, its shortcut and its output, and return
 * |output − input| (identity) or |output − relu?(shortcut)| (others) — 0 when the deletion is exact.
 */
async function deletionErrors(model: tf.LayersModel, graph: ArchGraph, x: tf.Tensor4D, blocks: readonly string[]) {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const errors: Record<string, number> = {};
  for (const lb of lesionBlocks(graph).filter((b) => blocks.includes(b.block))) {
    const info = graph.blocks.find((b) => b.id === lb.block)!;
    const add = graph.nodes.find((n) => n.block === lb.block && n.op.kind === 'add')!;
    const postRelu = byId.get(info.outputId)!.op.kind === 'relu';
    // An identity shortcut is the block's input itself (one output: tfjs refuses a model output twice).
    const ids = lb.shortcut === 'identity' ? [info.inputId, info.outputId] : [add.inputs[0], info.outputId];
    const probe = tf.model({ inputs: model.inputs, outputs: ids.map((id) => model.getLayer(id).output as tf.SymbolicTensor) });
    const [shortcut, out] = withBlockDeleted(model, lb, () => probe.predict(x) as tf.Tensor[]);
    const expected = lb.shortcut !== 'identity' && postRelu ? tf.relu(shortcut) : shortcut;
    errors[lb.block] = maxAbsDiff(await out.data(), await expected.data());
    tf.dispose([shortcut, out, expected]);
  }
  return errors;
}

describe('lesionBlocks', () => {
  it('lists every block with a shortcut of every preset, in block order; plain twins have none', () => {
    for (const name of PRESET_NAMES) {
      const g = expand(getPreset(name));
      const withShortcut = g.blocks.filter((b) => b.shortcut !== 'none').map((b) => b.id);
      expect(lesionBlocks(g).map((b) => b.block), name).toEqual(withShortcut);
      if (name.startsWith('plain-')) expect(withShortcut, name).toEqual([]);
    }
  });

  it('ResNet50: 16 blocks, projections at each stage’s first block, downsampling at conv3–5 block1, branch ends in BN', () => {
    const lb = lesionBlocks(expand(getPreset('ResNet50')));
    expect(lb.map((b) => b.block)).toEqual([
      ...[1, 2, 3].map((i) => `conv2_block${i}`),
      ...[1, 2, 3, 4].map((i) => `conv3_block${i}`),
      ...[1, 2, 3, 4, 5, 6].map((i) => `conv4_block${i}`),
      ...[1, 2, 3].map((i) => `conv5_block${i}`),
    ]);
    expect(lb.filter((b) => b.shortcut === 'projection').map((b) => b.block)).toEqual(['conv2_block1', 'conv3_block1', 'conv4_block1', 'conv5_block1']);
    expect(lb.filter((b) => b.downsampling).map((b) => b.block)).toEqual(['conv3_block1', 'conv4_block1', 'conv5_block1']);
    expect(lb[1].branchLayer).toBe('conv2_block2_3_bn');
    // V2 (pre-activation): the branch ends in a convolution.
    expect(lesionBlocks(expand(getPreset('ResNet50V2')))[1].branchLayer).toBe('conv2_block2_3_conv');
  });
});

describe('exact deletion per family (random weights)', () => {
  const cases: [string, ArchSpec][] = [
    ['ResNet-20 (V1, option A)', getPreset('ResNet-20')],
    ['ResNet50V2 (pre-activation)', { ...getPreset('ResNet50V2'), input: [64, 64, 3] }],
    ['ResNeXt50 (grouped)', { ...getPreset('ResNeXt50'), input: [64, 64, 3] }],
    ['resnet18 (torchvision basic)', { ...getPreset('resnet18'), input: [64, 64, 3] }],
  ];
  for (const [label, spec] of cases) {
    it(`${label}: every deleted block's output is its input (identity) or its shortcut — 0 difference`, async () => {
      const before = tf.memory().numTensors;
      const model = buildModel(spec);
      const graph = expand(spec);
      const x = tf.randomNormal([1, ...spec.input], 0, 1, 'float32', 7) as tf.Tensor4D;
      const errors = await deletionErrors(
        model,
        graph,
        x,
        lesionBlocks(graph).map((b) => b.block),
      );
      expect(Object.keys(errors).length).toBe(lesionBlocks(graph).length);
      for (const [block, e] of Object.entries(errors)) expect(e, block).toBe(0);
      x.dispose();
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('the weights come back even when the forward pass throws', () => {
    const model = buildModel(getPreset('ResNet-20'));
    const lb = lesionBlocks(expand(getPreset('ResNet-20')))[0];
    const gamma = () => Array.from(model.getLayer(lb.branchLayer).getWeights()[0].dataSync());
    const original = gamma();
    expect(() =>
      withBlockDeleted(model, lb, () => {
        expect(gamma().every((v) => v === 0)).toBe(true);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(gamma()).toEqual(original);
    model.dispose();
  });

  it('a plain net has nothing to delete: a clear error', async () => {
    const spec = getPreset('plain-ResNet-20');
    const model = buildModel(spec);
    const x = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    await expect(lesionStudy(model, expand(spec), x)).rejects.toThrow(/plain-ResNet-20 has no residual blocks to delete/);
    x.dispose();
    model.dispose();
  });
});

describe.skipIf(SKIP_WEIGHTS)('the ImageNet ResNet50 on elephant.jpg', () => {
  let model: tf.LayersModel;
  let x: tf.Tensor4D;
  let elephant: RawImage;
  const graph = expand(imagenetResNet50Spec());

  beforeAll(async () => {
    requireWeights();
    model = imagenetResNet50(await readLayersModel(IMAGENET_RESNET50_JSON));
    const px = decodeImage(await readFile(fixture('imagenet', 'elephant.jpg')), 'elephant.jpg');
    x = preprocess(px, imagenetResNet50Spec());
    elephant = await rgbaOf(px);
    px.dispose();
  });
  afterAll(() => {
    x?.dispose();
    model?.dispose();
  });

  it('real weights: deleting an identity block passes its input on exactly; a projection block leaves relu(projection)', async () => {
    const errors = await deletionErrors(model, graph, x, ['conv2_block2', 'conv4_block3', 'conv3_block1']);
    expect(errors).toEqual({ conv2_block2: 0, conv3_block1: 0, conv4_block3: 0 });
  });

  let cliJson: {
    image: string;
    base: { index: number; label: string; probability: number };
    blocks: { block: string; shortcut: string; top: { index: number; label: string; probability: number }; baseProbability: number }[];
  };

  it('CLI --json: 16 blocks in diagram order with their shortcut, top-1 and the original top-1’s probability', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const image = fixture('imagenet', 'elephant.jpg');
    // float32: the files this test's model (and the host below) load; the CLI's default is the app's float16.
    const code = await runLesion([image, '--json', '--precision', 'float32'], { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
    expect(code, err.join('\n')).toBe(0);
    expect(out).toHaveLength(1);
    cliJson = JSON.parse(out[0]);
    expect(Object.keys(cliJson)).toEqual(['image', 'base', 'blocks']);
    expect(cliJson.image).toBe(image);
    expect(cliJson.base).toEqual({ index: 386, label: 'African_elephant', probability: expect.any(Number) });
    expect(cliJson.blocks.map((b) => b.block)).toEqual(lesionBlocks(graph).map((b) => b.block));
    for (const b of cliJson.blocks) {
      expect(Object.keys(b)).toEqual(['block', 'shortcut', 'top', 'baseProbability']);
      expect(b.shortcut).toBe(b.block.endsWith('_block1') ? 'projection' : 'identity');
      expect(b.top.probability).toBeGreaterThanOrEqual(b.baseProbability);
      if (b.top.index === cliJson.base.index) expect(b.top.probability).toBe(b.baseProbability);
      expect(b.baseProbability).toBeGreaterThan(0);
      expect(b.baseProbability).toBeLessThanOrEqual(1);
    }
    // Deleting a block changes the prediction (the lesion is real), though not necessarily the top-1.
    expect(new Set(cliJson.blocks.map((b) => b.baseProbability.toFixed(4))).size).toBeGreaterThan(8);
    expect(err.join('\n')).toMatch(/deleted conv5_block3 \(16\/16\)/);
  });

  it('lesionStudy leaves the weights, the prediction and the tensor count as they were', async () => {
    const before = tf.memory().numTensors;
    const zeroed = lesionBlocks(graph).map((b) => model.getLayer(b.branchLayer));
    const weightsBefore = zeroed.map((l) => l.getWeights().map((w) => Array.from(w.dataSync())));
    const probs = async () => {
      const p = model.predict(x) as tf.Tensor;
      const d = await p.data();
      p.dispose();
      return d;
    };
    const original = await probs();
    const progress: number[] = [];
    const r = await lesionStudy(model, graph, x, { onBlock: (done) => progress.push(done) });
    expect(progress).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(r.base.probability).toBe(original[386]);
    expect(Array.from(await probs())).toEqual(Array.from(original));
    expect(zeroed.map((l) => l.getWeights().map((w) => Array.from(w.dataSync())))).toEqual(weightsBefore);
    expect(tf.memory().numTensors).toBe(before);
    // The same pixels and backend as the CLI: the same numbers.
    expect(r.blocks.map((b) => [b.block, b.top.index, b.baseProbability])).toEqual(cliJson.blocks.map((b) => [b.block, b.top.index, b.baseProbability]));
  });

  describe('through the model worker host', () => {
    const messages: Response[] = [];
    let host: ModelHost;
    let nextId = 1;
    const send = async (req: RequestBody) => {
      const id = nextId++;
      await host.handle({ ...req, id } as Request);
      return messages.filter((m) => m.id === id && m.type !== 'progress' && m.type !== 'lesion-progress');
    };

    beforeAll(async () => {
      host = imagenetModelHost((m) => messages.push(m));
      expect(await send({ type: 'init', backend: 'wasm' })).toMatchObject([{ type: 'backend' }]);
      expect(await send({ type: 'load', source: { kind: 'imagenet' } })).toMatchObject([{ type: 'loaded' }]);
      // An ImageNet load defers its LayersModel (src/worker/loaded-model.ts); build it now so tensor counts compare like with like.
      expect(host.model).toBeDefined();
    });
    afterAll(() => host?.dispose());

    it('a cancel after the first block stops the study; the model classifies as before', async () => {
      const before = ((await send({ type: 'memory' }))[0] as Extract<Response, { type: 'memory' }>).numTensors;
      const id = nextId;
      const run = send({ type: 'lesion', image: elephant, name: 'elephant.jpg' });
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (messages.some((m) => m.id === id && m.type === 'lesion-progress')) {
            clearInterval(t);
            void host.handle({ type: 'cancel', id: 9999, target: id });
            resolve();
          }
        }, 5);
      });
      expect(await run).toMatchObject([{ type: 'error', error: { name: 'CancelledError' } }]);
      expect(messages.filter((m) => m.id === id && m.type === 'lesion-progress').length).toBeLessThan(16);
      const after = ((await send({ type: 'memory' }))[0] as Extract<Response, { type: 'memory' }>).numTensors;
      expect(after).toBe(before);
      const c = await send({ type: 'classify', image: elephant, name: 'e', gradcam: false });
      // Classify runs the fused runner (BN folded into the convs); the lesion study and the CLI run the LayersModel:
      // equal to float32 rounding (≈ 1e-6), not bit for bit.
      expect(c[0]).toMatchObject({ type: 'classified', top: [{ index: 386 }, {}, {}, {}, {}] });
      expect((c[0] as Extract<Response, { type: 'classified' }>).top[0].probability).toBeCloseTo(cliJson.base.probability, 5);
    });

    it('the host’s result for the same pixels equals the CLI’s JSON', async () => {
      const id = nextId;
      const [final] = await send({ type: 'lesion', image: elephant, name: 'elephant.jpg' });
      if (final.type !== 'lesioned') throw new Error(JSON.stringify(final));
      expect(messages.filter((m) => m.id === id && m.type === 'lesion-progress').map((m) => (m as { done: number }).done)).toEqual(
        Array.from({ length: 16 }, (_, i) => i + 1),
      );
      expect(final.result).toMatchObject({ image: 'elephant.jpg', model: 'ResNet50', base: cliJson.base });
      for (const [i, b] of final.result.blocks.entries()) {
        expect({ block: b.block, shortcut: b.shortcut, top: b.top.index }).toEqual({ block: cliJson.blocks[i].block, shortcut: cliJson.blocks[i].shortcut, top: cliJson.blocks[i].top.index });
        expect(b.baseProbability).toBeCloseTo(cliJson.blocks[i].baseProbability, 6);
      }
    });
  });
});

describe('lesion CLI input errors', () => {
  const run = async (args: string[]) => {
    const err: string[] = [];
    const code = await runLesion(args, { stdout: () => {}, stderr: (s) => err.push(s) });
    return { code, stderr: err.join('\n') };
  };
  it('exit 2 naming the value; a plain net exits 1 saying it has no residual blocks', async () => {
    expect(await run([])).toMatchObject({ code: 2, stderr: expect.stringMatching(/name exactly one image, got 0/) });
    expect(await run(['a.jpg', 'b.jpg'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/got 2: a.jpg, b.jpg/) });
    expect(await run(['a.jpg', '--resize', 'fit'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--resize must be center-crop or squash, got "fit"/) });
    expect(await run([fixture('imagenet', 'cat.jpg'), '--model', 'ResNet51'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown model "ResNet51"/) });
    expect(await run(['/nonexistent/x.jpg'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/cannot read \/nonexistent\/x.jpg/) });
    expect(await run([fixture('imagenet', 'cat.jpg'), '--model', 'plain-ResNet-20'])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/plain-ResNet-20 has no residual blocks to delete/),
    });
  });
});
