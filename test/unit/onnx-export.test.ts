/**
 * The ONNX file's structure, read back with the same protobuf schema: opset, input/output, node names = Keras
 * layer names, pads, grouped kernels, shortcuts, metadata, and ExportError for what cannot be exported.
 * Numerical agreement with tfjs is in onnx-runtime.test.ts, the ONNX checker in onnx-checker.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { type ArchSpec, analyze, expand, getPreset } from '../../src/core';
import { normalization } from '../../src/core/preprocessing';
import { hwioToOihw } from '../../src/export/kernel-layout';
import { exportOnnx } from '../../src/export/onnx';
import { samePads, samePads1d } from '../../src/export/onnx/pads';
import { type NodeProto, onnx } from '../../src/export/onnx/proto';
import { depthwiseToGrouped } from '../../src/export/onnx/weights';
import { exportPreprocessing } from '../../src/export/preprocessing';
import { ExportError, type ExportInput } from '../../src/export/types';
import { randomWeightSet } from './helpers/weight-set';

const input = (spec: ArchSpec, extra: Partial<ExportInput> = {}): ExportInput => ({
  spec,
  graph: expand(spec),
  preprocessing: exportPreprocessing(spec.preprocessing, spec.input),
  ...extra,
});
const decode = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes);
const ints = (node: NodeProto, name: string) => node.attribute!.find((a) => a.name === name)!.ints!.map(Number);
const num = (v: unknown) => Number(v);

/** The exception thrown by `f`, which must be an ExportError. */
function exportError(f: () => unknown): ExportError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ExportError);
    return e as ExportError;
  }
  throw new Error('expected an ExportError');
}

describe("TF 'same' padding as explicit pads", () => {
  it('follows the TF formula: the tf.nn docs example (in 13, filter 6, stride 5 → 1 before, 2 after)', () => {
    expect(samePads1d(13, 6, 5)).toEqual([1, 2]);
  });
  it('pads a 3×3 stride-2 conv asymmetrically on even sides only', () => {
    expect(samePads1d(224, 3, 2)).toEqual([0, 1]);
    expect(samePads1d(225, 3, 2)).toEqual([1, 1]);
    expect(samePads1d(56, 3, 1)).toEqual([1, 1]);
    expect(samePads1d(56, 1, 2)).toEqual([0, 0]);
    expect(samePads(32, 33, 3, 2)).toEqual([0, 1, 1, 1]);
  });
});

describe('kernel layouts', () => {
  // Each value encodes its Keras index, so a misplaced element shows which index went wrong.
  it('Keras conv kernel [kh, kw, in, out] → ONNX [out, in, kh, kw]', () => {
    const [kh, kw, ci, co] = [3, 2, 4, 5];
    const k = new Float32Array(kh * kw * ci * co);
    for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) k[((y * kw + x) * ci + i) * co + o] = y * 1000 + x * 100 + i * 10 + o;
    const w = hwioToOihw(k, kh, kw, ci, co);
    for (let o = 0; o < co; o++) for (let i = 0; i < ci; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) expect(w[((o * ci + i) * kh + y) * kw + x]).toBe(y * 1000 + x * 100 + i * 10 + o);
  });

  it('GroupConv2D depthwise [kh, kw, C, m] → grouped [C, m, kh, kw] computes the same grouped conv', () => {
    // GroupConv2D (src/tf/layers.ts): out[g·m + j] = Σ_i Σ_yx in[g·m + i] · D[y, x, g·m + i, j]. ONNX Conv with
    // group G: out[o] = Σ_i Σ_yx in[(o div m)·m + i] · W[o, i, y, x]. Both on one 3×3 window of random input.
    const [k, C, G] = [3, 8, 4];
    const m = C / G;
    const d = Float32Array.from({ length: k * k * C * m }, (_, n) => Math.sin(n * 1.7));
    const x = Float32Array.from({ length: k * k * C }, (_, n) => Math.cos(n * 0.9)); // [y, x, c]
    const w = depthwiseToGrouped(d, k, k, C, G);
    for (let o = 0; o < C; o++) {
      const g = Math.floor(o / m);
      const j = o % m;
      let viaDepthwise = 0;
      let viaOnnx = 0;
      for (let i = 0; i < m; i++)
        for (let y = 0; y < k; y++)
          for (let xx = 0; xx < k; xx++) {
            const pixel = x[(y * k + xx) * C + g * m + i];
            viaDepthwise += pixel * d[((y * k + xx) * C + g * m + i) * m + j];
            viaOnnx += pixel * w[((o * m + i) * k + y) * k + xx];
          }
      expect(viaOnnx).toBeCloseTo(viaDepthwise, 6);
    }
  });
});

describe('ONNX file structure', () => {
  const r50 = exportOnnx(input(getPreset('ResNet50')));
  const m50 = decode(r50.files[0].bytes);

  it('is opset 13, IR 7, input "input" float32 NCHW with a symbolic batch axis, output named after the last layer', () => {
    expect(r50.format).toBe('onnx');
    expect(r50.files.map((f) => f.path)).toEqual(['model.onnx']);
    expect(num(m50.irVersion)).toBe(7);
    expect(m50.opsetImport.map((o) => [o.domain, num(o.version)])).toEqual([['', 13]]);
    const [inp] = m50.graph!.input!;
    expect(inp.name).toBe('input');
    expect(inp.type!.tensorType!.elemType).toBe(onnx.TensorProto.DataType.FLOAT);
    const dims = inp.type!.tensorType!.shape!.dim!;
    expect(dims[0].dimParam).toBe('batch');
    expect(dims.slice(1).map((d) => num(d.dimValue))).toEqual([3, 224, 224]);
    const out = m50.graph!.output![0];
    expect(out.name).toBe('predictions');
    expect(num(out.type!.tensorType!.shape!.dim![1].dimValue)).toBe(1000);
  });

  it('names every node after our Keras layer (extra steps as <layer>/<Op>) and maps ops one to one', () => {
    const graph = expand(getPreset('ResNet50'));
    const names = m50.graph!.node!.map((n) => n.name);
    expect(names.filter((n) => !n!.includes('/'))).toEqual(graph.nodes.slice(1).map((n) => n.id));
    const count = (op: string) => m50.graph!.node!.filter((n) => n.opType === op).length;
    expect([count('Conv'), count('BatchNormalization'), count('Relu'), count('Add')]).toEqual([53, 53, 49, 16]);
    expect([count('MaxPool'), count('Pad'), count('ReduceMean'), count('Gemm'), count('Softmax')]).toEqual([1, 2, 1, 1, 1]);
    expect(names).toContain('predictions/Gemm');
  });

  it('keeps BatchNormalization with the spec epsilon (tf.keras 1.001e-5, legacy ImageNet 1e-3)', () => {
    const eps = m50.graph!.node!.filter((n) => n.opType === 'BatchNormalization').map((n) => n.attribute![0].f);
    expect(new Set(eps)).toEqual(new Set([Math.fround(1.001e-5)]));
    const legacy = decode(exportOnnx(input({ ...getPreset('ResNet50'), bnEpsilon: 1e-3 })).files[0].bytes);
    expect(legacy.graph!.node!.find((n) => n.opType === 'BatchNormalization')!.attribute![0].f).toBe(Math.fround(1e-3));
    expect(r50.notes.join('\n')).toMatch(/BatchNormalization kept \(not folded\), epsilon 0\.00001001/);
  });

  it('structure only: parameters are graph inputs with their ONNX shapes, and the notes and metadata say so', () => {
    const params = m50.graph!.input!.slice(1);
    // The only float initializer is the stem pad's constant; every int64 one is a pad, slice bound or the like.
    const floats = m50.graph!.initializer!.filter((t) => t.dataType === onnx.TensorProto.DataType.FLOAT);
    expect(floats.map((t) => t.name)).toEqual(['pool1_pad/constant_value']);
    // Keras: 53 convs with bias, 53 BNs × 4, the classifier's kernel and bias.
    expect(params.length).toBe(53 * 2 + 53 * 4 + 2);
    const k = params.find((p) => p.name === 'conv1_conv/kernel')!;
    expect(k.type!.tensorType!.shape!.dim!.map((d) => num(d.dimValue))).toEqual([64, 3, 7, 7]);
    expect(r50.notes[0]).toMatch(/^structure only/);
    const meta = new Map(m50.metadataProps.map((e) => [e.key, e.value]));
    expect(meta.get('structure_only')).toBe('true');
    expect(meta.get('weights')).toBe('none (structure only)');
  });

  it('grouped 3×3 convs are one Conv with group = cardinality and a [out, in/groups, 3, 3] kernel', () => {
    const spec = getPreset('ResNeXt50');
    const m = decode(exportOnnx(input(spec, { weights: randomWeightSet(expand(spec)) })).files[0].bytes);
    const grouped = m.graph!.node!.filter((n) => n.opType === 'Conv' && num(n.attribute!.find((a) => a.name === 'group')!.i) === 32);
    expect(grouped.length).toBe(16);
    expect(grouped[0].name).toBe('conv2_block1_2_conv');
    const w = m.graph!.initializer!.find((t) => t.name === 'conv2_block1_2_conv/kernel')!;
    expect(w.dims!.map(num)).toEqual([128, 4, 3, 3]);
    expect(w.rawData!.length).toBe(128 * 4 * 9 * 4);
    expect(m.graph!.node!.some((n) => n.name!.includes('gconv'))).toBe(false);
  });

  it('option A: every stride-th pixel (Slice with steps), then zero channels (Pad) on both sides', () => {
    const m = decode(exportOnnx(input(getPreset('ResNet-20'))).files[0].bytes);
    const nodes = m.graph!.node!.filter((n) => n.name!.startsWith('conv3_block1_0_pad'));
    expect(nodes.map((n) => [n.name, n.opType])).toEqual([
      ['conv3_block1_0_pad/Slice', 'Slice'],
      ['conv3_block1_0_pad', 'Pad'],
    ]);
    const init = (name: string) => m.graph!.initializer!.find((t) => t.name === name)!.int64Data!.map(num);
    expect(init('conv3_block1_0_pad/steps')).toEqual([2, 2]);
    expect(init('conv3_block1_0_pad/axes')).toEqual([2, 3]);
    // 16 → 32 channels: 8 before, 8 after (akamaster's planes // 4 on each side).
    expect(init('conv3_block1_0_pad/pads')).toEqual([0, 8, 0, 0, 0, 8, 0, 0]);
  });

  it("V2: the 1×1 max-pool shortcut is a MaxPool; the stem's zero-pad before MaxPool uses −0.0", () => {
    const m = decode(exportOnnx(input(getPreset('ResNet50V2'))).files[0].bytes);
    const pool = m.graph!.node!.find((n) => n.name === 'max_pooling2d')!;
    expect(pool.opType).toBe('MaxPool');
    expect([ints(pool, 'kernel_shape'), ints(pool, 'strides')]).toEqual([
      [1, 1],
      [2, 2],
    ]);
    const value = m.graph!.initializer!.find((t) => t.name === 'pool1_pad/constant_value')!;
    const v = new DataView(value.rawData!.buffer, value.rawData!.byteOffset, 4).getFloat32(0, true);
    expect(Object.is(v, -0)).toBe(true);
    expect(m.graph!.node!.find((n) => n.name === 'pool1_pad')!.input).toEqual(['conv1_conv', 'pool1_pad/pads', 'pool1_pad/constant_value']);
  });

  it("Keras 'same' 3×3 stride-2 convs get (0, 0, 1, 1) pads on even sides and (1, 1, 1, 1) on odd ones", () => {
    const custom: ArchSpec = { ...getPreset('ResNet-20'), name: 'same-v1', family: 'custom', pad3x3: 'same', shortcut: 'B' };
    const pads = (side: number) => {
      const m = decode(exportOnnx(input({ ...custom, input: [side, side, 3] })).files[0].bytes);
      return ints(m.graph!.node!.find((n) => n.name === 'conv3_block1_1_conv')!, 'pads');
    };
    expect(pads(32)).toEqual([0, 0, 1, 1]);
    expect(pads(33)).toEqual([1, 1, 1, 1]);
  });

  it('writes preprocessing, class names, weights label and the spec into metadata_props', () => {
    const spec: ArchSpec = { ...getPreset('ResNet50'), head: { ...getPreset('ResNet50').head, classes: 3 } };
    const r = exportOnnx(input(spec, { classNames: ['cat', 'dog', 'fox'] }));
    const meta = new Map(decode(r.files[0].bytes).metadataProps.map((e) => [e.key, e.value]));
    const caffe = normalization('caffe');
    expect(meta.get('preprocessing_mode')).toBe('caffe');
    expect(meta.get('channel_order')).toBe('BGR');
    expect(JSON.parse(meta.get('mean')!)).toEqual(caffe.mean);
    expect(JSON.parse(meta.get('std')!)).toEqual([1, 1, 1]);
    expect(Number(meta.get('pixel_scale'))).toBe(1);
    expect(JSON.parse(meta.get('input_size')!)).toEqual([224, 224]);
    expect(meta.get('input_layout')).toBe('NCHW');
    expect(meta.get('preprocessing')).toBe('x = (pixel * 1 - mean) / std per channel; pixels 0-255 in BGR order, resized to 224x224 (height x width), laid out NCHW');
    expect(JSON.parse(meta.get('class_names')!)).toEqual(['cat', 'dog', 'fox']);
    expect(JSON.parse(meta.get('spec')!)).toEqual(spec);
    expect(r.notes.join('\n')).toMatch(/3 class names/);
  });

  it('with weights: initializers in ONNX layout, the weights label in metadata and notes', () => {
    const spec = getPreset('ResNet-20');
    const set = randomWeightSet(expand(spec));
    const r = exportOnnx(input(spec, { weights: set, weightsLabel: 'fine-tuned' }));
    const m = decode(r.files[0].bytes);
    const meta = new Map(m.metadataProps.map((e) => [e.key, e.value]));
    expect(meta.get('weights')).toBe('fine-tuned');
    expect(meta.get('structure_only')).toBe('false');
    expect(m.graph!.input!.map((i) => i.name)).toEqual(['input']);
    // 19 convs (no bias) + 19 BNs × 4 + the classifier's kernel and bias; 269,722 trainable (He et al. 2015,
    // Table 6: 0.27M) + 2 × 688 BN moving statistics = Keras' total.
    expect(r.notes[0]).toBe('weights: fine-tuned (97 parameter tensors, 271,098 parameters)');
    expect(analyze(expand(spec)).params.total).toBe(271_098);
    // BN moving variance arrives unchanged (not folded), as raw little-endian float32.
    const v = m.graph!.initializer!.find((t) => t.name === 'conv1_bn/moving_variance')!;
    const want = set.layers.find((l) => l.layer === 'conv1_bn')!.weights[3].data;
    expect(new Float32Array(new Uint8Array(v.rawData!).buffer)).toEqual(want);
  });

  it('reports progress from 0 to 1 in order', () => {
    const seen: number[] = [];
    exportOnnx(input(getPreset('ResNet-110')), (f) => seen.push(f));
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((f, i) => i === 0 || f >= seen[i - 1])).toBe(true);
  });
});

describe('ExportError: never a broken file', () => {
  const spec = getPreset('ResNet-20');
  const graph = expand(spec);

  it('names a layer whose weights are missing', () => {
    const set = randomWeightSet(graph);
    const e = exportError(() => exportOnnx(input(spec, { weights: { layers: set.layers.filter((l) => l.layer !== 'conv2_block2_1_conv') } })));
    expect(e.field).toBe('weights["conv2_block2_1_conv"]');
    expect(e.message).toMatch(/\[3, 3, 16, 16\]/);
  });

  it('names a weight of the wrong shape, with the shape received and the one expected', () => {
    const set = randomWeightSet(graph);
    const layers = set.layers.map((l) =>
      l.layer === 'conv1_bn' ? { ...l, weights: l.weights.map((w) => ({ ...w, shape: [8], data: new Float32Array(8) })) } : l,
    );
    const e = exportError(() => exportOnnx(input(spec, { weights: { layers } })));
    expect(e.field).toBe('weights["conv1_bn"].conv1_bn/gamma:0');
    expect(e.received).toEqual([8]);
    expect(e.reason).toMatch(/\[16\]/);
  });

  it('refuses weights of another architecture (a layer the graph lacks)', () => {
    const set = randomWeightSet(expand(getPreset('ResNet-32')));
    const e = exportError(() => exportOnnx(input(spec, { weights: set })));
    expect(e.field).toBe('weights["conv2_block4_1_conv"]');
  });

  it('checks class names and preprocessing against the spec', () => {
    expect(exportError(() => exportOnnx(input(spec, { classNames: ['a', 'b'] }))).field).toBe('classNames');
    const noTop: ArchSpec = { ...spec, head: { ...spec.head, includeTop: false, pooling: 'avg' } };
    expect(exportError(() => exportOnnx(input(noTop, { classNames: ['a'] }))).reason).toMatch(/classifier head/);
    const p = exportPreprocessing('torch', [64, 64, 3]);
    expect(exportError(() => exportOnnx(input(spec, { preprocessing: p }))).field).toBe('preprocessing.inputSize');
    expect(exportError(() => exportOnnx({ ...input(spec), graph: expand(getPreset('ResNet-32')) })).field).toBe('graph.name');
  });

  it('refuses an op it does not know, naming the node', () => {
    const bad = { ...graph, nodes: graph.nodes.map((n) => (n.id === 'conv1_relu' ? { ...n, op: { kind: 'gelu' } } : n)) } as unknown as ExportInput['graph'];
    const e = exportError(() => exportOnnx({ ...input(spec), graph: bad }));
    expect(e.field).toBe('graph.nodes["conv1_relu"].op.kind');
    expect(e.received).toBe('gelu');
  });

  it('refuses weights over the 2 GiB protobuf limit before converting anything', () => {
    const huge: ArchSpec = { ...spec, name: 'huge', stages: [{ blocks: 1, width: 8192, stride: 1 }] };
    const e = exportError(() => exportOnnx(input(huge, { weights: { layers: [] } })));
    expect(e.field).toBe('weights');
    expect(e.reason).toMatch(/2 GiB/);
    // Structure only is fine: the weights are not in the file.
    expect(exportOnnx(input(huge)).files[0].bytes.length).toBeLessThan(100_000);
  });
});
