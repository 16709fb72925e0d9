import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src/core';
import { parseNpz } from '../../src/core/npz';
import { akamasterKey, loadAkamasterWeights, WeightsMismatchError } from '../../src/tf/akamaster';
import { buildModel } from '../../src/tf/build';
import { initNodeWasm } from '../../src/tf/node-wasm';
import reference from '../data/akamaster-logits.json';
import { akamasterInputs as inputs } from './helpers/akamaster-inputs';

const FIXTURES = process.env.RESNET_FIXTURES ?? '../shared/fixtures';
const file = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, 'cifar-akamaster', name)));

describe('akamaster CIFAR-10 weights in our presets', () => {
  beforeAll(async () => {
    await initNodeWasm();
  });

  for (const [name, npz] of [
    ['ResNet-20', 'resnet20-12fca82f.npz'],
    ['ResNet-56', 'resnet56-4bfd9763.npz'],
  ] as const) {
    it(`${name} reproduces the numpy reference logits to 1e-4`, async () => {
      const arrays = await parseNpz(file(npz));
      const model = buildModel(getPreset(name));
      loadAkamasterWeights(model, arrays);
      const x = inputs();
      const before = tf.memory().numTensors;
      const logits = model.predict(x) as tf.Tensor2D;
      const got = logits.arraySync();
      logits.dispose();
      expect(tf.memory().numTensors).toBe(before);
      const want = reference.models[name];
      for (let i = 0; i < want.logits.length; i++) {
        for (let j = 0; j < 10; j++) expect(Math.abs(got[i][j] - want.logits[i][j])).toBeLessThan(1e-4);
        expect(got[i].indexOf(Math.max(...got[i]))).toBe(want.argmax[i]);
      }
      x.dispose();
      model.dispose();
    });
  }

  it('reads the npz: every array, PyTorch shapes', async () => {
    const arrays = await parseNpz(file('resnet20-12fca82f.npz'));
    expect(arrays.get('module.conv1.weight')?.shape).toEqual([16, 3, 3, 3]);
    expect(arrays.get('module.linear.weight')?.shape).toEqual([10, 64]);
    expect(arrays.get('module.layer3.2.bn2.running_var')?.data.length).toBe(64);
    // 19 convs + 19 BNs × 4 + linear weight and bias.
    expect([...arrays.keys()].filter((k) => !k.endsWith('num_batches_tracked')).length).toBe(19 + 19 * 4 + 2);
  });

  it('maps Keras names to state-dict keys', () => {
    expect(akamasterKey('conv3_block1_2_bn')).toBe('module.layer2.0.bn2');
    expect(akamasterKey('conv4_block9_1_conv')).toBe('module.layer3.8.conv1');
    expect(akamasterKey('conv2_block1_0_pad')).toBeUndefined();
  });

  it('refuses weights of another depth, naming what is wrong', async () => {
    const arrays = await parseNpz(file('resnet56-4bfd9763.npz'));
    const model = buildModel(getPreset('ResNet-20'));
    const before = tf.memory().numTensors;
    expect(() => loadAkamasterWeights(model, arrays)).toThrow(WeightsMismatchError);
    expect(() => loadAkamasterWeights(model, arrays)).toThrow(/does not use, e\.g\. 'module\.layer1\.3/);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
