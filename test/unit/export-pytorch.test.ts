/**
 * PyTorch export: the safetensors layout, the Keras → torch weight layouts, the errors, and, with Debian's
 * python3-torch, the generated model.py against the tfjs model for every structural variant and against
 * torchvision's own resnet18 / resnet50 (strict state-dict loads).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ArchSpec, expand, getPreset, PRESETS, plainTwin } from '../../src/core';
import { exportPytorch, readSafetensorsHeader, torchPrefix } from '../../src/export/pytorch';
import { groupedToTorch } from '../../src/export/pytorch/keys';
import { ExportError, type ExportInput } from '../../src/export/types';
import { exportPreprocessing } from '../../src/export/preprocessing';
import { buildModel } from '../../src/tf/build';
import { exportInputFromModel } from '../../src/tf/export-input';
import { assignKerasWeights } from '../../src/tf/h5/model-weights';
import { initNodeBackend } from '../../src/tf/node-backend';
import { f32Bytes, python, randomWeights, requireTorch, SKIP_TORCH, writeExport } from './helpers/torch';

const DRIVER = join(__dirname, '..', 'python', 'run_export.py');
const CHECK_PRESETS = join(__dirname, '..', 'python', 'check_presets.py');

function inputFor(spec: ArchSpec, seed: number, withWeights = true): ExportInput {
  const graph = expand(spec);
  return {
    spec,
    graph,
    weights: withWeights ? randomWeights(graph, seed) : undefined,
    weightsLabel: 'random (test)',
    preprocessing: exportPreprocessing(spec.preprocessing, spec.input),
  };
}

const file = (r: ReturnType<typeof exportPytorch>, path: string) => {
  const f = r.files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} in ${r.files.map((x) => x.path).join(', ')}`);
  return f.bytes;
};

describe('PyTorch export without Python', () => {
  it('writes safetensors exactly as the format defines it', () => {
    const spec = getPreset('ResNet-20');
    const r = exportPytorch(inputFor(spec, 1));
    const bytes = file(r, 'weights.safetensors');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Number(view.getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(headerText.trimEnd().length).toBeGreaterThan(n - 8); // padded with at most 7 spaces
    expect(/^ *$/.test(headerText.slice(headerText.trimEnd().length))).toBe(true);
    const { tensors, metadata, dataStart } = readSafetensorsHeader(bytes);
    expect(metadata.format).toBe('pt');
    expect(JSON.parse(metadata.preprocessing).mode).toBe('torch');
    // Offsets tile the data buffer without gaps or overlaps, in order, to the last byte.
    const spans = Object.values(tensors)
      .map((t) => t.data_offsets)
      .sort((a, b) => a[0] - b[0]);
    expect(spans[0][0]).toBe(0);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBe(spans[i - 1][1]);
    expect(dataStart + spans.at(-1)![1]).toBe(bytes.length);
    for (const [key, t] of Object.entries(tensors)) {
      const size = t.shape.reduce((a, b) => a * b, 1) * (t.dtype === 'I64' ? 8 : 4);
      expect(t.data_offsets[1] - t.data_offsets[0], key).toBe(size);
    }
    // ResNet-20 (option A): torchvision names, no downsample parameters, 3 stages, fc.
    expect(tensors['conv1.weight'].shape).toEqual([16, 3, 3, 3]);
    expect(tensors['layer3.2.bn2.running_var'].shape).toEqual([64]);
    expect(tensors['layer2.0.bn1.num_batches_tracked']).toMatchObject({ dtype: 'I64', shape: [] });
    expect(tensors['fc.weight'].shape).toEqual([10, 64]);
    expect(Object.keys(tensors).some((k) => k.includes('downsample'))).toBe(false);
    // Values: conv1 [kh, kw, in, out] → [out, in, kh, kw]; read back one element.
    const keras = inputFor(spec, 1).weights!.layers.find((l) => l.layer === 'conv1_conv')!.weights[0];
    const at = (o: number, i: number, y: number, x: number) =>
      view.getFloat32(dataStart + tensors['conv1.weight'].data_offsets[0] + 4 * (((o * 3 + i) * 3 + y) * 3 + x), true);
    expect(at(5, 2, 1, 0)).toBe(keras.data[((1 * 3 + 0) * 3 + 2) * 16 + 5]);
  });

  it('maps Keras layer names to torchvision module names', () => {
    expect(torchPrefix('conv1_conv', 'predictions')).toBe('conv1');
    expect(torchPrefix('conv1_bn', 'predictions')).toBe('bn1');
    expect(torchPrefix('conv2_block1_0_conv', 'predictions')).toBe('layer1.0.downsample.0');
    expect(torchPrefix('conv2_block1_0_bn', 'predictions')).toBe('layer1.0.downsample.1');
    expect(torchPrefix('conv4_block23_3_bn', 'predictions')).toBe('layer3.22.bn3');
    expect(torchPrefix('conv3_block2_preact_bn', 'predictions')).toBe('layer2.1.bn_pre');
    expect(torchPrefix('post_bn', 'predictions')).toBe('postnorm');
    expect(torchPrefix('probs', 'probs')).toBe('fc');
    expect(torchPrefix('max_pooling2d', 'predictions')).toBeUndefined();
  });

  it('turns the depthwise-plus-group-sum kernel into the same grouped convolution', () => {
    // One output pixel of a 3×3 conv on a 3×3 input, both ways: GroupConv2D's definition and torch's grouped conv.
    const [cin, groups] = [6, 3];
    const m = cin / groups;
    const k = Float32Array.from({ length: 9 * cin * m }, (_, i) => Math.sin(i * 1.7) + (i % 5));
    const x = Float32Array.from({ length: 9 * cin }, (_, i) => Math.cos(i * 0.9)); // [3, 3, cin]
    const depthwise = new Float64Array(cin);
    for (let g = 0; g < groups; g++)
      for (let j = 0; j < m; j++)
        for (let a = 0; a < m; a++)
          for (let p = 0; p < 9; p++) depthwise[g * m + j] += x[p * cin + g * m + a] * k[(p * cin + g * m + a) * m + j];
    const w = groupedToTorch(k, 3, 3, cin, m, groups); // [cout, cin/groups, 3, 3]
    for (let o = 0; o < cin; o++) {
      const g = Math.floor(o / m);
      let sum = 0;
      for (let a = 0; a < m; a++) for (let p = 0; p < 9; p++) sum += x[p * cin + g * m + a] * w[(o * m + a) * 9 + p];
      expect(sum).toBeCloseTo(depthwise[o], 9);
    }
  });

  it('names what is wrong with the weights, and exports a structure without them', () => {
    const spec = getPreset('ResNet-20');
    const good = inputFor(spec, 2);
    const missing = { ...good, weights: { layers: good.weights!.layers.filter((l) => l.layer !== 'conv3_block2_1_bn') } };
    expect(() => exportPytorch(missing)).toThrow(ExportError);
    expect(() => exportPytorch(missing)).toThrow(/conv3_block2_1_bn.*has no weights/);
    const bent = {
      ...good,
      weights: {
        layers: good.weights!.layers.map((l) =>
          l.layer === 'conv1_conv' ? { ...l, weights: [{ ...l.weights[0], shape: [3, 3, 3, 8], data: new Float32Array(216) }] } : l,
        ),
      },
    };
    expect(() => exportPytorch(bent)).toThrow(/conv1_conv\/kernel shape = \[3,3,3,8\].*\[3, 3, 3, 16\]/);
    expect(() => exportPytorch({ ...good, classNames: ['a', 'b'] })).toThrow(/classNames = 2.*10 outputs/);
    // Option A cannot narrow: a first stage of 8 after the 16-wide stem would need a negative channel pad, and
    // validateSpec (in expand) refuses it before any graph reaches the exporter.
    const narrow: ArchSpec = { ...spec, stages: [{ blocks: 1, width: 8, stride: 1 }, ...spec.stages.slice(1)] };
    expect(() => inputFor(narrow, 2, false)).toThrow(/stages\[0\]\.width: received 8; shortcut 'A' \(zero-padding\) can only widen/);
    const bare = exportPytorch(inputFor(spec, 2, false));
    expect(bare.files.map((f) => f.path).sort()).toEqual(['README.md', 'model.py', 'train.py']);
    expect(bare.notes.join('\n')).toMatch(/structure only/);
  });

  it('writes readable code with the spec spelled out, and reports progress', () => {
    const seen: number[] = [];
    exportPytorch(inputFor(getPreset('ResNet-56'), 3), (f) => seen.push(f));
    const r = exportPytorch(inputFor(getPreset('ResNet50'), 3, false));
    const code = new TextDecoder().decode(file(r, 'model.py'));
    expect(code).toContain('Bottleneck(64, 64, 256, stride=1, downsample=projection(64, 256, 1)),  # conv2_block1');
    expect(code).toContain('self.conv1 = conv1x1(inplanes, width, stride, bias=True)'); // Keras V1: stride on the 1×1
    expect(code).toContain('eps=1.001e-5');
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((v, i) => i === 0 || v >= seen[i - 1])).toBe(true);
    const readme = new TextDecoder().decode(file(r, 'README.md'));
    expect(readme).toContain('torchrun --nnodes=2 --nproc_per_node=8');
    expect(readme).toContain('--master_addr=127.0.0.1 --master_port=29500'); // the no-DNS alternative to --standalone
  });
});

/** Variants that exercise every code path of the generated module, small enough to run in a second. */
function variants(): { label: string; spec: ArchSpec }[] {
  const v1 = getPreset('ResNet50');
  const small = (base: ArchSpec, over: Partial<ArchSpec>): ArchSpec => ({ ...base, ...over, head: { ...base.head, classes: 10, ...over.head } });
  const twoStages = [
    { blocks: 2, width: 8, stride: 1 },
    { blocks: 2, width: 16, stride: 2 },
  ];
  return [
    { label: 'Keras V1 (bias, stride on the 1×1, BN eps 1e-3)', spec: small(v1, { name: 'mini-V1', stages: twoStages, input: [64, 64, 3], bnEpsilon: 1e-3 }) },
    {
      label: "TF 'same' stride-2 3×3 on even and odd sizes",
      spec: small(getPreset('ResNet-20'), {
        name: 'mini-same',
        family: 'custom',
        pad3x3: 'same',
        convBias: 'all',
        stages: [
          { blocks: 1, width: 8, stride: 1 },
          { blocks: 1, width: 16, stride: 2 },
          { blocks: 1, width: 32, stride: 2 },
        ],
        shortcut: 'B',
        input: [30, 32, 3],
      }),
    },
    {
      label: 'Keras V2 (pre-activation, max-pool shortcut, postnorm)',
      spec: small(getPreset('ResNet50V2'), {
        name: 'mini-V2',
        stages: [
          { blocks: 2, width: 8, stride: 2 },
          { blocks: 2, width: 16, stride: 1 },
        ],
        input: [64, 64, 3],
      }),
    },
    { label: 'ResNeXt (grouped 3×3)', spec: small(getPreset('ResNeXt50'), { name: 'mini-NeXt', groups: 4, stages: twoStages, input: [64, 64, 3] }) },
    { label: 'plain twin', spec: plainTwin(small(v1, { name: 'mini-V1b', stages: twoStages, input: [64, 64, 3] })) },
    {
      label: 'option C, no top, global max pooling',
      spec: small(getPreset('ResNet-20'), {
        name: 'mini-C',
        shortcut: 'C',
        stages: [
          { blocks: 1, width: 8, stride: 1 },
          { blocks: 1, width: 16, stride: 2 },
        ],
        head: { ...getPreset('ResNet-20').head, includeTop: false, pooling: 'max' },
      }),
    },
    {
      // HeadSpec.hidden / dropout: the fine-tuning head (fc1 → nn.Linear + ReLU, dropout → nn.Dropout, eval = identity).
      label: 'fine-tuning head (fc1 Dense relu + Dropout before the classifier)',
      spec: small(getPreset('ResNet-20'), {
        name: 'mini-fc1',
        stages: [
          { blocks: 1, width: 16, stride: 1 },
          { blocks: 1, width: 32, stride: 2 },
        ],
        head: { ...getPreset('ResNet-20').head, classes: 4, hidden: { units: 12, activation: 'relu' }, dropout: 0.3 },
      }),
    },
    {
      label: 'option A (zero-pad shortcut)',
      spec: small(getPreset('ResNet-20'), {
        name: 'mini-A',
        stages: [
          { blocks: 1, width: 16, stride: 1 },
          { blocks: 1, width: 32, stride: 2 },
        ],
      }),
    },
    {
      label: 'pre-activation bottleneck, CIFAR stem, stride on the 1×1',
      spec: small(getPreset('PreAct-ResNet-164'), {
        name: 'mini-preact',
        stages: [
          { blocks: 1, width: 4, stride: 1 },
          { blocks: 1, width: 8, stride: 2 },
        ],
      }),
    },
  ];
}

describe.skipIf(SKIP_TORCH)('PyTorch export with python3-torch', () => {
  beforeAll(async () => {
    requireTorch();
    await initNodeBackend('wasm');
  });

  it('model.py reproduces the tfjs model of every variant on the same input (max abs diff < 1e-4)', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'export-pt-'));
    const jobs: Record<string, unknown>[] = [];
    const expected: { label: string; want: Float32Array; out: string }[] = [];
    variants().forEach(({ label, spec }, i) => {
      const model = buildModel(spec);
      assignKerasWeights(model, randomWeights(expand(spec), 100 + i), 'name');
      const shape = [2, spec.input[0], spec.input[1], spec.input[2]];
      const x = tf.randomNormal(shape, 0, 1, 'float32', 7 + i);
      const y = model.predict(x) as tf.Tensor;
      const dir = join(tmp, `v${i}`);
      const result = exportPytorch(exportInputFromModel(spec, model, { weightsLabel: 'random (test)' }));
      writeExport(dir, result);
      if (spec.name === 'mini-same') {
        expect(result.notes.join('\n')).toMatch(/asymmetric pad/);
        expect(new TextDecoder().decode(file(result, 'model.py'))).toContain('class Conv2dSame(nn.Conv2d):');
      }
      writeFileSync(join(tmp, `x${i}.bin`), f32Bytes(x.dataSync() as Float32Array));
      // NHWC feature maps (no pooling) come back NCHW from torch: compare in torch's layout.
      const want = (y.rank === 4 ? tf.tidy(() => tf.transpose(y, [0, 3, 1, 2])) : y).dataSync() as Float32Array;
      expected.push({ label, want: Float32Array.from(want), out: join(tmp, `y${i}.bin`) });
      jobs.push({ dir, input: join(tmp, `x${i}.bin`), shape, output: join(tmp, `y${i}.bin`), softmax: spec.head.includeTop && spec.head.classifierActivation === 'softmax' });
      tf.dispose([x, y]);
      model.dispose();
    });
    writeFileSync(join(tmp, 'jobs.json'), JSON.stringify(jobs));
    python([DRIVER, join(tmp, 'jobs.json')]);
    const report: string[] = [];
    for (const { label, want, out } of expected) {
      const b = readFileSync(out);
      const got = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
      expect(got.length, label).toBe(want.length);
      let diff = 0;
      for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]));
      report.push(`${label}: ${diff.toExponential(2)}`);
      expect(diff, label).toBeLessThan(1e-4);
    }
    console.log(`model.py vs tfjs, max abs diff:\n  ${report.join('\n  ')}`);
  });

  it("every preset's model.py and train.py compile; the torchvision presets have torchvision's keys and shapes", () => {
    const tmp = mkdtempSync(join(tmpdir(), 'export-presets-'));
    for (const { spec } of PRESETS) {
      writeExport(join(tmp, spec.name), exportPytorch({ spec, graph: expand(spec), preprocessing: exportPreprocessing(spec.preprocessing, spec.input) }));
    }
    const torchvision = PRESETS.filter((p) => p.spec.family === 'torchvision' && p.spec.residual).map((p) => p.spec.name);
    expect(torchvision).toEqual(['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'resnext50_32x4d', 'resnext101_32x8d', 'wide_resnet50_2']);
    const r = JSON.parse(python([CHECK_PRESETS, tmp, ...torchvision], { timeoutMs: 600_000 })) as {
      compiled: number;
      torchvision: Record<string, { equal: boolean; keys: number }>;
    };
    expect(r.compiled).toBe(2 * PRESETS.length);
    for (const name of torchvision) expect(r.torchvision[name], name).toMatchObject({ equal: true });
    expect(r.torchvision.resnet152.keys).toBe(932);
  });

  it('resnet18 and resnet50 state dicts load into torchvision with strict=True and give the same outputs', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'export-tv-'));
    const jobs: Record<string, unknown>[] = [];
    let want18: Float32Array | undefined;
    for (const [i, name] of (['resnet18', 'resnet50'] as const).entries()) {
      const spec: ArchSpec = { ...getPreset(name), input: [64, 64, 3] };
      const shape = [1, 64, 64, 3];
      const dir = join(tmp, name);
      const x = tf.randomNormal(shape, 0, 1, 'float32', 11);
      if (name === 'resnet18') {
        // The tfjs model too: our builder, the exporter's real input (exportInputFromModel), torchvision.
        const model = buildModel(spec);
        assignKerasWeights(model, randomWeights(expand(spec), 18), 'name');
        writeExport(dir, exportPytorch(exportInputFromModel(spec, model, { weightsLabel: 'random (test)' })));
        want18 = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
        model.dispose();
      } else {
        writeExport(dir, exportPytorch(inputFor(spec, 50)));
      }
      writeFileSync(join(tmp, `x${i}.bin`), f32Bytes(x.dataSync() as Float32Array));
      x.dispose();
      jobs.push({ dir, input: join(tmp, `x${i}.bin`), shape, output: join(tmp, `y${i}.bin`), torchvision: name });
    }
    writeFileSync(join(tmp, 'jobs.json'), JSON.stringify(jobs));
    const results = python([DRIVER, join(tmp, 'jobs.json')])
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { same_keys_and_shapes: boolean; torchvision_vs_model_py: number; keys: number });
    for (const r of results) {
      expect(r.same_keys_and_shapes).toBe(true);
      expect(r.torchvision_vs_model_py).toBeLessThan(1e-5);
    }
    expect(results.map((r) => r.keys)).toEqual([122, 320]); // torchvision's state_dict sizes (with num_batches_tracked)
    const b = readFileSync(join(tmp, 'y0.bin.tv'));
    const tv = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    let diff = 0;
    want18!.forEach((v, i) => {
      diff = Math.max(diff, Math.abs(v - tv[i]));
    });
    const scale = Math.max(...Array.from(want18!, Math.abs));
    console.log(`resnet18: max |logit| ${scale.toFixed(2)}, torchvision vs tfjs max abs diff ${diff.toExponential(2)}; torchvision vs model.py ${results.map((r) => r.torchvision_vs_model_py.toExponential(2)).join(', ')}`);
    // Random weights give logits in the hundreds here: the float32 agreement is relative.
    expect(diff / Math.max(1, scale)).toBeLessThan(1e-5);
  });
});
