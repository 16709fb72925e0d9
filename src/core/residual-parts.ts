/**
 * Which layers show what a residual block's addition does: the residual branch's last layer, the shortcut
 * tensor, the add and (V1) the ReLU after it. Read from the graph: Keras' `Add()([shortcut, x])` puts the
 * shortcut first (He et al. 2016, "Deep Residual Learning", Eq. 1: y = F(x) + x; keras-applications
 * resnet.py `block1`), so `add.inputs[0]` is the shortcut and `add.inputs[1]` the branch F(x).
 */
import type { ArchGraph, ShortcutKind } from './graph';

export interface ResidualParts {
  /** `conv2_block1`. */
  readonly block: string;
  readonly shortcutKind: Exclude<ShortcutKind, 'none'>;
  /** Last layer of the residual branch, F(x): `conv2_block1_3_bn` (V1), `conv2_block1_3_conv` (V2). */
  readonly branch: string;
  /** The shortcut tensor: the projection's BN (`conv2_block1_0_bn`), or the block input for identity blocks. */
  readonly shortcut: string;
  /** The sum, `conv2_block1_add`. */
  readonly add: string;
  /** The block output after the addition when it differs from the add (V1's ReLU, `conv2_block1_out`). */
  readonly out?: string;
}

/**
 * The residual parts for a selected diagram id: a block's id, its add node or its output node. Any other id
 * (a layer inside the branch, a stage, a plain block) gives undefined.
 */
export function residualParts(graph: ArchGraph, id: string): ResidualParts | undefined {
  const node = graph.nodes.find((n) => n.id === id);
  const blockId = node ? node.block : id;
  const block = blockId === undefined ? undefined : graph.blocks.find((b) => b.id === blockId);
  if (!block || block.shortcut === 'none') return undefined;
  const add = graph.nodes.find((n) => n.block === block.id && n.op.kind === 'add');
  if (add?.inputs.length !== 2) return undefined;
  if (node && node.id !== add.id && node.id !== block.outputId) return undefined;
  return {
    block: block.id,
    shortcutKind: block.shortcut,
    shortcut: add.inputs[0],
    branch: add.inputs[1],
    add: add.id,
    ...(block.outputId !== add.id ? { out: block.outputId } : {}),
  };
}
