/**
 * Block anatomy read from the graph: the layers of a residual block in the order they run, which path each is
 * on, what the shortcut is made of and whether BN/ReLU come before the convolutions (pre-activation, He et al.
 * 2016 "Identity Mappings", Fig. 4e) or after them with a ReLU after the addition (He et al. 2015, Fig. 2/5).
 * Nothing here is written by hand per family: everything comes from `expand(spec)`, so a plain twin of a V2 net
 * shows pre-activation without an addition, exactly as it is built.
 */
import type { ArchGraph, BlockInfo, GraphNode, OpKind, Shape, ShortcutKind } from './graph';

export interface AnatomyStep {
  /** Keras layer name. */
  readonly id: string;
  readonly kind: OpKind;
  /** Short text: `conv 1×1 /2 · 256`, `BN`, `ReLU`, `grouped conv 3×3 · 128, C = 32`, `+`. */
  readonly label: string;
  readonly outShape: Shape;
}

export interface BlockAnatomy {
  /** `conv3_block1`. */
  readonly block: string;
  /** Why this block is shown: `first block of conv2`, `stride 2`, … */
  readonly role: string;
  /** 'pre' when the block's main path starts with BN (V2), 'post' when it starts with a convolution. */
  readonly activation: 'pre' | 'post';
  readonly shortcut: ShortcutKind;
  readonly stride: number;
  /** Largest group count of the block's convolutions (ResNeXt cardinality); 1 for ResNet. */
  readonly groups: number;
  readonly inShape: Shape;
  readonly outShape: Shape;
  /** Main-path layers up to the addition (all of them in a plain block). */
  readonly main: readonly AnatomyStep[];
  /** Layers on the shortcut (projection conv/BN, option-A zero-pad, V2's 1×1 max-pool); empty for an identity. */
  readonly shortcutPath: readonly AnatomyStep[];
  /**
   * Where the shortcut leaves: undefined when it takes the block input, else the main-path layer it branches
   * from (V2 projects the pre-activated input: `…_preact_relu`).
   */
  readonly shortcutFrom?: string;
  /** The addition, or undefined when the block has none (plain twin). */
  readonly add?: AnatomyStep;
  /** Main-path layers after the addition (V1: the ReLU). */
  readonly afterAdd: readonly AnatomyStep[];
  /** The block's function as one line, e.g. `x₍ₗ₊₁₎ = ReLU(F(x) + W_s·x)`. */
  readonly formula: string;
}

/** V1, V2 (pre-activation), ResNeXt (grouped 3×3) or plain (no addition in any block), from the graph. */
export type FamilyKind = 'v1' | 'v2' | 'resnext' | 'plain';

export function blockAnatomy(graph: ArchGraph, blockId: string, role = ''): BlockAnatomy {
  const info = graph.blocks.find((b) => b.id === blockId);
  if (!info) throw new Error(`no block ${JSON.stringify(blockId)} in ${graph.name}; blocks are ${graph.blocks[0]?.id} … ${graph.blocks.at(-1)?.id}`);
  const members = graph.nodes.filter((n) => n.block === blockId);
  const add = members.find((n) => n.op.kind === 'add');
  const addAt = add ? members.indexOf(add) : members.length;
  const mainNodes = members.filter((n) => n.path === 'main');
  const main = mainNodes.filter((n) => members.indexOf(n) < addAt).map(step);
  const afterAdd = add ? mainNodes.filter((n) => members.indexOf(n) > addAt).map(step) : [];
  const shortcutNodes = members.filter((n) => n.path === 'shortcut');
  const branch = shortcutNodes[0]?.inputs[0] ?? add?.inputs[0];
  const shortcutFrom = branch === undefined || branch === info.inputId ? undefined : branch;
  const firstCompute = mainNodes.find((n) => n.op.kind !== 'zeropad');
  const activation = firstCompute?.op.kind === 'bn' ? 'pre' : 'post';
  const groups = Math.max(1, ...members.map((n) => (n.op.kind === 'conv' ? n.op.groups : 1)));
  const base = {
    block: blockId,
    role,
    activation,
    shortcut: info.shortcut,
    stride: info.stride,
    groups,
    inShape: info.inShape,
    outShape: info.outShape,
    main,
    shortcutPath: shortcutNodes.map(step),
    shortcutFrom,
    add: add ? step(add) : undefined,
    afterAdd,
  } as const;
  return { ...base, formula: formula(base) };
}

/**
 * The blocks worth showing: the first of each distinct (shortcut kind, stride) in graph order, e.g. ResNet50's
 * conv2_block1 (projection, stride 1), conv2_block2 (identity) and conv3_block1 (projection, stride 2).
 */
export function representativeBlocks(graph: ArchGraph): BlockAnatomy[] {
  const seen = new Set<string>();
  const out: BlockAnatomy[] = [];
  for (const b of graph.blocks) {
    const key = `${b.shortcut}/${b.stride}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(blockAnatomy(graph, b.id, roleOf(graph, b)));
  }
  return out;
}

export function familyKind(graph: ArchGraph): FamilyKind {
  if (graph.blocks.length === 0) return 'plain';
  const a = blockAnatomy(graph, graph.blocks[0].id);
  if (graph.blocks.every((b) => b.shortcut === 'none')) return 'plain';
  if (a.groups > 1) return 'resnext';
  return a.activation === 'pre' ? 'v2' : 'v1';
}

function roleOf(graph: ArchGraph, b: BlockInfo): string {
  const parts: string[] = [];
  if (b.index === 1) parts.push(`first block of ${b.section}`);
  else {
    const stage = graph.stages.find((s) => s.id === b.section);
    parts.push(stage && stage.blocks.at(-1) === b.id ? `last block of ${b.section}` : `block ${b.index} of ${b.section}`);
  }
  if (b.stride > 1) parts.push(`downsamples /${b.stride}`);
  return parts.join(', ');
}

function step(n: GraphNode): AnatomyStep {
  return { id: n.id, kind: n.op.kind, label: stepLabel(n), outShape: n.outShape };
}

function stepLabel(n: GraphNode): string {
  const op = n.op;
  switch (op.kind) {
    case 'conv': {
      const k = `${op.kernel}×${op.kernel}${op.stride > 1 ? ` /${op.stride}` : ''}`;
      return op.groups > 1 ? `grouped conv ${k} · ${op.filters}, C = ${op.groups}` : `conv ${k} · ${op.filters}`;
    }
    case 'bn':
      return 'BN';
    case 'relu':
      return 'ReLU';
    case 'zeropad':
      return `zero-pad ${op.padding[0]}`;
    case 'add':
      return '+';
    case 'maxpool':
      return `max-pool ${op.pool}×${op.pool} /${op.stride}`;
    case 'zeroPadShortcut':
      return `subsample /${op.stride}, zero-pad channels +${op.channelPad[0]}/+${op.channelPad[1]}`;
    default:
      return op.kind;
  }
}

type FormulaParts = Pick<BlockAnatomy, 'activation' | 'shortcut' | 'shortcutFrom' | 'add' | 'afterAdd' | 'groups'>;

function formula(a: FormulaParts): string {
  const F = a.groups > 1 ? `Σᵢ₌₁^${a.groups} Tᵢ(x)` : 'F(x)';
  if (!a.add) return a.activation === 'pre' ? `x₍ₗ₊₁₎ = ${F}` : `x₍ₗ₊₁₎ = ReLU(${F})`;
  const input = a.shortcutFrom ? 'ReLU(BN(x))' : 'x';
  const h: Record<ShortcutKind, string> = {
    identity: input,
    projection: `W_s·${input}`,
    zeropad: `pad(x)`,
    subsample: `maxpool₁ₓ₁(${input})`,
    none: '',
  };
  const sum = `${F} + ${h[a.shortcut]}`;
  return a.afterAdd.some((s) => s.kind === 'relu') ? `x₍ₗ₊₁₎ = ReLU(${sum})` : `x₍ₗ₊₁₎ = ${sum}`;
}
