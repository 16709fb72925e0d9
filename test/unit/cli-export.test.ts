import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { runClassify } from '../../src/cli/classify';
import { runExport } from '../../src/cli/export';
import { main } from '../../src/cli/main';
import { getPreset } from '../../src/core';
import { EXPORT_FORMATS, ExportError, type ExporterEntry } from '../../src/export';
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
    expect(await cli(main, ['export', 'ResNet50', '--format', 'tflite', '--out', 'x'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(`--format: received "tflite"; allowed: ${['spec', 'h5', 'tfjs', ...EXPORT_FORMATS].join(', ')}`),
    });
    expect(await cli(main, ['export', 'ResNet-20', '--format', 'h5', '--zip', '--out', 'x.h5'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--zip and --no-weights apply to .*keras, not h5/) });
    expect(await cli(main, ['export', 'ResNet50', '--format', 'h5'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--out/) });
    expect(await cli(main, ['export', 'ResNet50', '--no-top', '--weights', 'imagenet', '--format', 'h5', '--out', 'x.h5'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/use them with --weights none/),
    });
    expect(await cli(main, ['export', 'ResNet51', '--format', 'spec', '--out', 'x.json'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/Unknown model "ResNet51"/) });
  });
});

describe('resnet-explorer export: code formats from the exporter registry', () => {
  it('--format keras writes model.py, train.py, weights.h5 (the model\'s weights by name) and README.md into a folder', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'export-keras-'));
    const h5 = join(tmp, 'r20.h5');
    const source = buildModel(getPreset('ResNet-20'));
    writeFileSync(h5, await writeKerasH5(modelToKerasWeights(source)));
    const dir = join(tmp, 'out');
    const r = await cli(main, ['export', 'ResNet-20', '--format', 'keras', '--weights', h5, '--out', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/wrote ResNet-20 as keras \(r20\.h5\) to .*out\/: 4 file\(s\)/);
    expect(r.stderr).toMatch(/runs with: TensorFlow/);
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'model.py', 'train.py', 'weights.h5']);
    const back = await readKerasH5(readFileSync(join(dir, 'weights.h5')));
    const conv = back.layers.find((l) => l.layer === 'conv4_block3_2_conv')!;
    expect(conv.weights[0].data).toEqual(source.getLayer('conv4_block3_2_conv').getWeights()[0].dataSync());
    source.dispose();
  });

  it.skipIf(SKIP_WEIGHTS)('ImageNet ResNet50 as keras: the loaded model\'s BatchNormalization epsilon (1e-3) and caffe preprocessing', async () => {
    requireWeights();
    const dir = join(mkdtempSync(join(tmpdir(), 'export-keras-')), 'r50');
    const r = await cli(main, ['export', 'ResNet50', '--format', 'keras', '--out', `${dir}/`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`wrote ResNet50 as keras (ImageNet (Keras ResNet50)) to ${dir}/: 4 file(s)`);
    const model = readFileSync(join(dir, 'model.py'), 'utf8');
    expect(model).toContain("layers.BatchNormalization(axis=-1, epsilon=0.001, name='conv1_bn')");
    expect(model).not.toContain('epsilon=0.00001001');
    expect(model).toContain("PREPROCESSING = {'mode': 'caffe', 'channel_order': 'BGR', 'scale': 1, 'mean': (103.939, 116.779, 123.68)");
    const h5 = await readKerasH5(readFileSync(join(dir, 'weights.h5')));
    expect(h5.layers.find((l) => l.layer === 'predictions')!.weights.map((w) => w.shape)).toEqual([[2048, 1000], [1000]]);
  });

  it('--no-weights --zip: one zip, every file under a folder named after it, no weights file', async () => {
    const zip = join(mkdtempSync(join(tmpdir(), 'export-keras-')), 'r56-code.zip');
    const r = await cli(main, ['export', 'ResNet-56', '--format', 'keras', '--no-weights', '--zip', '--out', zip]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/note: structure only: no weights/);
    const files = unzipSync(readFileSync(zip));
    expect(Object.keys(files).sort()).toEqual(['r56-code/README.md', 'r56-code/model.py', 'r56-code/train.py']);
    expect(new TextDecoder().decode(files['r56-code/model.py'])).toContain("name='conv4_block9_out'");
  });

  // A second exporter shows the CLI is generic over the registry: a single-file format, and an ExportError.
  const fake: ExporterEntry = {
    format: 'onnx',
    label: 'test exporter',
    output: 'file',
    run: (input) => {
      if (input.spec.name === 'ResNeXt50') throw new ExportError('onnx', 'groups', 32, 'not in this test exporter');
      return { format: 'onnx', files: [{ path: 'm.onnx', bytes: new Uint8Array([1, 2, 3]) }, { path: 'labels.txt', bytes: new Uint8Array([65]) }], runsWith: 'nothing', notes: [] };
    },
  };

  it('a single-file format writes its first file at --out and the rest beside it; ExportError exits 2 with its message', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'export-fake-'));
    const ok = await cli((a, o) => runExport(a.slice(1), o, [fake]), ['export', 'ResNet-20', '--format', 'onnx', '--no-weights', '--out', join(tmp, 'r20.onnx')]);
    expect(ok.code).toBe(0);
    expect([...readFileSync(join(tmp, 'r20.onnx'))]).toEqual([1, 2, 3]);
    expect(readFileSync(join(tmp, 'labels.txt'), 'utf8')).toBe('A');
    const bad = await cli((a, o) => runExport(a.slice(1), o, [fake]), ['export', 'ResNeXt50', '--format', 'onnx', '--no-weights', '--out', join(tmp, 'x.onnx')]);
    expect(bad).toMatchObject({ code: 2, stderr: 'error: Cannot export to onnx: groups = 32: not in this test exporter' });
    const unknown = await cli((a, o) => runExport(a.slice(1), o, [fake]), ['export', 'ResNet-20', '--format', 'keras', '--out', 'x']);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('allowed: spec, h5, tfjs, onnx') });
  });
});
