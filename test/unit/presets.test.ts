import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { analyze, type ArchSpec, expand, getPreset, kerasLayerOrder, nodeIndex, PRESETS, plainTwin } from '../../src/core';
import { explainBnAffine } from '../../src/core/explain';
import { parseNpz } from '../../src/core/npz';
import { KERAS_GOLDEN } from '../../src/core/presets.golden';
import { agreement, type Ours, published, REFERENCES } from '../../src/core/references';
import { fixture } from './helpers/fixtures';

const noTop = (spec: ArchSpec): ArchSpec => ({ ...spec, head: { ...spec.head, includeTop: false, pooling: 'none' } });
const ours = (spec: ArchSpec): Ours => {
  const a = analyze(expand(spec));
  return { paramsTotal: a.params.total, paramsTrainable: a.params.trainable, macs: a.macs };
};

describe('Keras Applications parity (tf.keras model.summary() and len(model.layers))', () => {
  for (const [name, g] of Object.entries(KERAS_GOLDEN)) {
    test(name, () => {
      const a = analyze(expand(getPreset(name)));
      const total = published('kerasCode', name, 'paramsTotal').value;
      const trainable = published('kerasCode', name, 'paramsTrainable').value;
      expect(a.params.total).toBe(total);
      expect(a.params.trainable).toBe(trainable);
      expect(a.params.nonTrainable).toBe(total - trainable);
      expect(a.layers).toBe(g.layers);
      expect(a.weightedLayers).toBe(g.weightedLayers);
      if (g.noTopTotal) expect(analyze(expand(noTop(getPreset(name)))).params.total).toBe(g.noTopTotal);
    });
  }
});

describe('torchvision parity (weights meta: num_params exact, _ops to its printed digit)', () => {
  const names = REFERENCES.filter((r) => r.source === 'torchvision' && r.metric === 'paramsTrainable').map((r) => r.preset!);
  test('covers the eight torchvision ResNets', () => expect(names).toHaveLength(8));
  for (const name of names) {
    test(name, () => {
      const o = ours(getPreset(name));
      expect(o.paramsTrainable).toBe(published('torchvision', name, 'paramsTrainable').value);
      const macs = agreement(published('torchvision', name, 'macs'), o);
      expect(macs.kind, `${name} MACs ${o.macs}`).toBe('agrees');
    });
  }
});

test('ResNeXt50: a true grouped conv has torchvision resnext50_32x4d’s params and Xie et al.’s multiply-adds', () => {
  const a = analyze(expand(getPreset('ResNeXt50')));
  expect(a.params.trainable).toBe(published('torchvision', 'resnext50_32x4d', 'paramsTrainable').value);
  expect(agreement(published('xie2017', 'ResNeXt50', 'macs'), ours(getPreset('ResNeXt50'))).kind).toBe('agrees');
  // keras-applications' constant `_2_gconv` kernels: (filters·c)×filters per block, c = filters/32.
  const expected = [128, 256, 512, 1024].reduce((s, f, i) => s + [3, 4, 6, 3][i] * f * (f / 32) * f, 0);
  expect(a.kerasGconvConstantParams).toBe(expected);
});

describe('CIFAR ResNets (He et al. 2015 Table 6, He et al. 2016 Table 4)', () => {
  const rows = REFERENCES.filter((r) => (r.source === 'he2015' || r.source === 'he2016') && r.metric === 'paramsTrainable');
  test('covers 20…1202 and pre-activation 164/1001', () => expect(rows.map((r) => r.preset)).toHaveLength(8));
  for (const r of rows) {
    test(`${r.preset} ≈ ${r.shown}`, () => {
      const spec = getPreset(r.preset!);
      if (r.preset === 'PreAct-ResNet-1001') {
        // The paper's 10.2M leaves BN's γ/β out (explain.ts, 'bnAffine'); with them it is 10.3M.
        expect(agreement(r, ours(spec)).kind).toBe('differs');
        const e = explainBnAffine();
        expect(agreement(r, { ...ours(spec), paramsTrainable: e.right.value }).kind).toBe('agrees');
      } else {
        expect(agreement(r, ours(spec)).kind).toBe('agrees');
      }
    });
  }

  // The trained state dicts akamaster/pytorch_resnet_cifar10 publishes: every weight and bias is a trainable
  // parameter, the BN running statistics are the non-trainable ones.
  for (const [name, file] of [
    ['ResNet-20', 'resnet20-12fca82f.npz'],
    ['ResNet-56', 'resnet56-4bfd9763.npz'],
  ] as const) {
    test(`${name} has exactly the parameters of the trained ${file}`, async () => {
      const arrays = await parseNpz(new Uint8Array(readFileSync(fixture('cifar-akamaster', file))));
      const size = (suffix: RegExp) =>
        [...arrays].filter(([k]) => suffix.test(k)).reduce((s, [, a]) => s + a.shape.reduce((p, d) => p * d, 1), 0);
      const a = analyze(expand(getPreset(name)));
      expect(a.params.trainable).toBe(size(/\.(weight|bias)$/));
      expect(a.params.nonTrainable).toBe(size(/\.running_(mean|var)$/));
    });
  }

  test('option A adds no parameters over the plain twin', () => {
    for (const depth of [20, 32, 44, 56, 110, 1202]) {
      const spec = getPreset(`ResNet-${depth}`);
      expect(analyze(expand(plainTwin(spec))).params).toEqual(analyze(expand(spec)).params);
    }
  });
});

test('paper Table 1 multiply-adds agree with the stride placement that produced them, not with torchvision’s', () => {
  const table1 = REFERENCES.filter((r) => r.source === 'he2015' && r.metric === 'macs' && r.preset);
  for (const r of table1) {
    const spec = getPreset(r.preset!);
    // Basic blocks have no 1×1 to carry the stride; bottlenecks agree only with the stride on the first 1×1.
    const expected = spec.block === 'basic' || spec.strideAt === 'first1x1' ? 'agrees' : 'differs';
    expect(agreement(r, ours(spec)).kind, `${r.preset} ${r.shown}`).toBe(expected);
  }
  expect(table1.filter((r) => getPreset(r.preset!).strideAt === '3x3' && getPreset(r.preset!).block === 'bottleneck')).toHaveLength(3);
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
