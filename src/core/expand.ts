/**
 * spec → graph. One builder for every variant; the layer names and creation order follow
 * tf.keras `applications/resnet.py` / `resnet_v2.py` and keras-applications `resnet_common.py`
 * (block1 / block2 / block3, stack1 / stack2 / stack3).
 */
import type { ArchGraph, BlockInfo, GraphNode, Op, PathKind, Section, Shape, ShortcutKind, StageInfo } from './graph';
import { type ArchSpec, DROPOUT_LAYER_NAME, HIDDEN_LAYER_NAME, stageOutChannels } from './spec';
import { validateSpec } from './validate';

/** Output shape of one op from its input shapes. */
export function outputShape(op: Op, inShapes: readonly Shape[]): Shape {
  const [x] = inShapes;
  switch (op.kind) {
    case 'input':
      return x;
    case 'zeropad':
      return [x[0] + op.padding[0] * 2, x[1] + op.padding[1] * 2, x[2]];
    case 'conv': {
      const side = (n: number) =>
        op.padding === 'same' ? Math.ceil(n / op.stride) : Math.floor((n - op.kernel) / op.stride) + 1;
      return [side(x[0]), side(x[1]), op.filters];
    }
    case 'maxpool':
      return [Math.floor((x[0] - op.pool) / op.stride) + 1, Math.floor((x[1] - op.pool) / op.stride) + 1, x[2]];
    case 'zeroPadShortcut':
      return [Math.ceil(x[0] / op.stride), Math.ceil(x[1] / op.stride), x[2] + op.channelPad[0] + op.channelPad[1]];
    case 'bn':
    case 'relu':
    case 'add':
    case 'dropout':
      return x;
    case 'globalAvgPool':
    case 'globalMaxPool':
      return [x[2]];
    case 'dense':
      return [op.units];
  }
}

class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  private readonly byId = new Map<string, GraphNode>();
  private autoNames = new Map<string, number>();
  section: Section = 'stem';
  block: string | undefined;

  add(id: string, op: Op, inputs: readonly string[], path: PathKind = 'main', inShapeOverride?: Shape): string {
    if (this.byId.has(id)) throw new Error(`duplicate layer name ${id}`);
    const inShapes = inShapeOverride ? [inShapeOverride] : inputs.map((i) => this.byId.get(i)!.outShape);
    const outShape = outputShape(op, inShapes);
    if (outShape.some((d) => !(d >= 1))) {
      throw new Error(`layer ${id} would have output shape [${outShape.join(', ')}]`);
    }
    const node: GraphNode = { id, op, inputs, inShapes, outShape, section: this.section, block: this.block, path };
    this.nodes.push(node);
    this.byId.set(id, node);
    return id;
  }

  /** Keras' automatic names for unnamed layers: `max_pooling2d`, `max_pooling2d_1`, … */
  autoName(base: string): string {
    const n = this.autoNames.get(base) ?? 0;
    this.autoNames.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  }

  shape(id: string): Shape {
    return this.byId.get(id)!.outShape;
  }
}

interface BlockArgs {
  readonly name: string;
  readonly width: number;
  readonly outChannels: number;
  readonly stride: number;
}

function convBias(spec: ArchSpec, role: 'stem' | 'inner' | 'last' | 'projection'): boolean {
  if (spec.convBias === 'all') return true;
  if (spec.convBias === 'none') return false;
  return role !== 'inner';
}

function shortcutKind(spec: ArchSpec, inChannels: number, args: BlockArgs): ShortcutKind {
  if (!spec.residual) return 'none';
  if (spec.shortcut === 'C') return 'projection';
  const channelsChange = inChannels !== args.outChannels;
  if (spec.shortcut === 'A') return channelsChange || args.stride !== 1 ? 'zeropad' : 'identity';
  if (channelsChange) return 'projection';
  // Option B with only the resolution changing (Keras V2 downsamples in a stage's last block): a 1×1 max-pool.
  return args.stride !== 1 ? 'subsample' : 'identity';
}

function buildBlock(g: GraphBuilder, spec: ArchSpec, x: string, args: BlockArgs): BlockInfo {
  const { name, width, outChannels, stride } = args;
  g.block = name;
  const inShape = g.shape(x);
  const pre = spec.activation === 'pre';
  const kind = shortcutKind(spec, inShape[2], args);
  const bn = (id: string, input: string, path: PathKind = 'main') =>
    g.add(id, { kind: 'bn', epsilon: spec.bnEpsilon }, [input], path);
  const conv = (
    id: string,
    input: string,
    filters: number,
    kernel: number,
    s: number,
    role: 'inner' | 'last' | 'projection',
    groups = 1,
    path: PathKind = 'main',
  ) => {
    const explicit = kernel === 3 && spec.pad3x3 === 'explicit';
    let src = input;
    if (explicit) src = g.add(`${id.replace(/_conv$/, '')}_pad`, { kind: 'zeropad', padding: [1, 1] }, [input], path);
    const padding = kernel === 1 || explicit ? 'valid' : 'same';
    return g.add(id, { kind: 'conv', filters, kernel, stride: s, padding, bias: convBias(spec, role), groups }, [src], path);
  };

  let mainIn = x;
  if (pre) {
    mainIn = g.add(`${name}_preact_relu`, { kind: 'relu' }, [bn(`${name}_preact_bn`, x)]);
  }

  let shortcut: string | undefined;
  if (kind === 'projection') {
    // V2 projects the pre-activated input; V1 the raw block input.
    const c = conv(`${name}_0_conv`, pre ? mainIn : x, outChannels, 1, stride, 'projection', 1, 'shortcut');
    shortcut = pre ? c : bn(`${name}_0_bn`, c, 'shortcut');
  } else if (kind === 'subsample') {
    shortcut = g.add(g.autoName('max_pooling2d'), { kind: 'maxpool', pool: 1, stride }, [x], 'shortcut');
  } else if (kind === 'zeropad') {
    const extra = outChannels - inShape[2];
    // Symmetric channel padding, as the reference CIFAR code (akamaster/pytorch_resnet_cifar10, planes//4 each side).
    const before = Math.floor(extra / 2);
    shortcut = g.add(
      `${name}_0_pad`,
      { kind: 'zeroPadShortcut', stride, channelPad: [before, extra - before] },
      [x],
      'shortcut',
    );
  } else if (kind === 'identity') {
    shortcut = x;
  }

  let y: string;
  if (spec.block === 'bottleneck') {
    const s1 = spec.strideAt === 'first1x1' ? stride : 1;
    const s3 = spec.strideAt === '3x3' ? stride : 1;
    y = conv(`${name}_1_conv`, mainIn, width, 1, s1, 'inner');
    y = g.add(`${name}_1_relu`, { kind: 'relu' }, [bn(`${name}_1_bn`, y)]);
    y = conv(`${name}_2_conv`, y, width, 3, s3, 'inner', spec.groups);
    y = g.add(`${name}_2_relu`, { kind: 'relu' }, [bn(`${name}_2_bn`, y)]);
    y = conv(`${name}_3_conv`, y, outChannels, 1, 1, 'last');
    if (!pre) y = bn(`${name}_3_bn`, y);
  } else {
    y = conv(`${name}_1_conv`, mainIn, width, 3, stride, 'inner');
    y = g.add(`${name}_1_relu`, { kind: 'relu' }, [bn(`${name}_1_bn`, y)]);
    y = conv(`${name}_2_conv`, y, outChannels, 3, 1, 'last');
    if (!pre) y = bn(`${name}_2_bn`, y);
  }

  if (shortcut !== undefined) {
    // V1 adds then applies ReLU (`_add`, `_out`); V2's `_out` is the addition itself.
    const sum = g.add(pre ? `${name}_out` : `${name}_add`, { kind: 'add' }, [shortcut, y]);
    y = pre ? sum : g.add(`${name}_out`, { kind: 'relu' }, [sum]);
  } else if (!pre) {
    y = g.add(`${name}_out`, { kind: 'relu' }, [y]);
  }
  g.block = undefined;
  return {
    id: name,
    section: g.section,
    index: Number(name.slice(name.lastIndexOf('block') + 5)),
    inputId: x,
    outputId: y,
    shortcut: kind,
    stride,
    inShape,
    outShape: g.shape(y),
  };
}

/** Expand a spec into its graph. Validates first: throws SpecError on a bad spec. */
export function expand(spec: ArchSpec): ArchGraph {
  validateSpec(spec);
  const g = new GraphBuilder();
  const pre = spec.activation === 'pre';
  const relu = { kind: 'relu' } as const;
  const bnOp = { kind: 'bn', epsilon: spec.bnEpsilon } as const;

  const inputId = g.add('input_1', { kind: 'input' }, [], 'main', spec.input);
  let x = inputId;
  if (spec.stem.kind === 'imagenet') {
    x = g.add('conv1_pad', { kind: 'zeropad', padding: [3, 3] }, [x]);
    x = g.add(
      'conv1_conv',
      { kind: 'conv', filters: spec.stem.width, kernel: 7, stride: 2, padding: 'valid', bias: convBias(spec, 'stem'), groups: 1 },
      [x],
    );
    if (!pre) x = g.add('conv1_relu', relu, [g.add('conv1_bn', bnOp, [x])]);
    x = g.add('pool1_pad', { kind: 'zeropad', padding: [1, 1] }, [x]);
    x = g.add('pool1_pool', { kind: 'maxpool', pool: 3, stride: 2 }, [x]);
  } else {
    x = g.add(
      'conv1_conv',
      { kind: 'conv', filters: spec.stem.width, kernel: 3, stride: 1, padding: 'same', bias: convBias(spec, 'stem'), groups: 1 },
      [x],
    );
    if (!pre) x = g.add('conv1_relu', relu, [g.add('conv1_bn', bnOp, [x])]);
  }

  const blocks: BlockInfo[] = [];
  const stages: StageInfo[] = [];
  spec.stages.forEach((stage, si) => {
    const section: Section = `conv${si + 2}`;
    g.section = section;
    const stageIn = g.shape(x);
    const ids: string[] = [];
    for (let k = 1; k <= stage.blocks; k++) {
      const downsampling = spec.downsampleAt === 'first' ? k === 1 : k === stage.blocks;
      const info = buildBlock(g, spec, x, {
        name: `${section}_block${k}`,
        width: stage.width,
        outChannels: stageOutChannels(spec, stage),
        stride: downsampling ? stage.stride : 1,
      });
      blocks.push(info);
      ids.push(info.id);
      x = info.outputId;
    }
    stages.push({ id: section, blocks: ids, inShape: stageIn, outShape: g.shape(x) });
  });

  g.section = 'head';
  if (pre) x = g.add('post_relu', relu, [g.add('post_bn', bnOp, [x])]);
  const { head } = spec;
  if (head.includeTop) {
    x = g.add('avg_pool', { kind: 'globalAvgPool' }, [x]);
    // A fine-tuning head (HeadSpec.hidden / dropout): pooled → fc1 → dropout → classifier, Keras' order.
    if (head.hidden) x = g.add(HIDDEN_LAYER_NAME, { kind: 'dense', units: head.hidden.units, activation: head.hidden.activation }, [x]);
    if (head.dropout) x = g.add(DROPOUT_LAYER_NAME, { kind: 'dropout', rate: head.dropout }, [x]);
    x = g.add(head.classifierName, { kind: 'dense', units: head.classes, activation: head.classifierActivation }, [x]);
  } else if (head.pooling === 'avg') {
    x = g.add('avg_pool', { kind: 'globalAvgPool' }, [x]);
  } else if (head.pooling === 'max') {
    x = g.add('max_pool', { kind: 'globalMaxPool' }, [x]);
  }
  return { name: spec.name, nodes: g.nodes, blocks, stages, inputId, outputId: x };
}
