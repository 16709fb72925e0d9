/**
 * The Keras-code exporter. TensorFlow is not installed here, so the generated Python never runs in these tests:
 * it is compiled with Debian's python3 and its layer calls are read back (test/unit/helpers/keras-code.ts) and
 * checked against `expand(spec)` and `analyze()` for every preset: names, order, inputs, shapes, params.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, expand, getPreset, PRESETS } from '../../src/core';
import { EXPORT_FORMATS, ExportError, runExport, UnknownFormatError } from '../../src/export';
import { exportKeras } from '../../src/export/keras';
import { exportPreprocessing } from '../../src/export/preprocessing';
import type { ExportInput, ExportResult } from '../../src/export/types';
import { zipExport } from '../../src/export/zip';
import { buildModel } from '../../src/tf/build';
import { exportInputFromModel } from '../../src/tf/export-input';
import { finetunedSpec } from '../../src/tf/finetune';
import { readKerasH5 } from '../../src/tf/h5/keras-h5';
import { initNodeBackend } from '../../src/tf/node-backend';
import { readKerasModel, readKerasModelPy } from './helpers/keras-code';

const PYTHON = '/usr/bin/python3';
const text = (r: ExportResult, path: string) => new TextDecoder().decode(r.files.find((f) => f.path === path)!.bytes);
const structureOnly = (name: string): ExportInput => {
  const spec = getPreset(name);
  return { spec, graph: expand(spec), preprocessing: exportPreprocessing(spec.preprocessing, spec.input) };
};

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('Keras code: model.py declares exactly our graph', () => {
  const results = new Map<string, ExportResult>();
  beforeAll(async () => {
    for (const p of PRESETS) results.set(p.spec.name, await exportKeras(structureOnly(p.spec.name)));
  });

  it('every preset: model.py and train.py compile (python3 -m py_compile) and read no undefined name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keras-code-'));
    const paths: string[] = [];
    for (const [name, r] of results) {
      const sub = join(dir, name);
      mkdirSync(sub);
      for (const f of ['model.py', 'train.py']) {
        writeFileSync(join(sub, f), text(r, f));
        paths.push(join(sub, f));
      }
    }
    // Throws (with python's SyntaxError on stderr) if any file does not compile.
    execFileSync(PYTHON, ['-m', 'py_compile', ...paths], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(paths.length).toBe(2 * PRESETS.length);
    // No name is read that nothing defines, and every spec_model.X that train.py reads is in its model.py.
    const problems = execFileSync(PYTHON, [fileURLToPath(new URL('./helpers/pynames.py', import.meta.url)), ...paths], { encoding: 'utf8' });
    expect(JSON.parse(problems)).toEqual([]);
  });

  it.each(PRESETS.map((p) => p.spec.name))('%s: layer names, order, inputs, output shapes and params', (name) => {
    const spec = getPreset(name);
    const graph = expand(spec);
    const analysis = analyze(graph);
    const { layers, output } = readKerasModel(text(results.get(name)!, 'model.py'));
    expect(layers.map((l) => l.name)).toEqual(graph.nodes.map((n) => n.id));
    expect(output).toBe(graph.outputId);
    graph.nodes.forEach((node, i) => {
      const l = layers[i];
      expect({ name: l.name, inputs: l.inputs, shape: l.outShape }).toEqual({ name: node.id, inputs: node.inputs, shape: node.outShape });
      const cost = analysis.perNode.get(node.id)!;
      expect({ name: l.name, params: l.params }).toEqual({ name: node.id, params: { total: cost.params.total, trainable: cost.params.trainable } });
    });
    const total = layers.reduce((a, l) => a + l.params.total, 0);
    expect(total).toBe(analysis.params.total);
  });

  it('ResNeXt: grouped convs are the GroupConv2D custom layer (depthwise layout), never Conv2D(groups=)', () => {
    const py = text(results.get('ResNeXt50')!, 'model.py');
    const layers = readKerasModelPy(py);
    const grouped = layers.filter((l) => l.cls === 'GroupConv2D');
    expect(grouped.map((l) => l.name)).toEqual(expand(getPreset('ResNeXt50')).nodes.filter((n) => n.op.kind === 'conv' && n.op.groups > 1).map((n) => n.id));
    expect(grouped[0].kwargs.groups).toBe(32);
    expect(py).toContain("name='depthwise_kernel', shape=(k, k, cin, self.filters // self.groups)");
    expect(layers.filter((l) => l.cls === 'layers.Conv2D' && 'groups' in l.kwargs)).toEqual([]);
    // Presets without grouped convs or option A carry no custom layer at all.
    expect(text(results.get('ResNet50')!, 'model.py')).not.toMatch(/class (GroupConv2D|ZeroPadShortcut)/);
  });

  it('CIFAR option A: ZeroPadShortcut with the stride and symmetric channel padding; V2: the 1×1 max-pool shortcut', () => {
    const r20 = readKerasModelPy(text(results.get('ResNet-20')!, 'model.py'));
    const pad = r20.find((l) => l.name === 'conv3_block1_0_pad')!;
    expect(pad).toMatchObject({ cls: 'ZeroPadShortcut', kwargs: { stride: 2, channel_pad: [8, 8] }, outShape: [16, 16, 32] });
    const v2 = readKerasModelPy(text(results.get('ResNet50V2')!, 'model.py'));
    const pool = v2.find((l) => l.name === 'max_pooling2d')!;
    expect(pool).toMatchObject({ cls: 'layers.MaxPooling2D', args: [1], kwargs: { strides: 2 }, inputs: ['conv2_block2_out'] });
  });

  it('train.py: MultiWorkerMirroredStrategy, image_dataset_from_directory, frozen base then the last stage', () => {
    const r = results.get('ResNet50V2')!;
    const train = text(r, 'train.py');
    expect(train).toContain('tf.distribute.MultiWorkerMirroredStrategy()');
    expect(train).toContain('keras.utils.image_dataset_from_directory(');
    expect(train).toContain('layer.trainable = False  # frozen BatchNormalization also runs in inference mode');
    expect(train).toContain("and not isinstance(layer, layers.BatchNormalization))");
    expect(train).toContain("model.save(os.path.join(out, 'trained.h5'))");
    const model = text(r, 'model.py');
    expect(model).toContain("FEATURES_LAYER = 'post_relu'");
    expect(model).toContain("LAST_STAGE = 'conv5'");
    expect(model).toContain("PREPROCESSING = {'mode': 'tf', 'channel_order': 'RGB', 'scale': 0.00784313725490196");
    expect(text(results.get('ResNet50')!, 'model.py')).toContain("FEATURES_LAYER = 'conv5_block3_out'");
    expect(r.notes).toContain('structure only: no weights');
    expect(r.files.map((f) => f.path).sort()).toEqual(['README.md', 'model.py', 'train.py']);
  });
});

describe("train.py's new head is shaped as the exported model's", () => {
  /** build()'s head: each `x = …(x)` / `outputs = …(x)` line after `x = features`, as [class, name, first argument ('' if only a name)]. */
  const head = async (spec: ReturnType<typeof getPreset>) => {
    const r = await exportKeras({ spec, graph: expand(spec), preprocessing: exportPreprocessing(spec.preprocessing, spec.input) });
    const train = text(r, 'train.py');
    const body = train.slice(train.indexOf('    x = features\n'), train.indexOf('    return base, keras.Model('));
    const calls = [...body.matchAll(/^ {4}(?:x|outputs) = (layers\.\w+)\(([^,)]*)[^\n]*name='(\w+)'\)\(x\)$/gm)].map((m) => [m[1], m[3], m[2]]);
    return { calls, dropoutDefault: /'--dropout', type=float, default=([\d.e-]+)/.exec(train)?.[1] };
  };

  it("Keras' ResNet50: its avg_pool, the guide's dropout, a classifier for the data's classes", async () => {
    expect(await head(getPreset('ResNet50'))).toEqual({
      calls: [
        ['layers.GlobalAveragePooling2D', 'avg_pool', ''],
        ['layers.Dropout', 'head_dropout', 'args.dropout'],
        ['layers.Dense', 'predictions', 'classes'],
      ],
      dropoutDefault: '0.2',
    });
  });

  it("the app's fine-tuned dense2048 head keeps its fc1 and its dropout rate; a max-pooled base keeps max pooling", async () => {
    const tuned = await head(finetunedSpec(getPreset('ResNet50'), 5, { kind: 'dense2048', dropout: 0.5 }));
    expect(tuned.calls.map(([cls, name]) => `${cls} ${name}`)).toEqual([
      'layers.GlobalAveragePooling2D avg_pool',
      'layers.Dense fc1',
      'layers.Dropout dropout',
      'layers.Dense predictions',
    ]);
    expect(tuned.calls[1][2]).toBe('2048');
    expect(tuned.dropoutDefault).toBe('0.5');
    const base = getPreset('ResNet50');
    const maxPooled = await head({ ...base, head: { ...base.head, includeTop: false, pooling: 'max' } });
    expect(maxPooled.calls.map(([, name]) => name)).toEqual(['max_pool', 'head_dropout', 'predictions']);
    const noPooling = await head({ ...base, head: { ...base.head, includeTop: false, pooling: 'none' } });
    expect(noPooling.calls.map(([, name]) => name)).toEqual(['avg_pool', 'head_dropout', 'predictions']);
  });
});

describe('Keras code with weights', () => {
  it('weights.h5 holds every weighted layer by our names, equal to the model; class names go to classes.txt and model.py', async () => {
    const spec = getPreset('ResNet-20');
    const model = buildModel(spec);
    const input = exportInputFromModel(spec, model, { weightsLabel: 'random (untrained)', classNames: ['cat', "dog's", 'ant'] });
    const steps: number[] = [];
    const r = await runExport('keras', input, (f) => steps.push(f));
    expect(steps.at(-1)).toBe(1);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    const h5 = await readKerasH5(r.files.find((f) => f.path === 'weights.h5')!.bytes);
    const declared = new Set(readKerasModelPy(text(r, 'model.py')).filter((l) => l.params.total > 0).map((l) => l.name));
    const withWeights = h5.layers.filter((l) => l.weights.length > 0);
    expect(new Set(withWeights.map((l) => l.layer))).toEqual(declared);
    for (const layer of model.layers) {
      const got = h5.layers.find((l) => l.layer === layer.name)!;
      for (const [j, w] of layer.weights.entries()) expect(got.weights[j].data).toEqual(w.read().dataSync());
    }
    expect(text(r, 'classes.txt')).toBe("cat\ndog's\nant\n");
    expect(text(r, 'model.py')).toContain("CLASS_NAMES = ['cat', 'dog\\'s', 'ant']");
    expect(r.notes[0]).toBe('weights: random (untrained) (weights.h5, loaded by layer name)');
    model.dispose();
  });

  // What Keras' load_weights(by_name=True) needs: per layer name, as many arrays as the layer creates, same shapes.
  it.each(['ResNet-20', 'ResNeXt50', 'ResNet50V2'])('%s: weights.h5 has, for every layer model.py declares, the arrays and shapes Keras creates', async (name) => {
    const spec = getPreset(name);
    const model = buildModel(spec);
    const r = await exportKeras(exportInputFromModel(spec, model, { weightsLabel: 'random' }));
    model.dispose();
    const h5 = await readKerasH5(r.files.find((f) => f.path === 'weights.h5')!.bytes);
    const stored = new Map(h5.layers.filter((l) => l.weights.length > 0).map((l) => [l.layer, l.weights.map((w) => w.shape)]));
    const declared = readKerasModelPy(text(r, 'model.py')).filter((l) => l.weightShapes.length > 0);
    expect(declared.map((l) => [l.name, l.weightShapes])).toEqual(declared.map((l) => [l.name, stored.get(l.name)]));
    expect(stored.size).toBe(declared.length);
  });

  it('a dense2048 fine-tuned spec (HeadSpec.hidden + dropout): fc1 Dense relu → Dropout → predictions, compiles, weights.h5 holds fc1', async () => {
    const spec = finetunedSpec(getPreset('ResNet-20'), 3, { kind: 'dense2048', dropout: 0.5 });
    const graph = expand(spec);
    const model = buildModel(spec);
    const r = await exportKeras(exportInputFromModel(spec, model, { weightsLabel: 'random' }));
    const py = text(r, 'model.py');
    const layers = readKerasModelPy(py);
    expect(layers.slice(-3).map((l) => [l.name, l.cls, l.args[0], l.kwargs.activation ?? null])).toEqual([
      ['fc1', 'layers.Dense', 2048, 'relu'],
      ['dropout', 'layers.Dropout', 0.5, null],
      ['predictions', 'layers.Dense', 3, 'softmax'],
    ]);
    expect(layers.map((l) => [l.name, l.outShape, l.params.total])).toEqual(graph.nodes.map((n) => [n.id, n.outShape, analyze(graph).perNode.get(n.id)!.params.total]));
    const dir = mkdtempSync(join(tmpdir(), 'keras-fc1-'));
    writeFileSync(join(dir, 'model.py'), py);
    execFileSync(PYTHON, ['-m', 'py_compile', join(dir, 'model.py')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const h5 = await readKerasH5(r.files.find((f) => f.path === 'weights.h5')!.bytes);
    const fc1 = h5.layers.find((l) => l.layer === 'fc1')!;
    expect(fc1.weights.map((w) => w.shape)).toEqual([[64, 2048], [2048]]);
    expect(fc1.weights[0].data).toEqual(model.getLayer('fc1').getWeights()[0].dataSync());
    model.dispose();
  });

  it('refuses a weight set that lacks a layer of the graph (names the layer), writes nothing', async () => {
    const spec = getPreset('ResNet-20');
    const input = structureOnly('ResNet-20');
    const weights = { layers: [{ layer: 'conv1_conv', weights: [{ name: 'conv1_conv/kernel:0', shape: [3, 3, 3, 16], data: new Float32Array(432) }] }] };
    const err = await exportKeras({ ...input, spec, weights }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportError);
    expect((err as ExportError).message).toMatch(/weights\[conv1_bn\].*needs 4 weight arrays/);
  });
});

describe('export registry and zip', () => {
  it('lists keras; an unknown format names the allowed ones', async () => {
    expect(EXPORT_FORMATS).toContain('keras');
    const err = await runExport('tflite', structureOnly('ResNet-20')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownFormatError);
    expect((err as Error).message).toBe(`unknown export format "tflite"; allowed: ${EXPORT_FORMATS.join(', ')}`);
  });

  it('zips every file under one folder, weights stored, code deflated; unzips to the same bytes', async () => {
    const spec = getPreset('ResNet-20');
    const model = buildModel(spec);
    const r = await runExport('keras', exportInputFromModel(spec, model, { weightsLabel: 'random' }));
    model.dispose();
    const zip = zipExport(r, 'resnet-20-keras');
    const back = unzipSync(zip);
    expect(Object.keys(back).sort()).toEqual(r.files.map((f) => `resnet-20-keras/${f.path}`).sort());
    for (const f of r.files) expect(back[`resnet-20-keras/${f.path}`]).toEqual(f.bytes);
    // Stored weights: the zip is at least as large as weights.h5; deflated code: smaller than all files together.
    const size = (p: string) => r.files.find((f) => f.path === p)!.bytes.length;
    expect(zip.length).toBeGreaterThan(size('weights.h5'));
    expect(zip.length).toBeLessThan(r.files.reduce((a, f) => a + f.bytes.length, 0));
    expect(tf.memory().numTensors).toBe(0);
  });
});
