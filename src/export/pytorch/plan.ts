/**
 * The graph read as a PyTorch module tree: the stem, one entry per residual block (channels, width, stride,
 * shortcut), the head, and the per-role facts the generated code bakes in (conv bias, BN epsilon, padding).
 * Every fact comes from `expand(spec)`'s nodes, so the module reproduces the same computation as the tfjs model.
 */
import { type ArchGraph, DROPOUT_LAYER_NAME, type GraphNode, HIDDEN_LAYER_NAME, type Op, type ShortcutKind } from '../../core';
import { ExportError } from '../types';

type ConvOp = Extract<Op, { kind: 'conv' }>;

export interface BlockPlan {
  /** Keras block id, `conv2_block1`. */
  readonly id: string;
  /** torchvision module path, `layer1.0`. */
  readonly path: string;
  readonly inChannels: number;
  /** Inner width (bottleneck) or the width of both 3×3 convs (basic). */
  readonly width: number;
  readonly outChannels: number;
  readonly stride: number;
  readonly shortcut: ShortcutKind;
  /** Option A: zero channels added [before, after]. */
  readonly channelPad: readonly [number, number];
}

export interface TorchPlan {
  readonly name: string;
  readonly block: 'basic' | 'bottleneck';
  /** Pre-activation (He et al. 2016): BN → ReLU → conv, `bn_pre` in each block, `postnorm` at the end. */
  readonly pre: boolean;
  readonly residual: boolean;
  /** Bottleneck: which conv carries the block's stride. */
  readonly strideAt: 'first1x1' | '3x3';
  readonly groups: number;
  /** 3×3 convs: 'explicit' = ZeroPadding2D(1) + 'valid' (PyTorch padding=1); 'same' = TF padding. */
  readonly pad3x3: 'explicit' | 'same';
  /** Some 3×3 conv has TF 'same' padding and stride 2: asymmetric on even sizes (Conv2dSame). */
  readonly sameStrided: boolean;
  readonly eps: number;
  readonly bias: { readonly stem: boolean; readonly inner: boolean; readonly last: boolean; readonly projection: boolean };
  readonly inChannels: number;
  readonly stem: { readonly kind: 'imagenet' | 'cifar'; readonly width: number };
  readonly stages: readonly (readonly BlockPlan[])[];
  /** Channels entering the head. */
  readonly features: number;
  readonly head:
    | {
        readonly kind: 'classifier';
        readonly classes: number;
        readonly softmax: boolean;
        /** A fine-tuning head's `fc1` Dense + ReLU and its Dropout rate before the classifier (HeadSpec.hidden / dropout). */
        readonly hidden?: { readonly units: number; readonly dropout: number };
      }
    | { readonly kind: 'pool'; readonly pooling: 'avg' | 'max' | 'none' };
  readonly inputSize: readonly [number, number];
}

const fail = (field: string, value: unknown, reason: string) => new ExportError('pytorch', field, value, reason);

function convOf(byId: ReadonlyMap<string, GraphNode>, id: string): ConvOp | undefined {
  const op = byId.get(id)?.op;
  return op?.kind === 'conv' ? op : undefined;
}

/** One value shared by every node that has it; the generated code states it once. */
function same<T>(field: string, values: readonly T[], fallback: T): T {
  const distinct = [...new Set(values)];
  if (distinct.length > 1) throw fail(field, distinct, 'varies between layers; the generated module states it once');
  return distinct.length === 1 ? distinct[0] : fallback;
}

/** A float as Python source and as text: `1.001e-5`, `0.001`, `1.0` (JS round-trip digits). */
export function pyFloat(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : Math.abs(x) < 1e-3 ? x.toExponential() : String(x);
}

export function planFor(graph: ArchGraph, spec: { readonly strideAt: 'first1x1' | '3x3'; readonly residual: boolean }): TorchPlan {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const input = graph.nodes[0];
  const stemConv = convOf(byId, 'conv1_conv');
  if (!stemConv) throw fail('conv1_conv', undefined, 'the graph has no stem convolution');
  const pre = !byId.has('conv1_bn');
  const block: 'basic' | 'bottleneck' = byId.has(`${graph.blocks[0]?.id}_3_conv`) ? 'bottleneck' : 'basic';
  const lastIdx = block === 'bottleneck' ? 3 : 2;

  const convs = (suffix: string) => graph.blocks.map((b) => convOf(byId, `${b.id}_${suffix}`)).filter((c): c is ConvOp => !!c);
  const inner = [...convs('1_conv'), ...(block === 'bottleneck' ? convs('2_conv') : [])];
  const last = convs(`${lastIdx}_conv`);
  const projection = convs('0_conv');
  const threes = graph.nodes.filter((n) => n.op.kind === 'conv' && n.op.kernel === 3 && n.id !== 'conv1_conv');
  const pad3x3 = same(
    '3×3 conv padding',
    threes.map((n) => ((n.op as ConvOp).padding === 'same' ? 'same' : 'explicit') as 'same' | 'explicit'),
    'explicit',
  );
  const eps = same(
    'BatchNormalization epsilon',
    graph.nodes.flatMap((n) => (n.op.kind === 'bn' ? [n.op.epsilon] : [])),
    1e-5,
  );

  let n = 0;
  const stages = graph.stages.map((st, si) =>
    st.blocks.map((bid, k): BlockPlan => {
      const info = graph.blocks[n++];
      if (info.id !== bid) throw fail('blocks', bid, 'out of stage order');
      const first = convOf(byId, `${bid}_1_conv`);
      const pad = byId.get(`${bid}_0_pad`)?.op;
      if (pad?.kind === 'zeroPadShortcut' && pad.channelPad.some((c) => c < 0)) {
        // validateSpec refuses an option-A stage narrower than its input; kept for a graph made otherwise (F.pad would crop channels).
        throw fail(`${bid} option-A shortcut channels`, `${info.inShape[2]} → ${info.outShape[2]}`, 'zero-padding cannot reduce channels; use shortcut B or C');
      }
      return {
        id: bid,
        path: `layer${si + 1}.${k}`,
        inChannels: info.inShape[2],
        width: first?.filters ?? 0,
        outChannels: info.outShape[2],
        stride: info.stride,
        shortcut: info.shortcut,
        channelPad: pad?.kind === 'zeroPadShortcut' ? pad.channelPad : [0, 0],
      };
    }),
  );

  const out = byId.get(graph.outputId)!;
  const dense = out.op.kind === 'dense' ? out.op : undefined;
  const last4 = graph.stages.at(-1)?.outShape ?? byId.get('conv1_conv')!.outShape;
  const fc1 = byId.get(HIDDEN_LAYER_NAME)?.op;
  const drop = byId.get(DROPOUT_LAYER_NAME)?.op;
  if (fc1?.kind === 'dense' && fc1.activation !== 'relu') throw fail(`${HIDDEN_LAYER_NAME}.activation`, fc1.activation, "allowed: 'relu'");
  const hidden = fc1?.kind === 'dense' ? { units: fc1.units, dropout: drop?.kind === 'dropout' ? drop.rate : 0 } : undefined;
  const head: TorchPlan['head'] = dense
    ? { kind: 'classifier', classes: dense.units, softmax: dense.activation === 'softmax', ...(hidden ? { hidden } : {}) }
    : { kind: 'pool', pooling: out.op.kind === 'globalAvgPool' ? 'avg' : out.op.kind === 'globalMaxPool' ? 'max' : 'none' };
  const stemKind = byId.has('pool1_pool') ? 'imagenet' : 'cifar';
  if ((stemKind === 'imagenet') !== (stemConv.kernel === 7)) throw fail('conv1_conv.kernel', stemConv.kernel, 'unexpected stem');

  return {
    // Printed into Python strings and docstrings: keep it to characters that cannot end them.
    name: graph.name.replace(/[^\w .()+-]/g, '_'),
    block,
    pre,
    residual: spec.residual,
    strideAt: spec.strideAt,
    groups: same('groups', convs('2_conv').map((c) => c.groups), 1),
    pad3x3,
    sameStrided: threes.some((n) => (n.op as ConvOp).padding === 'same' && (n.op as ConvOp).stride > 1),
    eps,
    bias: {
      stem: stemConv.bias,
      inner: same('bias of the inner convs', inner.map((c) => c.bias), false),
      last: same('bias of the last conv of each block', last.map((c) => c.bias), false),
      projection: same('bias of the projection convs', projection.map((c) => c.bias), false),
    },
    inChannels: input.outShape[2],
    stem: { kind: stemKind, width: stemConv.filters },
    stages,
    features: last4[2],
    head,
    inputSize: [input.outShape[0], input.outShape[1]],
  };
}
