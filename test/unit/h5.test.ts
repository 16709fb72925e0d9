/**
 * Keras HDF5 weights with h5wasm: files written in Keras' save_weights layout from our models (including the
 * real ImageNet ResNet50) read back bit-exactly, by order and by name; wrong files give precise messages.
 */
import { readFileSync } from 'node:fs';
import h5wasm from 'h5wasm';
import type * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src/core';
import { buildModel } from '../../src/tf/build';
import { WeightsFormatError, WeightsMismatchError } from '../../src/tf/errors';
import { isHdf5, loadKerasH5Weights, readKerasH5, writeKerasH5 } from '../../src/tf/h5';
import { imagenetResNet50, imagenetResNet50Spec } from '../../src/tf/imagenet';
import { initNodeBackend } from '../../src/tf/node-backend';
import { IMAGENET_RESNET50_JSON, readLayersModel } from '../../src/tf/node-io';
import { fixture, requireWeights, SKIP_WEIGHTS } from './helpers/fixtures';

function expectSameWeights(a: tf.LayersModel, b: tf.LayersModel) {
  const wa = a.getWeights();
  const wb = b.getWeights();
  expect(wb.length).toBe(wa.length);
  wa.forEach((t, i) => {
    expect(wb[i].shape).toEqual(t.shape);
    // Bit-exact: compare the float32 bytes.
    expect(Buffer.from(wb[i].dataSync().buffer).equals(Buffer.from(t.dataSync().buffer))).toBe(true);
  });
}

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('Keras HDF5 layout', () => {
  let model: tf.LayersModel;
  let bytes: Uint8Array;
  beforeAll(async () => {
    model = buildModel(getPreset('ResNet-20'));
    bytes = await writeKerasH5(model);
  });
  afterAll(() => model.dispose());

  it("writes Keras' save_weights structure", async () => {
    expect(isHdf5(bytes)).toBe(true);
    const { FS } = await h5wasm.ready;
    FS.writeFile('/layout.h5', bytes);
    const f = new h5wasm.File('/layout.h5', 'r');
    expect(f.attrs.layer_names.value).toEqual(model.layers.map((l) => l.name));
    expect(f.attrs.backend.value).toBe('tensorflow');
    const conv = f.get('conv1_conv') as InstanceType<typeof h5wasm.Group>;
    expect(conv.attrs.weight_names.value).toEqual(['conv1_conv/kernel:0']);
    const bn = f.get('conv1_bn') as InstanceType<typeof h5wasm.Group>;
    expect(bn.attrs.weight_names.value).toEqual([
      'conv1_bn/gamma:0',
      'conv1_bn/beta:0',
      'conv1_bn/moving_mean:0',
      'conv1_bn/moving_variance:0',
    ]);
    const k = f.get('conv1_conv/conv1_conv/kernel:0') as InstanceType<typeof h5wasm.Dataset>;
    expect(k.shape).toEqual([3, 3, 3, 16]); // HWIO
    expect(k.dtype).toBe('<f');
    f.close();
    FS.unlink('/layout.h5');
  });

  it('reads back bit-exactly by order and by name', async () => {
    for (const byName of [false, true]) {
      const other = buildModel(getPreset('ResNet-20'));
      await loadKerasH5Weights(other, bytes, { byName });
      expectSameWeights(model, other);
      other.dispose();
    }
  });

  it('an h5 file for another model names the first layer and the shapes that disagree', async () => {
    const wide = buildModel({ ...getPreset('ResNet-20'), head: { ...getPreset('ResNet-20').head, classes: 100 } });
    const before = wide.getWeights().map((t) => t.dataSync().slice());
    await expect(loadKerasH5Weights(wide, bytes, { source: 'resnet20.h5' })).rejects.toThrow(
      /layer #\d+ "predictions".*weight "predictions\/kernel:0": the model expects \[64, 100\], the file has \[64, 10\]/,
    );
    await expect(loadKerasH5Weights(wide, bytes, { byName: true, source: 'resnet20.h5' })).rejects.toThrow(
      /layer "predictions": weight "predictions\/kernel" has shape \[64, 10\] in resnet20.h5, the model expects \[64, 100\]/,
    );
    // All or nothing: nothing was assigned.
    wide.getWeights().forEach((t, i) => {
      expect(t.dataSync()).toEqual(before[i]);
    });
    wide.dispose();
    const deeper = buildModel(getPreset('ResNet-32'));
    const err = await loadKerasH5Weights(deeper, bytes).catch((e) => e);
    expect(err).toBeInstanceOf(WeightsMismatchError);
    expect(err.message).toMatch(/holds \d+ layers with weights; .* has \d+/);
    deeper.dispose();
  });

  it('non-HDF5, empty and truncated files are refused with what they are', async () => {
    await expect(readKerasH5(new TextEncoder().encode('{"not": "h5"}'), 'weights.h5')).rejects.toThrow(
      /weights.h5 is not an HDF5 file/,
    );
    await expect(readKerasH5(new Uint8Array(0), 'empty.h5')).rejects.toThrow(/empty.h5 is empty/);
    const cut = bytes.slice(0, Math.floor(bytes.length / 3));
    await expect(readKerasH5(cut, 'cut.h5')).rejects.toThrow(WeightsFormatError);
  });
});

describe('layer order', () => {
  it("our ResNet101's layers are in tf.keras' model.layers order (the order load-by-order pairs them)", () => {
    const m = JSON.parse(readFileSync(fixture('keras-topology', 'ResNet101.model.json'), 'utf8'));
    const keras = (m.modelTopology.model_config.config.layers as { name: string }[]).map((l) => (l.name === 'probs' ? 'predictions' : l.name));
    const model = buildModel(getPreset('ResNet101'));
    const ours = model.layers.map((l) => l.name);
    model.dispose();
    expect(ours.length).toBe(keras.length);
    // Both start with the input layer (named input_1 in the fixture); compare everything after it.
    expect(ours.slice(1)).toEqual(keras.slice(1));
  });

  it('a file with our layers in legacy Keras order is refused by order (shapes coincide) and loads by name', async () => {
    // Legacy Keras ResNet50 made the projection shortcut after the main path: swap them in a ResNet-20-like file.
    const spec = { ...getPreset('ResNet50'), stages: getPreset('ResNet50').stages.map((s) => ({ ...s, blocks: 1 })) };
    const a = buildModel(spec);
    const h5 = await writeKerasH5(a);
    const { FS } = await h5wasm.ready;
    FS.writeFile('/legacy.h5', h5);
    const f = new h5wasm.File('/legacy.h5', 'a');
    const names = f.attrs.layer_names.value as string[];
    const i0 = names.indexOf('conv2_block1_0_conv');
    const i3 = names.indexOf('conv2_block1_3_conv');
    [names[i0], names[i3]] = [names[i3], names[i0]];
    f.delete_attribute('layer_names');
    f.create_attribute('layer_names', names, null, 'S40');
    f.close();
    const swapped = FS.readFile('/legacy.h5');
    FS.unlink('/legacy.h5');
    const b = buildModel(spec);
    await expect(loadKerasH5Weights(b, swapped)).rejects.toThrow(/another order.*Load it by name/);
    await loadKerasH5Weights(b, swapped, { byName: true });
    expectSameWeights(a, b);
    a.dispose();
    b.dispose();
  });
});

describe.skipIf(SKIP_WEIGHTS)('the real ImageNet ResNet50 through HDF5', () => {
  it('writes a Keras .h5 and reads it back bit-exactly (by order and by name)', async () => {
    requireWeights();
    const ref = imagenetResNet50(await readLayersModel(IMAGENET_RESNET50_JSON));
    const bytes = await writeKerasH5(ref);
    expect(bytes.length).toBeGreaterThan(100_000_000);
    const file = await readKerasH5(bytes);
    expect(file.layers.length).toBe(177);
    expect(file.layers.filter((l) => l.weights.length > 0)).toHaveLength(107);
    for (const byName of [false, true]) {
      const m = buildModel(imagenetResNet50Spec());
      await loadKerasH5Weights(m, bytes, { byName });
      expectSameWeights(ref, m);
      m.dispose();
    }
    ref.dispose();
  });
});
