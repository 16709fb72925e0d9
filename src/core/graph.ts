/**
 * ArchGraph: the one intermediate representation. `expand(spec)` turns an ArchSpec into a list of ops in
 * creation order, each with its Keras layer name as id, its inputs, its output shape and where it sits
 * (stem / stage / block / head, main path or shortcut). Analysis, layout and the tfjs builder all read this.
 */

/** Shapes exclude the batch dimension: [h, w, c] for feature maps, [c] after global pooling. */
export type Shape = readonly number[];

export type Op =
  | { readonly kind: 'input' }
  | { readonly kind: 'zeropad'; readonly padding: readonly [number, number] }
  | {
      readonly kind: 'conv';
      readonly filters: number;
      readonly kernel: number;
      readonly stride: number;
      readonly padding: 'same' | 'valid';
      readonly bias: boolean;
      /** >1: grouped convolution (ResNeXt). */
      readonly groups: number;
    }
  | { readonly kind: 'bn'; readonly epsilon: number }
  | { readonly kind: 'relu' }
  | { readonly kind: 'maxpool'; readonly pool: number; readonly stride: number }
  /** Option-A shortcut: keep every `stride`-th pixel, then zero-pad channels [before, after]. No weights. */
  | { readonly kind: 'zeroPadShortcut'; readonly stride: number; readonly channelPad: readonly [number, number] }
  | { readonly kind: 'add' }
  | { readonly kind: 'globalAvgPool' }
  | { readonly kind: 'globalMaxPool' }
  /** 'relu' only for a fine-tuning head's hidden `fc1` (HeadSpec.hidden). */
  | { readonly kind: 'dense'; readonly units: number; readonly activation: 'softmax' | 'linear' | 'relu' }
  /** Keras Dropout (HeadSpec.dropout): identity at inference, no weights. */
  | { readonly kind: 'dropout'; readonly rate: number };

export type OpKind = Op['kind'];

/** Which branch of a block a node is on. 'main' outside blocks too. */
export type PathKind = 'main' | 'shortcut';

/** Stem, a residual stage (`conv2` … `conv5`), or the classifier head. */
export type Section = 'stem' | 'head' | `conv${number}`;

export interface GraphNode {
  /** Keras layer name; the join key between model, diagram and tables. */
  readonly id: string;
  readonly op: Op;
  /** Ids of input nodes. For `add`, inputs[0] is the shortcut (Keras `Add()([shortcut, x])`). */
  readonly inputs: readonly string[];
  readonly inShapes: readonly Shape[];
  readonly outShape: Shape;
  readonly section: Section;
  /** `conv3_block1` for nodes inside a block. */
  readonly block?: string;
  readonly path: PathKind;
}

/** How a block's shortcut is made. 'none' in a plain twin. */
export type ShortcutKind = 'identity' | 'projection' | 'zeropad' | 'subsample' | 'none';

export interface BlockInfo {
  /** `conv3_block1`. */
  readonly id: string;
  readonly section: Section;
  /** 1-based index within its stage, as in Keras names. */
  readonly index: number;
  /** Node whose output enters the block. */
  readonly inputId: string;
  /** Last node of the block (its output). */
  readonly outputId: string;
  readonly shortcut: ShortcutKind;
  readonly stride: number;
  readonly inShape: Shape;
  readonly outShape: Shape;
}

export interface StageInfo {
  readonly id: Section;
  readonly blocks: readonly string[];
  readonly inShape: Shape;
  readonly outShape: Shape;
}

export interface ArchGraph {
  readonly name: string;
  /** Creation order (a valid topological order). */
  readonly nodes: readonly GraphNode[];
  readonly blocks: readonly BlockInfo[];
  readonly stages: readonly StageInfo[];
  readonly inputId: string;
  readonly outputId: string;
}

export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly shape: Shape;
  /** 'shortcut' for edges that lie on a skip connection (including the one entering the add). */
  readonly path: PathKind;
}

/** Every edge, in node order. The shortcut input of an `add` is a shortcut edge. */
export function edges(graph: ArchGraph): Edge[] {
  const byId = nodeIndex(graph);
  const out: Edge[] = [];
  for (const n of graph.nodes) {
    n.inputs.forEach((src, i) => {
      const from = byId.get(src)!;
      const onShortcut = n.path === 'shortcut' || (n.op.kind === 'add' && i === 0);
      out.push({ from: src, to: n.id, shape: from.outShape, path: onShortcut ? 'shortcut' : 'main' });
    });
  }
  return out;
}

export function nodeIndex(graph: ArchGraph): Map<string, GraphNode> {
  return new Map(graph.nodes.map((n) => [n.id, n]));
}

export function formatShape(shape: Shape): string {
  return shape.join('×');
}
