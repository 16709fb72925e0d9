import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { analyze, type ArchSpec, expand, getPreset, kerasLayerOrder, PRESETS } from '../../src/core';
import { buildModel } from '../../src/tf/build';
import { GroupConv2D, ZeroPadShortcut } from '../../src/tf/layers';
import { useCpu } from '../helpers/tf';

beforeAll(async () => {
  await useCpu();
});

/** Symbolic checks on every preset: names, Keras order, per-layer output shapes, countParams. */
describe('tfjs model matches the graph, for every preset', () => {
  // The two ~5,000-layer CIFAR giants take tens of seconds each to assemble in tfjs; their graphs are checked
  // symbolically in presets.test.ts, and their 110-layer siblings below cover the same code paths.
  const skip = new Set(['ResNet-1202', 'plain-ResNet-1202', 'PreAct-ResNet-1001', 'plain-PreAct-ResNet-1001']);
  for (const { spec } of PRESETS.filter((p) => !skip.has(p.spec.name))) {
    test(spec.name, () => {
      const graph = expand(spec);
      const model = buildModel(graph);
      try {
        expect(model.layers.map((l) => l.name)).toEqual(kerasLayerOrder(graph));
        for (const n of graph.nodes) {
          const shape = model.getLayer(n.id).outputShape as number[];
          expect(shape.slice(1), n.id).toEqual([...n.outShape]);
        }
        expect(model.countParams()).toBe(analyze(graph).params.total);
        const trainable = model.trainableWeights.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
        expect(trainable).toBe(analyze(graph).params.trainable);
      } finally {
        model.dispose();
      }
    });
  }
});

function forward(spec: ArchSpec, batch = 2) {
  const before = tf.memory().numTensors;
  const model = buildModel(spec);
  const x = tf.randomNormal([batch, ...spec.input], 0, 1, 'float32', 7);
  const y = model.predict(x) as tf.Tensor;
  const values = y.dataSync();
  const shape = y.shape;
  tf.dispose([x, y]);
  model.dispose();
  return { values, shape, leaked: tf.memory().numTensors - before };
}

describe('real forward passes on the cpu backend', () => {
  const small: ArchSpec[] = [
    ...[20, 32, 44, 56, 110].map((d) => getPreset(`ResNet-${d}`)),
    getPreset('plain-ResNet-20'),
    getPreset('PreAct-ResNet-164'),
    { ...getPreset('resnet18'), input: [64, 64, 3] },
    { ...getPreset('ResNeXt50'), input: [32, 32, 3], head: { ...getPreset('ResNeXt50').head, classes: 10 } },
    { ...getPreset('ResNet50V2'), input: [32, 32, 3] },
  ];
  for (const spec of small) {
    test(`${spec.name} at ${spec.input.join('×')}`, () => {
      const { values, shape, leaked } = forward(spec);
      expect(shape).toEqual([2, spec.head.classes]);
      expect(values.every(Number.isFinite)).toBe(true);
      expect(leaked).toBe(0);
    });
  }
});

describe('custom layers against reference implementations', () => {
  test('GroupConv2D equals split → conv2d → concat, with stride and bias', () => {
    const [n, h, w, cin, groups] = [2, 9, 9, 12, 3];
    const layer = new GroupConv2D({ name: 'g', filters: 12, kernelSize: 3, strides: 2, groups, padding: 'valid', useBias: true });
    const x = tf.randomNormal([n, h, w, cin], 0, 1, 'float32', 1);
    const y = layer.apply(x) as tf.Tensor;
    const [kernel, bias] = layer.getWeights();
    tf.tidy(() => {
      layer.setWeights([tf.randomNormal(kernel.shape, 0, 1, 'float32', 2), tf.randomNormal(bias.shape, 0, 1, 'float32', 3)]);
    });
    const [k, b] = layer.getWeights() as [tf.Tensor4D, tf.Tensor1D];
    const got = layer.apply(x) as tf.Tensor;
    const per = cin / groups;
    // depthwise kernel [3,3,Cin,per] → grouped kernel for group g: [3,3,per_in,per_out]
    const outs = tf.split(x, groups, 3).map((xg, g) => {
      const kg = k.slice([0, 0, g * per, 0], [3, 3, per, per]);
      return tf.conv2d(xg as tf.Tensor4D, kg as tf.Tensor4D, 2, 'valid');
    });
    const want = tf.add(tf.concat(outs, 3), b);
    expect(got.shape).toEqual([n, 4, 4, 12]);
    expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]).toBeLessThan(1e-4);
    tf.dispose([x, y, got, want, ...outs, kernel, bias]);
  });

  test("GroupConv2D takes keras-applications ResNeXt weights as they are (DepthwiseConv2D + constant _2_gconv)", () => {
    // keras-applications resnet_common.block3: DepthwiseConv2D(depth_multiplier=c) then a frozen 1×1 conv whose
    // kernel[:, :, start:end:c, i] = 1 with start = (i // c)·c·c + i % c, end = start + c·c.
    const [filters, groups] = [16, 4];
    const c = filters / groups;
    const gconv = new Float32Array(filters * c * filters);
    for (let i = 0; i < filters; i++) {
      const start = Math.floor(i / c) * c * c + (i % c);
      for (let r = start; r < start + c * c; r += c) gconv[r * filters + i] = 1;
    }
    const x = tf.randomNormal([1, 7, 7, filters], 0, 1, 'float32', 5) as tf.Tensor4D;
    const dw = tf.randomNormal([3, 3, filters, c], 0, 1, 'float32', 6) as tf.Tensor4D;
    const keras = tf.conv2d(tf.depthwiseConv2d(x, dw, 1, 'same'), tf.tensor4d(gconv, [1, 1, filters * c, filters]), 1, 'valid');
    const layer = new GroupConv2D({ name: 'g2', filters, kernelSize: 3, strides: 1, groups, padding: 'same', useBias: false });
    layer.apply(x);
    layer.setWeights([dw]);
    const ours = layer.apply(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(ours, keras))).dataSync()[0]).toBeLessThan(1e-4);
    tf.dispose([x, dw, keras, ours]);
  });

  test('ZeroPadShortcut keeps every 2nd pixel and zero-pads channels symmetrically; it has a gradient', () => {
    const layer = new ZeroPadShortcut({ name: 'z', stride: 2, channelPad: [2, 2] });
    const x = tf.randomNormal([1, 6, 6, 4], 0, 1, 'float32', 4);
    const y = layer.apply(x) as tf.Tensor4D;
    expect(y.shape).toEqual([1, 3, 3, 8]);
    const buf = x.bufferSync();
    const out = y.bufferSync();
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++)
        for (let c = 0; c < 8; c++) {
          const want = c < 2 || c >= 6 ? 0 : buf.get(0, 2 * i, 2 * j, c - 2);
          expect(out.get(0, i, j, c)).toBeCloseTo(want, 6);
        }
    const g = tf.grad((t: tf.Tensor) => tf.sum(layer.apply(t) as tf.Tensor))(x);
    expect(tf.sum(g).dataSync()[0]).toBe(9 * 4);
    tf.dispose([x, y, g]);
  });
});
