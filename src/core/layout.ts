/**
 * Diagram geometry from the graph: a pure, deterministic function (no DOM, no d3). The UI only draws it.
 *
 * Semantic zoom: the graph is cut into groups — the stem, each stage (`conv2` …), each block (`conv2_block1`)
 * and the head. A collapsed group is one node; an expanded stage shows its blocks, an expanded block its
 * layers. Every graph node is shown by its nearest visible representative, and every graph edge becomes an
 * edge between representatives (self-loops inside a collapsed group dropped, duplicates merged), so the fully
 * expanded view has exactly the graph's edges.
 *
 * Geometry: the main path is one column (the spine, centred on x = 0); shortcut-path layers (projection
 * conv/BN, V2's 1×1 max-pool, option-A zero-pad) sit in a side lane to its right, and every shortcut edge is
 * routed through that lane, so a skip connection reads as an arc beside the blocks it skips.
 */
import { type ArchGraph, formatShape, type GraphNode, type PathKind, type Shape, type ShortcutKind } from './graph';
import { opClass, opDetail } from './op-text';

export const GEOMETRY = {
  /** Width of every spine node. */
  spineWidth: 260,
  /** Vertical gap between consecutive spine nodes (room for the shape label on the edge). */
  gap: 26,
  /** Side lane: starts this far right of the spine's edge, and is this wide. */
  laneOffset: 24,
  laneWidth: 180,
  /** Room right of the lane for shape labels on shortcut edges. */
  labelMargin: 90,
  heights: { layer: 30, block: 46, stage: 58, group: 46 },
  /** A collapsed block's arc starts/ends this far inside the block's box. */
  arcInset: 7,
} as const;

export const SPINE_LEFT = -GEOMETRY.spineWidth / 2;
export const SPINE_RIGHT = GEOMETRY.spineWidth / 2;
export const LANE_LEFT = SPINE_RIGHT + GEOMETRY.laneOffset;
export const LANE_RIGHT = LANE_LEFT + GEOMETRY.laneWidth;
/** x of the vertical run of every shortcut arc. */
export const LANE_CENTER = (LANE_LEFT + LANE_RIGHT) / 2;

/** Brackets of expanded groups, left of the spine. */
export const BAND_WIDTH = 14;
export const BLOCK_BAND_X = SPINE_LEFT - 8 - BAND_WIDTH;
export const STAGE_BAND_X = BLOCK_BAND_X - 6 - BAND_WIDTH;

export type LayoutNodeKind = 'layer' | 'block' | 'stage' | 'group';

export interface LayoutNode {
  /** Graph node id (Keras name) for layers; group id (`stem`, `conv3`, `conv3_block2`, `head`) otherwise. */
  readonly id: string;
  readonly kind: LayoutNodeKind;
  readonly lane: 'spine' | 'side';
  /** Centre. */
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly title: string;
  readonly detail: string;
  readonly outShape: Shape;
  /** Can be expanded (groups) — layers cannot. */
  readonly expandable: boolean;
  /** Block this node belongs to or is. */
  readonly block?: string;
  /** For block nodes: how the block's shortcut is made. */
  readonly shortcut?: ShortcutKind;
  /** Op kind for layers (drives styling). */
  readonly op?: GraphNode['op']['kind'];
}

export interface LayoutEdge {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly path: PathKind;
  /** Polyline; the UI rounds the corners. */
  readonly points: readonly (readonly [number, number])[];
  /**
   * Graph node whose output flows on this edge; its outShape is `shape`, the edge's label. Usually a member
   * of `from`; for the arc of a collapsed block it is the shortcut tensor entering the addition (a
   * projection's BN, an option-A pad, V2's max-pool, or the block input for an identity).
   */
  readonly tensor: string;
  readonly shape: Shape;
  /** Where to draw the shape label (left-aligned). */
  readonly labelAt: readonly [number, number];
  /** Block whose shortcut this edge is part of (shortcut edges only). */
  readonly block?: string;
}

/** One skip connection: the shortcut edges of one block. */
export interface LayoutArc {
  readonly block: string;
  readonly kind: ShortcutKind;
  readonly edgeIds: readonly string[];
}

/** An expanded group drawn as a bracket left of the spine (click it to collapse the group). */
export interface LayoutBand {
  readonly id: string;
  readonly kind: 'stage' | 'block' | 'group';
  /** Left edge of the bracket. */
  readonly x: number;
  readonly y0: number;
  readonly y1: number;
}

export interface Layout {
  readonly bands: readonly LayoutBand[];
  readonly nodes: readonly LayoutNode[];
  readonly edges: readonly LayoutEdge[];
  readonly arcs: readonly LayoutArc[];
  readonly bounds: { readonly minX: number; readonly minY: number; readonly maxX: number; readonly maxY: number };
}

/** Every group id of a graph in order: stem, stages with their blocks, head. */
export function allGroups(graph: ArchGraph): string[] {
  const out = ['stem'];
  for (const st of graph.stages) out.push(st.id, ...st.blocks);
  out.push('head');
  return out;
}

/** Stages show their blocks when the model is small enough to read that way (ResNet-152: 50 blocks). */
export const DEFAULT_EXPAND_MAX_BLOCKS = 60;

export function defaultExpansion(graph: ArchGraph): Set<string> {
  return graph.blocks.length <= DEFAULT_EXPAND_MAX_BLOCKS ? new Set(graph.stages.map((s) => s.id)) : new Set();
}

/** The expanded set that shows every layer of the graph, drawn, and the groups on the way to one node. */
export function expansionToShow(graph: ArchGraph, nodeId: string): string[] {
  const node = graph.nodes.find((n) => n.id === nodeId);
  if (!node) return [];
  if (node.section === 'stem' || node.section === 'head') return node.id === graph.inputId ? [] : [node.section];
  return node.block ? [node.section, node.block] : [node.section];
}

const H = GEOMETRY.heights;

interface Item {
  id: string;
  kind: LayoutNodeKind;
  lane: 'spine' | 'side';
  members: GraphNode[];
  block?: string;
}

export function layout(graph: ArchGraph, expanded: ReadonlySet<string>): Layout {
  const blockInfo = new Map(graph.blocks.map((b) => [b.id, b]));
  const stageInfo = new Map(graph.stages.map((s) => [s.id as string, s]));

  const repOf = (n: GraphNode): { id: string; kind: LayoutNodeKind } => {
    if (n.id === graph.inputId) return { id: n.id, kind: 'layer' };
    if (n.section === 'stem' || n.section === 'head') {
      return expanded.has(n.section) ? { id: n.id, kind: 'layer' } : { id: n.section, kind: 'group' };
    }
    if (!expanded.has(n.section)) return { id: n.section, kind: 'stage' };
    if (n.block && !expanded.has(n.block)) return { id: n.block, kind: 'block' };
    return { id: n.id, kind: 'layer' };
  };

  // Visible items in creation order (a topological order), each with the graph nodes it stands for.
  const items = new Map<string, Item>();
  const rep = new Map<string, string>();
  for (const n of graph.nodes) {
    const r = repOf(n);
    rep.set(n.id, r.id);
    let it = items.get(r.id);
    if (!it) {
      const side = r.kind === 'layer' && n.path === 'shortcut';
      it = { id: r.id, kind: r.kind, lane: side ? 'side' : 'spine', members: [], block: n.block };
      items.set(r.id, it);
    }
    it.members.push(n);
  }

  // Spine: one column, top to bottom.
  const pos = new Map<string, LayoutNode>();
  const nodes: LayoutNode[] = [];
  let y = 0;
  for (const it of items.values()) {
    if (it.lane !== 'spine') continue;
    const h = H[it.kind];
    const node = describe(it, 0, y + h / 2, GEOMETRY.spineWidth, h, blockInfo, stageInfo);
    pos.set(it.id, node);
    nodes.push(node);
    y += h + GEOMETRY.gap;
  }
  const spineBottom = y - GEOMETRY.gap;

  // Side lane: the shortcut layers of each expanded block, spread evenly between the node the shortcut
  // leaves from and the addition it joins.
  const sideByBlock = new Map<string, Item[]>();
  for (const it of items.values()) {
    if (it.lane !== 'side') continue;
    const list = sideByBlock.get(it.block!) ?? [];
    list.push(it);
    sideByBlock.set(it.block!, list);
  }
  for (const [blockId, list] of sideByBlock) {
    const b = blockInfo.get(blockId)!;
    const first = list[0].members[0];
    const src = pos.get(rep.get(first.inputs[0])!)!;
    const add = pos.get(addOf(graph, b.outputId))!;
    const top = src.y;
    const bottom = add.y;
    list.forEach((it, i) => {
      const cy = top + ((i + 1) * (bottom - top)) / (list.length + 1);
      const node = describe(it, LANE_CENTER, cy, GEOMETRY.laneWidth, H.layer, blockInfo, stageInfo);
      pos.set(it.id, node);
      nodes.push(node);
    });
  }

  // Edges between representatives.
  const edgesOut: LayoutEdge[] = [];
  const seen = new Set<string>();
  const arcEdges = new Map<string, string[]>();
  for (const n of graph.nodes) {
    n.inputs.forEach((src, i) => {
      const from = rep.get(src)!;
      const to = rep.get(n.id)!;
      if (from === to) return;
      // A skip into a collapsed stage stays hidden inside it: the stage node shows only its main path.
      const intoCollapsed = items.get(to)!.kind === 'stage' || items.get(to)!.kind === 'group';
      const onShortcut = n.path === 'shortcut' || (n.op.kind === 'add' && i === 0);
      const path: PathKind = onShortcut && !intoCollapsed ? 'shortcut' : 'main';
      const id = `${from}->${to}${path === 'shortcut' ? ':s' : ''}`;
      if (seen.has(id)) return;
      seen.add(id);
      const f = pos.get(from)!;
      const t = pos.get(to)!;
      if (path === 'main') {
        const y0 = f.y + f.h / 2;
        const y1 = t.y - t.h / 2;
        const shape = shapeOf(graph, src);
        edgesOut.push({ id, from, to, path, points: [[0, y0], [0, y1]], tensor: src, shape, labelAt: [6, (y0 + y1) / 2 + 4] });
      } else {
        const block = n.block!;
        const points = routeShortcut(f, t);
        const mid = verticalMid(points);
        // Into a collapsed block the arc stands for the whole skip: it carries what joins the addition
        // (56×56×256 after conv2_block1's projection, not the 56×56×64 entering it).
        const tensor = t.kind === 'block' ? shortcutInput(graph, blockInfo.get(block)!) : src;
        edgesOut.push({ id, from, to, path, points, tensor, shape: shapeOf(graph, tensor), labelAt: [LANE_CENTER + 6, mid + 4], block });
        const list = arcEdges.get(block) ?? [];
        list.push(id);
        arcEdges.set(block, list);
      }
    });
  }

  // A collapsed block always shows its skip, even when the shortcut starts inside it (V2 projects the
  // pre-activated input, so no shortcut edge crosses the block's boundary).
  for (const b of graph.blocks) {
    if (b.shortcut === 'none' || items.get(b.id)?.kind !== 'block' || arcEdges.has(b.id)) continue;
    const from = rep.get(b.inputId)!;
    const f = pos.get(from)!;
    const t = pos.get(b.id)!;
    const id = `${from}->${b.id}:s`;
    const points = routeShortcut(f, t);
    const tensor = shortcutInput(graph, b);
    const labelAt = [LANE_CENTER + 6, verticalMid(points) + 4] as const;
    edgesOut.push({ id, from, to: b.id, path: 'shortcut', points, tensor, shape: shapeOf(graph, tensor), labelAt, block: b.id });
    arcEdges.set(b.id, [id]);
  }

  const arcs: LayoutArc[] = [];
  for (const b of graph.blocks) {
    const ids = arcEdges.get(b.id);
    if (ids) arcs.push({ block: b.id, kind: b.shortcut, edgeIds: ids });
  }

  // Brackets for expanded groups: stages (and the stem/head) in the outer column, blocks in the inner one.
  const extent = new Map<string, [number, number]>();
  const grow = (g: string, n: LayoutNode) => {
    const e = extent.get(g);
    const top = n.y - n.h / 2;
    const bottom = n.y + n.h / 2;
    if (!e) extent.set(g, [top, bottom]);
    else extent.set(g, [Math.min(e[0], top), Math.max(e[1], bottom)]);
  };
  for (const it of items.values()) {
    const n = pos.get(it.id)!;
    const m = it.members[0];
    if (m.id === graph.inputId || it.kind === 'stage' || it.kind === 'group') continue;
    grow(m.section, n);
    if (it.kind === 'layer' && m.block) grow(m.block, n);
  }
  const bands: LayoutBand[] = [];
  for (const [id, [y0, y1]] of extent) {
    const kind = id === 'stem' || id === 'head' ? 'group' : blockInfo.has(id) ? 'block' : 'stage';
    bands.push({ id, kind, x: kind === 'block' ? BLOCK_BAND_X : STAGE_BAND_X, y0, y1 });
  }

  const anySide = arcs.length > 0;
  return {
    bands,
    nodes,
    edges: edgesOut,
    arcs,
    bounds: {
      minX: bands.length ? STAGE_BAND_X : SPINE_LEFT,
      minY: 0,
      maxX: anySide ? LANE_RIGHT + GEOMETRY.labelMargin : SPINE_RIGHT + GEOMETRY.labelMargin,
      maxY: Math.max(0, spineBottom),
    },
  };
}

/** The `add` node of a block: the block's output, or the input of its output ReLU (V1). */
function addOf(graph: ArchGraph, outputId: string): string {
  const out = graph.nodes[graphIndex(graph, outputId)];
  return out.op.kind === 'add' ? out.id : out.inputs[0];
}

/** The tensor a block's shortcut adds: input 0 of its addition (Keras `Add()([shortcut, x])`). */
function shortcutInput(graph: ArchGraph, b: ArchGraph['blocks'][number]): string {
  return graph.nodes[graphIndex(graph, addOf(graph, b.outputId))].inputs[0];
}

function shapeOf(graph: ArchGraph, id: string): Shape {
  return graph.nodes[graphIndex(graph, id)].outShape;
}

const indexCache = new WeakMap<ArchGraph, Map<string, number>>();
function graphIndex(graph: ArchGraph, id: string): number {
  let m = indexCache.get(graph);
  if (!m) {
    m = new Map(graph.nodes.map((n, i) => [n.id, i]));
    indexCache.set(graph, m);
  }
  return m.get(id)!;
}

/**
 * Route a shortcut edge through the side lane. Spine → spine edges leave the source's right side, run down
 * the lane and re-enter the target; when the target is a collapsed block the arc hugs that block (it skips
 * the block's body, from its entry to its addition).
 */
function routeShortcut(f: LayoutNode, t: LayoutNode): [number, number][] {
  const inset = GEOMETRY.arcInset;
  if (f.lane === 'spine' && t.lane === 'spine') {
    let y0: number;
    let y1: number;
    if (t.kind === 'block') {
      y0 = t.y - t.h / 2 + inset;
      y1 = t.y + t.h / 2 - inset;
    } else {
      y0 = f.kind === 'layer' ? f.y : f.y + f.h / 2 - inset;
      y1 = t.y;
    }
    return [
      [SPINE_RIGHT, y0],
      [LANE_CENTER, y0],
      [LANE_CENTER, y1],
      [SPINE_RIGHT, y1],
    ];
  }
  if (f.lane === 'spine') {
    const y0 = f.kind === 'layer' ? f.y : f.y + f.h / 2 - inset;
    return [
      [SPINE_RIGHT, y0],
      [LANE_CENTER, y0],
      [LANE_CENTER, t.y - t.h / 2],
    ];
  }
  if (t.lane === 'side') {
    return [
      [LANE_CENTER, f.y + f.h / 2],
      [LANE_CENTER, t.y - t.h / 2],
    ];
  }
  return [
    [LANE_CENTER, f.y + f.h / 2],
    [LANE_CENTER, t.y],
    [SPINE_RIGHT, t.y],
  ];
}

function verticalMid(points: readonly (readonly [number, number])[]): number {
  for (let i = 1; i < points.length; i++) {
    if (points[i][0] === points[i - 1][0]) return (points[i][1] + points[i - 1][1]) / 2;
  }
  return points[0][1];
}

const KIND_WORD: Record<ShortcutKind, string> = {
  identity: 'identity shortcut',
  projection: 'projection shortcut',
  zeropad: 'zero-pad shortcut (option A)',
  subsample: '1×1 max-pool shortcut',
  none: 'no shortcut',
};

function describe(
  it: Item,
  x: number,
  y: number,
  w: number,
  h: number,
  blocks: Map<string, ArchGraph['blocks'][number]>,
  stages: Map<string, ArchGraph['stages'][number]>,
): LayoutNode {
  const last = it.members[it.members.length - 1];
  const base = { id: it.id, kind: it.kind, lane: it.lane, x, y, w, h };
  switch (it.kind) {
    case 'layer': {
      const n = it.members[0];
      return {
        ...base,
        title: n.id,
        detail: [opClass(n.op), opDetail(n.op)].filter(Boolean).join(' '),
        outShape: n.outShape,
        expandable: false,
        block: n.block,
        op: n.op.kind,
      };
    }
    case 'block': {
      const b = blocks.get(it.id)!;
      return {
        ...base,
        title: it.id,
        detail: `${it.members.length} layers · ${KIND_WORD[b.shortcut]}${b.stride > 1 ? ` · stride ${b.stride}` : ''}`,
        outShape: b.outShape,
        expandable: true,
        block: it.id,
        shortcut: b.shortcut,
      };
    }
    case 'stage': {
      const s = stages.get(it.id)!;
      const count = s.blocks.length;
      const skips = s.blocks.filter((b) => blocks.get(b)!.shortcut !== 'none').length;
      return {
        ...base,
        title: `${it.id} × ${count} block${count === 1 ? '' : 's'}`,
        detail: `${it.members.length} layers · ${skips ? `${skips} skips` : 'no skips'} · out ${formatShape(s.outShape)}`,
        outShape: s.outShape,
        expandable: true,
      };
    }
    case 'group':
      return {
        ...base,
        title: it.id === 'stem' ? 'stem' : 'head',
        detail: `${it.members.length} layers · ${it.members.map((m) => opClass(m.op).replace(/2D$/, '')).filter(uniq).join(', ')}`,
        outShape: last.outShape,
        expandable: true,
      };
  }
}

function uniq<T>(v: T, i: number, a: readonly T[]): boolean {
  return a.indexOf(v) === i;
}
