/**
 * The inference plan of a graph: the ops of `expand(spec)` merged into the fewest kernels that compute the same
 * function. No tfjs here: the plan names graph nodes, `runner.ts` turns it into tensors.
 *
 * Merges (each only where the first node's one consumer is the second, so no merged value is needed elsewhere):
 * - zeropad → conv with 'valid' padding: the conv takes the padding itself (explicit padding);
 * - conv → BatchNormalization: folded into the conv's kernel and bias (Ioffe & Szegedy 2015, §3: at inference
 *   BN is a fixed per-channel affine map, so it composes with the linear conv);
 * - conv / BN / add → ReLU: the ReLU is fused into the conv kernel (tfjs `fused.conv2d`) or applied right after.
 * A BatchNormalization whose input is not a conv stays a step (V2's `preact_bn` after an add, `post_bn`): its ReLU
 * comes before the next conv, so it cannot be folded forward, and the add it follows also feeds the shortcut.
 */
import type { ArchGraph, GraphNode } from '../../core';

/** [[0, 0], [top, bottom], [left, right], [0, 0]] (tfjs' explicit NHWC padding). */
export type ExplicitPad = readonly [readonly [0, 0], readonly [number, number], readonly [number, number], readonly [0, 0]];

export type Step =
  | {
      readonly kind: 'conv';
      readonly out: string;
      readonly input: string;
      /** The conv node (its weights). */
      readonly conv: string;
      /** The BatchNormalization folded into it. */
      readonly bn?: string;
      readonly relu: boolean;
      readonly pad: 'same' | 'valid' | ExplicitPad;
      readonly stride: number;
      readonly groups: number;
    }
  | { readonly kind: 'bn'; readonly out: string; readonly input: string; readonly bn: string; readonly relu: boolean }
  | { readonly kind: 'relu'; readonly out: string; readonly input: string }
  | { readonly kind: 'add'; readonly out: string; readonly inputs: readonly [string, string]; readonly relu: boolean }
  | { readonly kind: 'zeropad'; readonly out: string; readonly input: string; readonly padding: readonly [number, number] }
  | { readonly kind: 'maxpool'; readonly out: string; readonly input: string; readonly pool: number; readonly stride: number }
  | {
      readonly kind: 'zeroPadShortcut';
      readonly out: string;
      readonly input: string;
      readonly stride: number;
      readonly channelPad: readonly [number, number];
    }
  | { readonly kind: 'globalPool'; readonly out: string; readonly input: string; readonly mode: 'avg' | 'max' }
  | { readonly kind: 'dense'; readonly out: string; readonly input: string; readonly dense: string; readonly activation: 'softmax' | 'linear' | 'relu' };

export interface InferencePlan {
  readonly steps: readonly Step[];
  readonly inputId: string;
  readonly outputId: string;
  /** The last stage's feature map (the global pooling's input; Grad-CAM's layer), when the graph pools. */
  readonly featuresId?: string;
  /** For each value, the index of the last step that reads it (values never read are absent). */
  readonly lastUse: ReadonlyMap<string, number>;
  /** How many graph ops the plan merged away (BN folded, ReLU fused, padding taken by a conv). */
  readonly merged: number;
}

export function planInference(graph: ArchGraph): InferencePlan {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const consumers = new Map<string, GraphNode[]>();
  for (const n of graph.nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  /** The one consumer of `id` when it has exactly one, else undefined. */
  const only = (id: string): GraphNode | undefined => {
    const c = consumers.get(id);
    return c?.length === 1 && id !== graph.outputId ? c[0] : undefined;
  };
  const poolNode = graph.nodes.find((n) => n.op.kind === 'globalAvgPool' || n.op.kind === 'globalMaxPool');
  const featuresId = poolNode?.inputs[0];
  /** A value Grad-CAM reads must stay a step's output, not disappear into a merge. */
  const mergeable = (id: string) => id !== featuresId;
  const absorbed = new Set<string>();
  const steps: Step[] = [];
  let merged = 0;
  /** Fuse a following ReLU into the value `id`: returns the ReLU's id (the step's output) or undefined. */
  const followingRelu = (id: string): string | undefined => {
    const next = only(id);
    if (next?.op.kind !== 'relu' || !mergeable(id)) return undefined;
    absorbed.add(next.id);
    merged++;
    return next.id;
  };

  /** Dropout is the identity at inference: its consumers read its input (HeadSpec.dropout). */
  const skipped = new Map<string, string>();
  for (const node of graph.nodes) {
    if (node.op.kind === 'input' || absorbed.has(node.id)) continue;
    const op = node.op;
    const input = skipped.get(node.inputs[0]) ?? node.inputs[0];
    switch (op.kind) {
      case 'zeropad': {
        const next = only(node.id);
        if (next?.op.kind === 'conv' && next.op.padding === 'valid' && mergeable(node.id)) {
          merged++;
          break; // the conv takes the padding (see 'conv')
        }
        steps.push({ kind: 'zeropad', out: node.id, input, padding: op.padding });
        break;
      }
      case 'conv': {
        let src = input;
        let pad: 'same' | 'valid' | ExplicitPad = op.padding;
        const producer = byId.get(input);
        if (producer?.op.kind === 'zeropad' && op.padding === 'valid' && only(producer.id) === node && mergeable(producer.id)) {
          const [ph, pw] = producer.op.padding;
          pad = [[0, 0], [ph, ph], [pw, pw], [0, 0]];
          src = producer.inputs[0];
        }
        let out = node.id;
        let bn: string | undefined;
        const next = only(node.id);
        if (next?.op.kind === 'bn' && mergeable(node.id)) {
          bn = next.id;
          absorbed.add(bn);
          merged++;
          out = bn;
        }
        const relu = followingRelu(out);
        steps.push({ kind: 'conv', out: relu ?? out, input: src, conv: node.id, bn, relu: relu !== undefined, pad, stride: op.stride, groups: op.groups });
        break;
      }
      case 'bn': {
        const relu = followingRelu(node.id);
        steps.push({ kind: 'bn', out: relu ?? node.id, input, bn: node.id, relu: relu !== undefined });
        break;
      }
      case 'relu':
        steps.push({ kind: 'relu', out: node.id, input });
        break;
      case 'add': {
        const relu = followingRelu(node.id);
        steps.push({ kind: 'add', out: relu ?? node.id, inputs: [node.inputs[0], node.inputs[1]], relu: relu !== undefined });
        break;
      }
      case 'maxpool':
        steps.push({ kind: 'maxpool', out: node.id, input, pool: op.pool, stride: op.stride });
        break;
      case 'zeroPadShortcut':
        steps.push({ kind: 'zeroPadShortcut', out: node.id, input, stride: op.stride, channelPad: op.channelPad });
        break;
      case 'globalAvgPool':
      case 'globalMaxPool':
        steps.push({ kind: 'globalPool', out: node.id, input, mode: op.kind === 'globalAvgPool' ? 'avg' : 'max' });
        break;
      case 'dense':
        steps.push({ kind: 'dense', out: node.id, input, dense: node.id, activation: op.activation });
        break;
      case 'dropout':
        skipped.set(node.id, input);
        merged++;
        break;
    }
  }

  const lastUse = new Map<string, number>();
  steps.forEach((s, i) => {
    for (const id of s.kind === 'add' ? s.inputs : [s.input]) lastUse.set(id, i);
  });
  return { steps, inputId: graph.inputId, outputId: graph.outputId, featuresId, lastUse, merged };
}
