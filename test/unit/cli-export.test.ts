import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runClassify } from '../../src/cli/classify';
import { main } from '../../src/cli/main';
import { getPreset } from '../../src/core';
import { buildModel } from '../../src/tf/build';
import { readKerasH5, writeKerasH5 } from '../../src/tf/h5/keras-h5';
import { modelToKerasWeights } from '../../src/tf/h5/model-weights';
import { loadLayersModelWeights } from '../../src/tf/layers-model-weights';
import { initNodeBackend } from '../../src/tf/node-backend';
import { readLayersModelFrom } from '../../src/tf/node-io';
import { fixture, requireWeights, SKIP_WEIGHTS } from '../helpers/fixtures';

async function cli(run: typeof main, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('resnet-explorer export', () => {
  it('converts a Keras .h5 into a tfjs model and back, keeping every weight and the outputs', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'export-'));
    const spec = getPreset('ResNet-20');
    const source = buildModel(spec);
    tf.tidy(() => {
      for (const l of source.layers) if (l.weights.length) l.setWeights(l.weights.map((w, j) => tf.randomUniform(w.shape as number[], 0.5, 1.5, 'float32', j + 3)));
    });
    const h5 = join(tmp, 'r20.h5');
    writeFileSync(h5, await writeKerasH5(modelToKerasWeights(source)));

    const toTfjs = await cli(main, ['export', 'ResNet-20', '--weights', h5, '--format', 'tfjs', '--out', join(tmp, 'tfjs')]);
    expect(toTfjs.code).toBe(0);
    const target = buildModel(spec);
    loadLayersModelWeights(target, await readLayersModelFrom(join(tmp, 'tfjs', 'model.json')));
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 9);
    const [a, b] = [source.predict(x) as tf.Tensor, target.predict(x) as tf.Tensor];
    expect(b.dataSync()).toEqual(a.dataSync());
    tf.dispose([x, a, b]);

    const back = await cli(main, ['export', 'ResNet-20', '--weights', join(tmp, 'tfjs', 'model.json'), '--format', 'h5', '--out', join(tmp, 'back.h5')]);
    expect(back.code).toBe(0);
    const [orig, again] = [await readKerasH5(readFileSync(h5)), await readKerasH5(readFileSync(join(tmp, 'back.h5')))];
    expect(again.layers.map((l) => l.layer)).toEqual(orig.layers.map((l) => l.layer));
    again.layers.forEach((l, i) => {
      for (const [j, w] of l.weights.entries()) expect(w.data).toEqual(orig.layers[i].weights[j].data);
    });
    source.dispose();
    target.dispose();
  });

  it.skipIf(SKIP_WEIGHTS)('the ImageNet ResNet50 exported as Keras .h5 still finds the elephant', async () => {
    requireWeights();
    const tmp = mkdtempSync(join(tmpdir(), 'export-'));
    const file = join(tmp, 'resnet50.h5');
    expect((await cli(main, ['export', 'ResNet50', '--format', 'h5', '--out', file])).code).toBe(0);
    const r = await cli(runClassify, [fixture('imagenet', 'elephant.jpg'), '--weights', file, '--json', '--top', '3']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)[0].top[0]).toMatchObject({ index: 386, label: 'African_elephant' });
  });

  it('a spec export feeds back into summary --spec', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'export-')), 'x.json');
    expect((await cli(main, ['export', 'ResNeXt50', '--no-top', '--pooling', 'avg', '--format', 'spec', '--out', file])).code).toBe(0);
    const s = JSON.parse((await cli(main, ['summary', '--spec', file, '--json'])).stdout);
    expect(s.params.trainable).toBe(25_028_904 - 2048 * 1000 - 1000);
    expect(s.layerNames.at(-1)).toBe('avg_pool');
  });

  it('bad arguments exit 2 naming what is wrong', async () => {
    expect(await cli(main, ['export', 'ResNet50', '--format', 'onnx', '--out', 'x'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--format: received "onnx"; allowed: spec, h5, tfjs/) });
    expect(await cli(main, ['export', 'ResNet50', '--format', 'h5'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--out/) });
    expect(await cli(main, ['export', 'ResNet50', '--no-top', '--weights', 'imagenet', '--format', 'h5', '--out', 'x.h5'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/use them with --weights none/),
    });
    expect(await cli(main, ['export', 'ResNet51', '--format', 'spec', '--out', 'x.json'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/Unknown model "ResNet51"/) });
  });
});
