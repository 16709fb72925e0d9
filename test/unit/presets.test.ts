import { describe, expect, test } from 'vitest';
import { analyze, type ArchSpec, expand, getPreset, kerasLayerOrder, nodeIndex, PRESETS, plainTwin } from '../../src/core';
import {
  CIFAR_GOLDEN,
  KERAS_GOLDEN,
  PAPER_TABLE1_GMACS,
  RESNEXT_GOLDEN,
  TORCHVISION_GOLDEN,
} from '../../src/core/presets.golden';

const withinRel = (actual: number, expected: number, rel: number) => Math.abs(actual - expected) <= rel * expected;
const noTop = (spec: ArchSpec): ArchSpec => ({ ...spec, head: { ...spec.head, includeTop: false, pooling: 'none' } });

describe('Keras Applications parity (DESIGN.md §2)', () => {
  for (const [name, g] of Object.entries(KERAS_GOLDEN)) {
    test(name, () => {
      const a = analyze(expand(getPreset(name)));
      expect(a.params.total).toBe(g.total);
      expect(a.params.trainable).toBe(g.trainable);
      expect(a.params.nonTrainable).toBe(g.total - g.trainable);
      expect(a.layers).toBe(g.layers);
      expect(a.weightedLayers).toBe(g.weightedLayers);
      if (g.noTopTotal) expect(analyze(expand(noTop(getPreset(name)))).params.total).toBe(g.noTopTotal);
      if (g.gmacs) expect(withinRel(a.macs / 1e9, g.gmacs, 0.005)).toBe(true);
    });
  }
});

describe('torchvision parity', () => {
  for (const [name, g] of Object.entries(TORCHVISION_GOLDEN)) {
    test(name, () => {
      const a = analyze(expand(getPreset(name)));
      expect(a.params.trainable).toBe(g.params);
      expect(a.macs / 1e9).toBeGreaterThan(g.gmacs * 0.995);
      expect(a.macs / 1e9).toBeLessThan(g.gmacs * 1.005);
    });
  }
});

test('ResNeXt50: true grouped conv counts, and the Keras 153M explained', () => {
  const a = analyze(expand(getPreset('ResNeXt50')));
  expect(a.params.trainable).toBe(RESNEXT_GOLDEN.ResNeXt50.trainable);
  expect(withinRel(a.macs / 1e9, RESNEXT_GOLDEN.ResNeXt50.gmacs, 0.02)).toBe(true);
  // keras-applications' constant `_2_gconv` kernels: (filters·c)×filters per block, c = filters/32.
  const expected = [128, 256, 512, 1024].reduce((s, f, i) => s + [3, 4, 6, 3][i] * f * (f / 32) * f, 0);
  expect(a.kerasGconvConstantParams).toBe(expected);
  expect(Math.round((a.params.total + a.kerasGconvConstantParams) / 1e6)).toBe(153);
});

describe('CIFAR ResNets (He et al. 2015 Table 6, 2016 Table 3)', () => {
  for (const [name, g] of Object.entries(CIFAR_GOLDEN)) {
    test(name, () => {
      const graph = expand(getPreset(name));
      const a = analyze(graph);
      let params = a.params.trainable;
      if (g.withoutBn) params -= graph.nodes.filter((n) => n.op.kind === 'bn').reduce((s, n) => s + a.perNode.get(n.id)!.params.trainable, 0);
      const digits = g.paramsM < 1 ? 2 : 1;
      expect((params / 1e6).toFixed(digits)).toBe(g.paramsM.toFixed(digits));
      if (g.exact) expect(params).toBe(g.exact);
    });
  }

  test('option A adds no parameters over the plain twin', () => {
    for (const depth of [20, 32, 44, 56, 110, 1202]) {
      const spec = getPreset(`ResNet-${depth}`);
      expect(analyze(expand(plainTwin(spec))).params).toEqual(analyze(expand(spec)).params);
    }
  });
});

test('paper Table 1 multiply-adds agree with the stride placement that produced them (±0.07 G)', () => {
  for (const [name, g] of Object.entries(PAPER_TABLE1_GMACS)) {
    expect(Math.abs(analyze(expand(getPreset(name))).macs / 1e9 - g)).toBeLessThan(0.07);
  }
  // torchvision's stride-on-3×3 ResNet50 is clearly off the paper's 3.8.
  expect(analyze(expand(getPreset('resnet50'))).macs / 1e9 - 3.8).toBeGreaterThan(0.25);
});

describe('every preset expands to a well-formed graph', () => {
  for (const { spec } of PRESETS) {
    test(spec.name, () => {
      const g = expand(spec);
      const ids = new Set<string>();
      for (const n of g.nodes) {
        for (const i of n.inputs) expect(ids.has(i), `${n.id} reads ${i} before it exists`).toBe(true);
        expect(ids.has(n.id)).toBe(false);
        ids.add(n.id);
        expect(n.outShape.every((d) => Number.isInteger(d) && d >= 1)).toBe(true);
      }
      const order = kerasLayerOrder(g);
      expect([...order].sort()).toEqual([...ids].sort());
      expect(order[0]).toBe('input_1');
      expect(g.blocks.length).toBe(spec.stages.reduce((s, st) => s + st.blocks, 0));
      const out = nodeIndex(g).get(g.outputId)!.outShape;
      expect(out).toEqual(spec.head.includeTop ? [spec.head.classes] : out);
      if (!spec.residual) {
        expect(g.nodes.some((n) => n.op.kind === 'add' || n.path === 'shortcut')).toBe(false);
      } else {
        expect(g.nodes.filter((n) => n.op.kind === 'add').length).toBe(g.blocks.length);
      }
    });
  }
});

test('ResNet50 has 16 shortcuts, 4 of them projections; its plain twin none', () => {
  const g = expand(getPreset('ResNet50'));
  expect(g.blocks.map((b) => b.shortcut).filter((k) => k !== 'none')).toHaveLength(16);
  expect(g.blocks.filter((b) => b.shortcut === 'projection')).toHaveLength(4);
  expect(expand(plainTwin(getPreset('ResNet50'))).blocks.every((b) => b.shortcut === 'none')).toBe(true);
  const n = nodeIndex(g).get('conv2_block1_2_conv')!;
  expect(n.outShape).toEqual([56, 56, 64]);
});

test('Keras V2: projection in each first block, 1×1 max-pool subsample in the last blocks of stages 2–4', () => {
  const g = expand(getPreset('ResNet50V2'));
  expect(g.blocks.filter((b) => b.shortcut === 'projection').map((b) => b.id)).toEqual([
    'conv2_block1',
    'conv3_block1',
    'conv4_block1',
    'conv5_block1',
  ]);
  expect(g.blocks.filter((b) => b.shortcut === 'subsample').map((b) => b.id)).toEqual(['conv2_block3', 'conv3_block4', 'conv4_block6']);
  const ids = g.nodes.map((n) => n.id);
  expect(ids).toContain('max_pooling2d_2');
  expect(ids).toContain('post_bn');
  expect(ids).not.toContain('conv1_bn');
});
