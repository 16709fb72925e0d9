import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { type ArchSpec, getPreset } from '../../src/core';
import { buildModel } from '../../src/tf/build';
import { isHdf5, type KerasWeightsFile, readKerasH5, WeightsFileError, writeKerasH5 } from '../../src/tf/h5/keras-h5';
import { assignKerasWeights, modelToKerasWeights, WeightsMismatchError } from '../../src/tf/h5/model-weights';
import { useCpu } from '../helpers/tf';

beforeAll(async () => {
  await useCpu();
});

function randomize(model: tf.LayersModel, seed: number) {
  tf.tidy(() => {
    model.layers.forEach((l, i) => {
      if (l.weights.length) l.setWeights(l.weights.map((w, j) => tf.randomUniform(w.shape as number[], 0.5, 1.5, 'float32', seed + i * 7 + j)));
    });
  });
}

function predict(model: tf.LayersModel, spec: ArchSpec): Float32Array {
  return tf.tidy(() => (model.predict(tf.randomNormal([2, ...spec.input], 0, 1, 'float32', 11)) as tf.Tensor).dataSync() as Float32Array);
}

describe('Keras HDF5 weights', () => {
  test('write from our model, read back bit-exactly, load by order and by name', async () => {
    const spec = getPreset('ResNet-20');
    const source = buildModel(spec);
    randomize(source, 1);
    const contents = modelToKerasWeights(source);
    const bytes = await writeKerasH5(contents);
    expect(isHdf5(bytes)).toBe(true);
    const back = await readKerasH5(bytes);
    expect(back.layers.map((l) => l.layer)).toEqual(source.layers.map((l) => l.name));
    expect(back.layers.find((l) => l.layer === 'conv1_bn')!.weights.map((w) => w.name)).toEqual([
      'conv1_bn/gamma:0',
      'conv1_bn/beta:0',
      'conv1_bn/moving_mean:0',
      'conv1_bn/moving_variance:0',
    ]);
    back.layers.forEach((l, i) => {
      l.weights.forEach((w, j) => {
        expect(w.shape).toEqual(contents.layers[i].weights[j].shape);
        expect(Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength).equals(Buffer.from(contents.layers[i].weights[j].data.buffer))).toBe(true);
      });
    });
    const want = predict(source, spec);
    for (const mode of ['order', 'name'] as const) {
      const target = buildModel(spec);
      assignKerasWeights(target, back, mode);
      expect(predict(target, spec)).toEqual(want);
      target.dispose();
    }
    source.dispose();
  });

  test('a file for another model names the first layer and the shapes that disagree, and changes nothing', async () => {
    const file = await writeKerasH5(modelToKerasWeights(buildModel(getPreset('ResNet-20'))));
    const contents = await readKerasH5(file);
    const deeper = buildModel(getPreset('ResNet-32'));
    expect(() => assignKerasWeights(deeper, contents, 'order')).toThrow(/file has 39 layers with weights but this model has 63/);
    const spec = getPreset('ResNet-20');
    const hundred = buildModel({ ...spec, head: { ...spec.head, classes: 100 } });
    const before = hundred.getLayer('conv1_conv').getWeights()[0].dataSync().slice();
    expect(() => assignKerasWeights(hundred, contents, 'order')).toThrow(
      /Layer predictions: weight kernel has shape \[64, 100\] in the model but \[64, 10\] in the file/,
    );
    expect(hundred.getLayer('conv1_conv').getWeights()[0].dataSync()).toEqual(before);
    expect(() => assignKerasWeights(buildModel(getPreset('resnet18')), contents, 'name')).toThrow(WeightsMismatchError);
  });

  test('keras-applications ResNeXt files: the constant _2_gconv layers are skipped', async () => {
    const spec: ArchSpec = { ...getPreset('ResNeXt50'), input: [32, 32, 3], stages: [{ blocks: 1, width: 64, stride: 1 }], head: { ...getPreset('ResNeXt50').head, classes: 5 } };
    const model = buildModel(spec);
    randomize(model, 3);
    const ours = modelToKerasWeights(model);
    // Insert what Keras' block3 saves after each depthwise `_2_conv`: a frozen (filters·c)×filters 1×1 kernel.
    const layers = ours.layers.flatMap((l) =>
      l.layer.endsWith('_2_conv')
        ? [l, { layer: l.layer.replace('_2_conv', '_2_gconv'), weights: [{ name: 'g/kernel:0', shape: [1, 1, 128, 64], data: new Float32Array(128 * 64) }] }]
        : [l],
    );
    const kerasStyle: KerasWeightsFile = { layers };
    const target = buildModel(spec);
    expect(assignKerasWeights(target, await readKerasH5(await writeKerasH5(kerasStyle)), 'order').assigned).toBe(model.layers.filter((l) => l.weights.length).length);
    expect(predict(target, spec)).toEqual(predict(model, spec));
  });

  test('not-HDF5, empty and truncated files give clear messages', async () => {
    await expect(readKerasH5(new Uint8Array(0), 'w.h5')).rejects.toThrow('w.h5 is empty (0 bytes).');
    await expect(readKerasH5(new TextEncoder().encode('{"modelTopology": {}}'), 'model.json')).rejects.toThrow(/not an HDF5 file/);
    const good = await writeKerasH5(modelToKerasWeights(buildModel(getPreset('ResNet-20'))));
    await expect(readKerasH5(good.slice(0, good.length >> 1), 'cut.h5')).rejects.toThrow(WeightsFileError);
  });
});
