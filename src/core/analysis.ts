/**
 * Params, MACs and activation memory from the graph alone (no tfjs).
 *
 * Conventions (stated wherever numbers are shown):
 * - MACs count multiply-accumulates of convolutions and dense layers only, as torchvision's GFLOPS column
 *   and the ResNet paper's "FLOPs" (multiply-adds) do; BN, ReLU, pooling and additions are not counted.
 * - FLOPs = 2 × MACs.
 * - Params: trainable = conv kernels/biases, BN γ/β, dense; non-trainable = BN moving mean/variance (Keras'
 *   "Non-trainable params"). torchvision and the papers quote trainable params.
 * - Activation memory: the sum of every layer's output (input excluded) for the given batch, as kept for a
 *   backward pass; bytes = elements × dtype size.
 */
import type { ArchGraph, GraphNode, Section, Shape } from './graph';

export type Dtype = 'float32' | 'float16' | 'int8';
export const DTYPE_BYTES: Readonly<Record<Dtype, number>> = { float32: 4, float16: 2, int8: 1 };

export interface Params {
  readonly total: number;
  readonly trainable: number;
  readonly nonTrainable: number;
}

export interface NodeCost {
  readonly params: Params;
  /** Multiply-accumulates for one input. */
  readonly macs: number;
  /** Output elements for one input. */
  readonly activations: number;
  /** Has weights (Keras counts these as weighted layers: conv, BN, dense). */
  readonly weighted: boolean;
}

export interface Totals {
  readonly params: Params;
  readonly macs: number;
  readonly flops: number;
  readonly activations: number;
}

export interface Analysis extends Totals {
  readonly name: string;
  /** Keras `len(model.layers)`, input layer included. */
  readonly layers: number;
  /** Layers holding weights (conv, BN, dense). */
  readonly weightedLayers: number;
  /** Conv + dense layers: the "depth" papers count (ResNet-50 has 50 with a dense top; projections excluded there). */
  readonly depth: number;
  readonly perNode: ReadonlyMap<string, NodeCost>;
  readonly perSection: ReadonlyMap<Section, Totals>;
  readonly perBlock: ReadonlyMap<string, Totals>;
  /** Params a keras-applications ResNeXt reports on top of ours: its frozen constant `_2_gconv` kernels. */
  readonly kerasGconvConstantParams: number;
}

const size = (s: Shape) => s.reduce((a, b) => a * b, 1);
const ZERO: Params = { total: 0, trainable: 0, nonTrainable: 0 };

export function nodeCost(node: GraphNode): NodeCost {
  const out = size(node.outShape);
  const op = node.op;
  switch (op.kind) {
    case 'conv': {
      const cin = node.inShapes[0][2];
      const perOutput = op.kernel * op.kernel * (cin / op.groups);
      const weights = perOutput * op.filters + (op.bias ? op.filters : 0);
      return { params: { total: weights, trainable: weights, nonTrainable: 0 }, macs: out * perOutput, activations: out, weighted: true };
    }
    case 'bn': {
      const c = node.outShape[node.outShape.length - 1];
      return { params: { total: 4 * c, trainable: 2 * c, nonTrainable: 2 * c }, macs: 0, activations: out, weighted: true };
    }
    case 'dense': {
      const cin = node.inShapes[0][0];
      const w = cin * op.units + op.units;
      return { params: { total: w, trainable: w, nonTrainable: 0 }, macs: cin * op.units, activations: out, weighted: true };
    }
    case 'input':
      return { params: ZERO, macs: 0, activations: 0, weighted: false };
    default:
      return { params: ZERO, macs: 0, activations: out, weighted: false };
  }
}

class Acc {
  total = 0;
  trainable = 0;
  nonTrainable = 0;
  macs = 0;
  activations = 0;
  add(c: NodeCost) {
    this.total += c.params.total;
    this.trainable += c.params.trainable;
    this.nonTrainable += c.params.nonTrainable;
    this.macs += c.macs;
    this.activations += c.activations;
  }
  done(): Totals {
    return {
      params: { total: this.total, trainable: this.trainable, nonTrainable: this.nonTrainable },
      macs: this.macs,
      flops: 2 * this.macs,
      activations: this.activations,
    };
  }
}

export function analyze(graph: ArchGraph): Analysis {
  const perNode = new Map<string, NodeCost>();
  const all = new Acc();
  const sections = new Map<Section, Acc>();
  const blocks = new Map<string, Acc>();
  let weighted = 0;
  let depth = 0;
  let gconv = 0;
  for (const n of graph.nodes) {
    const c = nodeCost(n);
    perNode.set(n.id, c);
    all.add(c);
    if (!sections.has(n.section)) sections.set(n.section, new Acc());
    sections.get(n.section)!.add(c);
    if (n.block) {
      if (!blocks.has(n.block)) blocks.set(n.block, new Acc());
      blocks.get(n.block)!.add(c);
    }
    if (c.weighted) weighted++;
    if ((n.op.kind === 'conv' && n.path === 'main') || n.op.kind === 'dense') depth++;
    if (n.op.kind === 'conv' && n.op.groups > 1) {
      // keras-applications block3: DepthwiseConv2D(depth_multiplier=c) then a frozen 1×1 Conv2D with a
      // (filters·c) × filters 0/1 kernel that sums each group; c = filters / groups.
      const c = n.op.filters / n.op.groups;
      gconv += n.op.filters * c * n.op.filters;
    }
  }
  const totals = all.done();
  const map = <K>(m: Map<K, Acc>) => new Map([...m].map(([k, v]) => [k, v.done()] as const));
  return {
    name: graph.name,
    ...totals,
    layers: graph.nodes.length,
    weightedLayers: weighted,
    depth,
    perNode,
    perSection: map(sections),
    perBlock: map(blocks),
    kerasGconvConstantParams: gconv,
  };
}

/** Activation memory in bytes for a batch and dtype. */
export function activationBytes(a: Pick<Totals, 'activations'>, batch = 1, dtype: Dtype = 'float32'): number {
  return a.activations * batch * DTYPE_BYTES[dtype];
}

/** Weight storage in bytes (all params, including BN statistics). */
export function weightBytes(a: Pick<Totals, 'params'>, dtype: Dtype = 'float32'): number {
  return a.params.total * DTYPE_BYTES[dtype];
}
