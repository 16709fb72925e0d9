/**
 * Keras-layout weights → ONNX initializers. Conv kernels go from Keras [kh, kw, in, out] to ONNX's
 * [out, in/groups, kh, kw]; our GroupConv2D's depthwise kernel [kh, kw, in, out/groups] (src/tf/layers.ts:
 * depthwise channel c·m + j is input c filtered for output j of c's group, m = out/groups) becomes the grouped
 * kernel W[g·m + j, i, y, x] = D[y, x, g·m + i, j]. BatchNormalization and Dense keep their arrays.
 */
import type { GraphNode } from '../../core';
import { hwioToOihw } from '../kernel-layout';
import { ExportError, type LayerWeight, type WeightSet } from '../types';

/** One parameter tensor of an ONNX node, in ONNX layout; `data` absent when exporting structure only. */
export interface Param {
  /** `conv1_conv/kernel`: the Keras weight name without `:0`. */
  readonly name: string;
  readonly dims: readonly number[];
  readonly data?: Float32Array;
  readonly doc: string;
}

const fail = (field: string, received: unknown, reason: string) => new ExportError('onnx', field, received, reason);

/** The weight set by layer name, checked against the graph: every weighted layer present, nothing extra. */
export function indexWeights(set: WeightSet, nodes: readonly GraphNode[]): ReadonlyMap<string, readonly LayerWeight[]> {
  const byName = new Map<string, readonly LayerWeight[]>();
  for (const entry of set.layers) {
    if (entry.weights.length === 0) continue;
    if (byName.has(entry.layer)) throw fail(`weights[${JSON.stringify(entry.layer)}]`, 'twice', 'each layer may appear once');
    byName.set(entry.layer, entry.weights);
  }
  const weighted = new Set(nodes.filter((n) => expectedShapes(n).length > 0).map((n) => n.id));
  for (const layer of byName.keys()) {
    if (!weighted.has(layer)) {
      throw fail(`weights[${JSON.stringify(layer)}]`, layer, 'the graph has no layer with weights of that name: the weights belong to another architecture');
    }
  }
  return byName;
}

/** Keras weight shapes of a node, in Keras order (what `model.layers[i].weights` holds). */
export function expectedShapes(node: GraphNode): number[][] {
  const op = node.op;
  switch (op.kind) {
    case 'conv': {
      const cin = node.inShapes[0][2];
      const k = op.kernel;
      const kernel = op.groups > 1 ? [k, k, cin, op.filters / op.groups] : [k, k, cin, op.filters];
      return op.bias ? [kernel, [op.filters]] : [kernel];
    }
    case 'bn': {
      const c = node.outShape[node.outShape.length - 1];
      return [[c], [c], [c], [c]];
    }
    case 'dense':
      return [[node.inShapes[0][0], op.units], [op.units]];
    default:
      return [];
  }
}

/** The layer's arrays, checked against the shapes the graph implies; undefined when exporting structure only. */
function arraysOf(node: GraphNode, weights: ReadonlyMap<string, readonly LayerWeight[]> | undefined): Float32Array[] | undefined {
  const want = expectedShapes(node);
  if (!weights || want.length === 0) return undefined;
  const got = weights.get(node.id);
  const field = `weights[${JSON.stringify(node.id)}]`;
  if (!got) throw fail(field, 'missing', `the layer needs ${want.length} arrays of shapes ${want.map((s) => `[${s.join(', ')}]`).join(', ')}`);
  if (got.length !== want.length) {
    throw fail(field, got.map((w) => w.name), `expected ${want.length} arrays in Keras order (${want.map((s) => `[${s.join(', ')}]`).join(', ')})`);
  }
  return got.map((w, i) => {
    const same = w.shape.length === want[i].length && w.shape.every((d, j) => d === want[i][j]);
    if (!same) throw fail(`${field}.${w.name}`, w.shape, `expected shape [${want[i].join(', ')}]`);
    if (w.data.length !== want[i].reduce((a, b) => a * b, 1)) {
      throw fail(`${field}.${w.name}`, w.data.length, `data length does not match shape [${want[i].join(', ')}]`);
    }
    return w.data;
  });
}

/**
 * GroupConv2D's depthwise kernel [kh, kw, C, m] (C channels in and out, m = C/groups) → the grouped ONNX kernel
 * [C, m, kh, kw]: output g·m + j reads input i of group g with weight D[y, x, g·m + i, j].
 */
export function depthwiseToGrouped(d: Float32Array, kh: number, kw: number, channels: number, groups: number): Float32Array {
  const m = channels / groups;
  const out = new Float32Array(d.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let g = 0; g < groups; g++)
        for (let i = 0; i < m; i++) {
          const src = ((y * kw + x) * channels + g * m + i) * m;
          for (let j = 0; j < m; j++) out[(((g * m + j) * m + i) * kh + y) * kw + x] = d[src + j];
        }
  return out;
}

/** The node's parameters in ONNX layout and input order (Conv: W, B; BatchNormalization: scale, B, mean, var; Gemm: B, C). */
export function nodeParams(node: GraphNode, weights: ReadonlyMap<string, readonly LayerWeight[]> | undefined): Param[] {
  const op = node.op;
  const arrays = arraysOf(node, weights);
  const id = node.id;
  switch (op.kind) {
    case 'conv': {
      const cin = node.inShapes[0][2];
      const k = op.kernel;
      const grouped = op.groups > 1;
      if (grouped && arrays && cin !== op.filters) {
        throw fail(`graph.nodes[${JSON.stringify(id)}].op.filters`, op.filters, `a depthwise-layout grouped kernel needs as many output as input channels (${cin})`);
      }
      const kernel = arrays && (grouped ? depthwiseToGrouped(arrays[0], k, k, cin, op.groups) : hwioToOihw(arrays[0], k, k, cin, op.filters));
      const params: Param[] = [
        {
          name: `${id}/kernel`,
          dims: [op.filters, cin / op.groups, k, k],
          data: kernel,
          doc: grouped
            ? `grouped kernel [out, in/groups, kh, kw] from Keras depthwise_kernel [kh, kw, in, out/groups]`
            : 'Keras kernel [kh, kw, in, out] transposed to [out, in, kh, kw]',
        },
      ];
      if (op.bias) params.push({ name: `${id}/bias`, dims: [op.filters], data: arrays?.[1], doc: 'Keras bias' });
      return params;
    }
    case 'bn': {
      const c = node.outShape[node.outShape.length - 1];
      return ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((w, i) => ({
        name: `${id}/${w}`,
        dims: [c],
        data: arrays?.[i],
        doc: `Keras BatchNormalization ${w}`,
      }));
    }
    case 'dense':
      return [
        { name: `${id}/kernel`, dims: [node.inShapes[0][0], op.units], data: arrays?.[0], doc: 'Keras kernel [in, out] (Gemm B, transB = 0)' },
        { name: `${id}/bias`, dims: [op.units], data: arrays?.[1], doc: 'Keras bias' },
      ];
    default:
      return [];
  }
}
