/**
 * Keras HDF5 with the real ImageNet ResNet50 weights: written in Keras' save_weights layout from our model and
 * read back bit-exactly, by order and by name; a file with our layers in legacy Keras order is not mis-paired.
 */
import h5wasm from 'h5wasm';
import type * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src/core';
import { buildModel } from '../../src/tf/build';
import { readKerasH5, writeKerasH5 } from '../../src/tf/h5/keras-h5';
import { assignKerasWeights, modelToKerasWeights } from '../../src/tf/h5/model-weights';
import { imagenetResNet50, imagenetResNet50Spec } from '../../src/tf/imagenet';
import { initNodeBackend } from '../../src/tf/node-backend';
import { IMAGENET_RESNET50_JSON, readLayersModel } from '../../src/tf/node-io';
import { requireWeights, SKIP_WEIGHTS } from '../helpers/fixtures';

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

describe('HDF5 layer order', () => {
  it('a file with our layers in legacy Keras order is refused by order (shapes coincide) and loads by name', async () => {
    const base = getPreset('ResNet50');
    const spec = { ...base, stages: base.stages.map((s) => ({ ...s, blocks: 1 })) };
    const a = buildModel(spec);
    // Legacy Keras ResNet50 created the projection shortcut after the main path: swap them in the file.
    const contents = modelToKerasWeights(a);
    const layers = [...contents.layers];
    const i0 = layers.findIndex((l) => l.layer === 'conv2_block1_0_conv');
    const i3 = layers.findIndex((l) => l.layer === 'conv2_block1_3_conv');
    [layers[i0], layers[i3]] = [layers[i3], layers[i0]];
    const swapped = await writeKerasH5({ ...contents, layers });
    const file = await readKerasH5(swapped);
    const b = buildModel(spec);
    expect(() => assignKerasWeights(b, file, 'order')).toThrow(/another order \(#6: file conv2_block1_3_conv, model conv2_block1_0_conv\); load it by name/);
    assignKerasWeights(b, file, 'auto');
    expectSameWeights(a, b);
    a.dispose();
    b.dispose();
  });
});

describe.skipIf(SKIP_WEIGHTS)('the real ImageNet ResNet50 through HDF5', () => {
  it("writes Keras' save_weights layout and reads it back bit-exactly (by order and by name)", async () => {
    requireWeights();
    const ref = imagenetResNet50(await readLayersModel(IMAGENET_RESNET50_JSON));
    const bytes = await writeKerasH5(modelToKerasWeights(ref));
    expect(bytes.length).toBeGreaterThan(100_000_000);
    // Keras layout: every layer listed, weights under <layer>/<layer>/<name>:0.
    const { FS } = await h5wasm.ready;
    FS.writeFile('/imagenet.h5', bytes);
    const f = new h5wasm.File('/imagenet.h5', 'r');
    expect((f.attrs.layer_names.value as string[]).length).toBe(177);
    const k = f.get('conv1_conv/conv1_conv/kernel:0') as InstanceType<typeof h5wasm.Dataset>;
    expect(k.shape).toEqual([7, 7, 3, 64]);
    const mv = f.get('conv5_block3_3_bn/conv5_block3_3_bn/moving_variance:0') as InstanceType<typeof h5wasm.Dataset>;
    expect(mv.shape).toEqual([2048]);
    f.close();
    FS.unlink('/imagenet.h5');

    const file = await readKerasH5(bytes);
    expect(file.layers.filter((l) => l.weights.length > 0)).toHaveLength(107);
    for (const mode of ['order', 'name'] as const) {
      const m = buildModel(imagenetResNet50Spec());
      assignKerasWeights(m, file, mode);
      expectSameWeights(ref, m);
      m.dispose();
    }
    ref.dispose();
  });
});
