/**
 * A fine-tuning head in the ArchSpec (HeadSpec.hidden / dropout: pooled → fc1 Dense(relu) → dropout →
 * predictions): validation, graph, analysis, layout, the tfjs builder, finetunedSpec (a combined model's weights
 * load into the model built from its spec) and the ONNX export run in onnxruntime-web against tfjs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ArchSpec, allGroups, analyze, edges, expand, getPreset, layout, parseCustomSpec, SpecError, validateSpec } from '../../src/core';
import { exportOnnx } from '../../src/export/onnx';
import { onnx } from '../../src/export/onnx/proto';
import { buildModel } from '../../src/tf/build';
import { exportInputFromModel } from '../../src/tf/export-input';
import { adoptCombined, combinedModel, finetunedSpec, HIDDEN_UNITS } from '../../src/tf/finetune';
import { planInference } from '../../src/tf/fused/plan';
import { createInferenceRunner } from '../../src/tf/fused/runner';
import { initNodeBackend } from '../../src/tf/node-backend';
import { maxAbsDiff, runOnnx, toNchw } from './helpers/onnx';
import { checkOnnxFiles, SKIP_ONNX_CHECK } from './helpers/onnx-checker';

const withHead = (spec: ArchSpec, head: Partial<ArchSpec['head']>): ArchSpec => ({ ...spec, head: { ...spec.head, ...head } });

/** The error `f` throws, which must be a SpecError. */
function specError(f: () => unknown): SpecError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return e as SpecError;
  }
  throw new Error('expected a SpecError');
}

beforeAll(async () => {
  await initNodeBackend('cpu');
});

describe('HeadSpec.hidden / dropout validation', () => {
  const base = getPreset('ResNet-20');
  it('rejects 0 units, dropout 1, a non-relu activation and a hidden layer without includeTop, naming field and value', () => {
    const zero = specError(() => validateSpec(withHead(base, { hidden: { units: 0, activation: 'relu' } })));
    expect(zero.message).toContain('head.hidden.units');
    expect(zero.message).toContain('0');
    const one = specError(() => validateSpec(withHead(base, { dropout: 1 })));
    expect(one.message).toContain('head.dropout');
    expect(one.message).toMatch(/1/);
    const act = specError(() => validateSpec(withHead(base, { hidden: { units: 8, activation: 'tanh' as 'relu' } })));
    expect(act.message).toContain('head.hidden.activation');
    const noTop = specError(() => validateSpec(withHead(base, { includeTop: false, hidden: { units: 8, activation: 'relu' } })));
    expect(noTop.message).toContain('includeTop');
    const dropNoTop = specError(() => validateSpec(withHead(base, { includeTop: false, dropout: 0.5 })));
    expect(dropNoTop.message).toContain('includeTop');
  });

  it('accepts a hidden head and round-trips it through the JSON parser, dropping unknown hidden fields', () => {
    const spec = withHead(base, { hidden: { units: 16, activation: 'relu' }, dropout: 0.25 });
    expect(() => validateSpec(spec)).not.toThrow();
    const text = JSON.stringify({ ...spec, head: { ...spec.head, hidden: { ...spec.head.hidden, extra: 1 } } });
    const r = parseCustomSpec(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.spec.head.hidden).toEqual({ units: 16, activation: 'relu' });
    expect(r.spec.head.dropout).toBe(0.25);
    expect(r.ignored).toEqual(['head.hidden.extra']);
    const bad = parseCustomSpec(JSON.stringify(withHead(base, { hidden: { units: 0, activation: 'relu' } })));
    expect(bad.ok).toBe(false);
  });
});

describe('a ResNet50 spec with the dense2048 head (N = 3)', () => {
  const N = 3;
  const spec = finetunedSpec(getPreset('ResNet50'), N, { kind: 'dense2048', dropout: 0.5 });
  const graph = expand(spec);

  it('graph: avg_pool → fc1 → dropout → predictions, shapes on the edges', () => {
    const head = graph.nodes.filter((n) => n.section === 'head').map((n) => [n.id, n.op.kind, n.outShape.join('×')]);
    expect(head).toEqual([
      ['avg_pool', 'globalAvgPool', '2048'],
      ['fc1', 'dense', String(HIDDEN_UNITS)],
      ['dropout', 'dropout', String(HIDDEN_UNITS)],
      ['predictions', 'dense', String(N)],
    ]);
    const e = edges(graph).filter((x) => ['fc1', 'dropout', 'predictions'].includes(x.to));
    expect(e.map((x) => `${x.from}→${x.to} ${x.shape.join('×')}`)).toEqual(['avg_pool→fc1 2048', `fc1→dropout ${HIDDEN_UNITS}`, `dropout→predictions ${HIDDEN_UNITS}`]);
  });

  it('params: the formula 2048·(d+1) + N·(2048+1) over the base, equal to the tfjs model’s countParams()', () => {
    const d = 2048;
    const a = analyze(graph);
    const base = analyze(expand({ ...spec, head: { ...spec.head, includeTop: false, pooling: 'avg', hidden: undefined, dropout: undefined } }));
    expect(a.params.total - base.params.total).toBe(HIDDEN_UNITS * (d + 1) + N * (HIDDEN_UNITS + 1));
    expect(a.perNode.get('fc1')!.macs).toBe(d * HIDDEN_UNITS);
    expect(a.perNode.get('dropout')!.params.total).toBe(0);
    const model = buildModel(spec, { weightsFollow: true });
    try {
      expect(model.countParams()).toBe(a.params.total);
      expect(model.layers.slice(-3).map((l) => `${l.name}:${l.getClassName()}`)).toEqual(['fc1:Dense', 'dropout:Dropout', 'predictions:Dense']);
    } finally {
      model.dispose();
    }
  }, 120_000);

  it('layout: the expanded head draws fc1, dropout and predictions with their shapes', () => {
    const l = layout(graph, new Set(allGroups(graph)));
    for (const id of ['fc1', 'dropout', 'predictions']) expect(l.nodes.some((n) => n.id === id && n.kind === 'layer')).toBe(true);
    const into = l.edges.find((x) => x.to === 'predictions')!;
    expect(into.from).toBe('dropout');
    expect(into.shape).toEqual([HIDDEN_UNITS]);
  });
});

describe('a small spec with a hidden head', () => {
  // Two-stage CIFAR net, 16×16: fast in tfjs and onnxruntime; 4 classes.
  const base: ArchSpec = { ...getPreset('ResNet-20'), name: 'tiny-hidden', stages: [{ blocks: 1, width: 16, stride: 1 }, { blocks: 1, width: 32, stride: 2 }], input: [16, 16, 3] };
  const classes = 4;

  it('a combined model’s weights (base + dense2048-style head) load by name into buildModel(finetunedSpec)', async () => {
    const before = tf.memory().numTensors;
    const baseModel = buildModel(base);
    const d = 32;
    const head = { kind: 'dense2048' as const, dropout: 0.3, weights: [tf.randomNormal([d, HIDDEN_UNITS], 0, 0.1, 'float32', 1), tf.randomNormal([HIDDEN_UNITS], 0, 0.1, 'float32', 2), tf.randomNormal([HIDDEN_UNITS, classes], 0, 0.1, 'float32', 3), tf.randomNormal([classes], 0, 0.1, 'float32', 4)] };
    const combined = combinedModel(baseModel, head);
    const spec = finetunedSpec(base, classes, head);
    const rebuilt = buildModel(spec, { weightsFollow: true });
    // By name: every weight of the rebuilt model has one with the same name and shape in the combined model.
    const byName = new Map(combined.weights.map((w) => [w.originalName, w]));
    expect(rebuilt.weights.map((w) => w.originalName)).toEqual(combined.weights.map((w) => w.originalName));
    for (const w of rebuilt.weights) {
      const src = byName.get(w.originalName)!;
      expect(src.shape, w.originalName).toEqual(w.shape);
      w.write(src.read());
    }
    const x = tf.randomUniform([2, 16, 16, 3], -1, 1, 'float32', 5);
    const [a, b] = [combined.predict(x) as tf.Tensor, rebuilt.predict(x) as tf.Tensor];
    expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBeLessThan(1e-6);
    tf.dispose([x, a, b, ...head.weights]);
    adoptCombined(baseModel, combined); // frees the base's own classifier
    combined.dispose(); // the base's other layers and the new head
    rebuilt.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('the fused inference runner: fc1 with its ReLU, dropout skipped, same output as the LayersModel', () => {
    const spec = finetunedSpec(base, classes, { kind: 'dense2048', dropout: 0.5 });
    const plan = planInference(expand(spec));
    expect(plan.steps.slice(-2).map((s) => (s.kind === 'dense' ? `${s.dense}:${s.activation}:${s.input}` : s.kind))).toEqual(['fc1:relu:avg_pool', 'predictions:softmax:fc1']);
    const model = buildModel(spec);
    const runner = createInferenceRunner(spec, model);
    const x = tf.randomUniform([2, 16, 16, 3], -1, 1, 'float32', 11) as tf.Tensor4D;
    const [got, want] = [runner.predict(x), model.predict(x) as tf.Tensor];
    expect(maxAbsDiff(got.dataSync(), want.dataSync())).toBeLessThan(1e-5);
    tf.dispose([x, got, want]);
    runner.dispose();
    model.dispose();
  });

  it('ONNX: fc1 → Gemm + Relu, dropout → Identity; onnxruntime-web agrees with tfjs within 1e-4 on fc1 and predictions', async () => {
    const spec = finetunedSpec(base, classes, { kind: 'dense', dropout: 0 });
    const hidden: ArchSpec = { ...spec, head: { ...spec.head, hidden: { units: 12, activation: 'relu' }, dropout: 0.3 } };
    const model = buildModel(hidden);
    try {
      const { files } = exportOnnx(exportInputFromModel(hidden, model, { weightsLabel: 'random' }));
      const x = tf.randomUniform([2, 16, 16, 3], -1, 1, 'float32', 9) as tf.Tensor4D;
      const probe = tf.model({ inputs: model.inputs, outputs: ['fc1', 'predictions'].map((l) => model.getLayer(l).output as tf.SymbolicTensor) });
      const want = probe.predict(x) as tf.Tensor[];
      const got = await runOnnx(files[0].bytes, toNchw(x), [2, 3, 16, 16], ['fc1', 'predictions']);
      expect(maxAbsDiff(got.get('fc1')!.data as Float32Array, toNchw(want[0]))).toBeLessThan(1e-4);
      expect(maxAbsDiff(got.get('predictions')!.data as Float32Array, toNchw(want[1]))).toBeLessThan(1e-4);
      // fc1's ReLU is there: some hidden units are exactly zero.
      expect((got.get('fc1')!.data as Float32Array).some((v) => v === 0)).toBe(true);
      tf.dispose([x, ...want]);
      const nodes = onnx.ModelProto.decode(files[0].bytes).graph!.node!.filter((n) => n.output![0].startsWith('fc1') || n.output![0] === 'dropout');
      expect(nodes.map((n) => `${n.name}:${n.opType}`)).toEqual(['fc1/Gemm:Gemm', 'fc1:Relu', 'dropout:Identity']);
      if (!SKIP_ONNX_CHECK) {
        // ONNX's own checker on the file (python3-onnx).
        const dir = mkdtempSync(join(tmpdir(), 'onnx-fc1-'));
        try {
          writeFileSync(join(dir, 'hidden.onnx'), files[0].bytes);
          expect(Object.values(checkOnnxFiles([join(dir, 'hidden.onnx')]).results)).toEqual(['ok']);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    } finally {
      model.dispose();
    }
  }, 120_000);
});
