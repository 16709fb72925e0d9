import { describe, expect, test } from 'vitest';
import {
  type ArchGraph,
  allGroups,
  defaultExpansion,
  edges,
  expand,
  getPreset,
  LANE_CENTER,
  LANE_LEFT,
  LANE_RIGHT,
  type Layout,
  layout,
  PRESET_NAMES,
  plainTwin,
  SPINE_LEFT,
  SPINE_RIGHT,
} from '../../src/core';

const full = (g: ArchGraph) => layout(g, new Set(allGroups(g)));

function overlaps(l: Layout): string[] {
  const bad: string[] = [];
  const ns = [...l.nodes].sort((a, b) => a.y - a.h / 2 - (b.y - b.h / 2));
  for (let i = 0; i < ns.length; i++) {
    const a = ns[i];
    for (let j = i + 1; j < ns.length; j++) {
      const b = ns[j];
      if (b.y - b.h / 2 >= a.y + a.h / 2) break;
      const xOverlap = Math.abs(a.x - b.x) < (a.w + b.w) / 2;
      if (xOverlap) bad.push(`${a.id} / ${b.id}`);
    }
  }
  return bad;
}

function checkInvariants(l: Layout) {
  // The spine is one column; side-lane nodes lie inside the lane.
  for (const n of l.nodes) {
    if (n.lane === 'spine') {
      expect(n.x, n.id).toBe(0);
      expect(n.x - n.w / 2).toBe(SPINE_LEFT);
    } else {
      expect(n.x - n.w / 2, n.id).toBeGreaterThanOrEqual(LANE_LEFT);
      expect(n.x + n.w / 2, n.id).toBeLessThanOrEqual(LANE_RIGHT);
    }
  }
  expect(overlaps(l)).toEqual([]);
  for (const e of l.edges) {
    if (e.path === 'main') {
      // Main edges run straight down the spine.
      expect(e.points.every(([x]) => x === 0), e.id).toBe(true);
      expect(e.points[1][1]).toBeGreaterThanOrEqual(e.points[0][1]);
    } else {
      // Shortcut edges never cross the spine: every point is at or right of its edge, every vertical run is
      // the lane's centre line, and every horizontal run connects the spine's edge to the lane.
      for (let i = 0; i < e.points.length; i++) {
        const [x, y] = e.points[i];
        expect(x, e.id).toBeGreaterThanOrEqual(SPINE_RIGHT);
        expect(x, e.id).toBeLessThanOrEqual(LANE_RIGHT);
        if (i > 0) {
          const [px, py] = e.points[i - 1];
          if (px === x) expect(x, e.id).toBe(LANE_CENTER);
          else expect(py, e.id).toBe(y);
        }
      }
    }
  }
  for (const n of l.nodes) {
    expect(n.y - n.h / 2).toBeGreaterThanOrEqual(l.bounds.minY);
    expect(n.y + n.h / 2).toBeLessThanOrEqual(l.bounds.maxY);
    expect(n.x + n.w / 2).toBeLessThanOrEqual(l.bounds.maxX);
  }
}

describe('layout', () => {
  test.each(['ResNet50', 'ResNet50V2', 'ResNeXt50', 'resnet18', 'ResNet-20', 'PreAct-ResNet-164', 'plain-ResNet50'])(
    '%s fully expanded: one spine column, no overlaps, shortcuts in the lane, same edges as the graph',
    (name) => {
      const g = expand(getPreset(name));
      const l = full(g);
      checkInvariants(l);
      expect(l.nodes.length).toBe(g.nodes.length);
      const ge = edges(g);
      expect(l.edges.length).toBe(ge.length);
      const key = (e: { from: string; to: string; path: string }) => `${e.from}>${e.to}>${e.path}`;
      expect(new Set(l.edges.map(key))).toEqual(new Set(ge.map(key)));
      // Spine = the main-path nodes, in creation order, top to bottom.
      const spine = l.nodes.filter((n) => n.lane === 'spine').map((n) => n.id);
      expect(spine).toEqual(g.nodes.filter((n) => n.path === 'main').map((n) => n.id));
    },
  );

  test('ResNet50 at block level: 16 blocks, 16 arcs, 4 projections, and 0 for its plain twin', () => {
    const g = expand(getPreset('ResNet50'));
    const l = layout(g, defaultExpansion(g));
    checkInvariants(l);
    expect(l.nodes.filter((n) => n.kind === 'block')).toHaveLength(16);
    expect(l.arcs).toHaveLength(16);
    expect(l.arcs.filter((a) => a.kind === 'projection').map((a) => a.block)).toEqual([
      'conv2_block1',
      'conv3_block1',
      'conv4_block1',
      'conv5_block1',
    ]);
    const p = expand(plainTwin(getPreset('ResNet50')));
    const lp = layout(p, defaultExpansion(p));
    expect(lp.arcs).toHaveLength(0);
    expect(lp.edges.filter((e) => e.path === 'shortcut')).toHaveLength(0);
    expect(lp.nodes.map((n) => n.y)).toEqual(l.nodes.map((n) => n.y));
  });

  test('shortcut kinds: option A zero-pad (CIFAR), V2 1×1 max-pool subsample, projection drawn with its layers', () => {
    const c = expand(getPreset('ResNet-20'));
    const kinds = layout(c, defaultExpansion(c)).arcs.map((a) => a.kind);
    expect(kinds.filter((k) => k === 'zeropad')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'identity')).toHaveLength(7);
    const v2 = expand(getPreset('ResNet50V2'));
    const v2arcs = layout(v2, defaultExpansion(v2)).arcs;
    // V2 projects the pre-activated input (the shortcut starts inside the block): still one arc per block.
    expect(v2arcs).toHaveLength(16);
    expect(v2arcs.filter((a) => a.kind === 'subsample')).toHaveLength(3);
    expect(v2arcs.filter((a) => a.kind === 'projection')).toHaveLength(4);
    const g = expand(getPreset('ResNet50'));
    const l = layout(g, new Set(['conv2', 'conv2_block1']));
    checkInvariants(l);
    const side = l.nodes.filter((n) => n.lane === 'side').map((n) => n.id);
    expect(side).toEqual(['conv2_block1_0_conv', 'conv2_block1_0_bn']);
    const arc = l.arcs.find((a) => a.block === 'conv2_block1')!;
    expect(arc.kind).toBe('projection');
    expect(arc.edgeIds).toHaveLength(3);
    const n = l.nodes.find((x) => x.id === 'conv2_block1_2_conv')!;
    expect(n.outShape).toEqual([56, 56, 64]);
    // The projection's layers sit between the block input and its addition.
    const add = l.nodes.find((x) => x.id === 'conv2_block1_add')!;
    const pool = l.nodes.find((x) => x.id === 'stem')!;
    for (const id of side) {
      const s = l.nodes.find((x) => x.id === id)!;
      expect(s.y).toBeGreaterThan(pool.y);
      expect(s.y).toBeLessThan(add.y);
    }
  });

  test('collapsed: stages are single nodes with block counts and output shapes; ResNet-1202 stays tiny', () => {
    const g = expand(getPreset('ResNet-1202'));
    expect(defaultExpansion(g).size).toBe(0);
    const l = layout(g, defaultExpansion(g));
    expect(l.nodes.map((n) => n.title)).toEqual([
      'input_1',
      'stem',
      'conv2 × 200 blocks',
      'conv3 × 200 blocks',
      'conv4 × 200 blocks',
      'head',
    ]);
    expect(l.nodes.find((n) => n.id === 'conv4')!.outShape).toEqual([8, 8, 64]);
    expect(l.edges).toHaveLength(5);
    expect(l.arcs).toHaveLength(0);
  });

  test('deterministic', () => {
    const g = expand(getPreset('ResNeXt50'));
    const ex = new Set(['conv3', 'conv3_block1', 'head']);
    expect(JSON.stringify(layout(g, ex))).toBe(JSON.stringify(layout(expand(getPreset('ResNeXt50')), new Set(ex))));
  });

  test('ResNet152 fully expanded: 517 layers on one spine', () => {
    const g = expand(getPreset('ResNet152'));
    const l = full(g);
    expect(l.nodes).toHaveLength(517);
    checkInvariants(l);
  });

  test('invariants hold for mixed expansions (deterministic pseudo-random subsets)', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const name of ['ResNet50', 'ResNet50V2', 'ResNet-56', 'resnext50_32x4d']) {
      const g = expand(getPreset(name));
      for (let k = 0; k < 5; k++) {
        const ex = new Set(allGroups(g).filter(() => rand() < 0.5));
        const l = layout(g, ex);
        checkInvariants(l);
        // Every edge joins two drawn nodes, and every arc's edges are shortcut edges of that block.
        const ids = new Set(l.nodes.map((n) => n.id));
        for (const e of l.edges) expect(ids.has(e.from) && ids.has(e.to), e.id).toBe(true);
        const byId = new Map(l.edges.map((e) => [e.id, e]));
        for (const a of l.arcs) for (const id of a.edgeIds) expect(byId.get(id)!.block).toBe(a.block);
      }
    }
  });
});

test('expanded groups get a bracket spanning exactly their drawn members', () => {
  const g = expand(getPreset('ResNet50'));
  const l = layout(g, new Set(['stem', 'conv2', 'conv2_block2']));
  expect(l.bands.map((b) => b.id).sort()).toEqual(['conv2', 'conv2_block2', 'stem']);
  const n = (id: string) => l.nodes.find((x) => x.id === id)!;
  const b = l.bands.find((x) => x.id === 'conv2_block2')!;
  expect(b.y0).toBe(n('conv2_block2_1_conv').y - n('conv2_block2_1_conv').h / 2);
  expect(b.y1).toBe(n('conv2_block2_out').y + n('conv2_block2_out').h / 2);
  const s = l.bands.find((x) => x.id === 'conv2')!;
  expect(s.y0).toBe(n('conv2_block1').y - n('conv2_block1').h / 2);
  expect(s.y1).toBe(n('conv2_block3').y + n('conv2_block3').h / 2);
  expect(s.x).toBeLessThan(b.x);
  expect(l.bounds.minX).toBe(s.x);
});

describe('edge labels: each edge is labelled with the tensor that flows on it', () => {
  /** Expansions that put every kind of edge on screen: collapsed, default, everything, and every other block. */
  function expansions(g: ArchGraph): Set<string>[] {
    const alternate = new Set([...g.stages.map((s) => s.id as string), ...g.blocks.filter((_, i) => i % 2 === 0).map((b) => b.id)]);
    return [new Set(), defaultExpansion(g), new Set(allGroups(g)), alternate];
  }

  const names = [
    ...PRESET_NAMES,
    ...PRESET_NAMES.filter((n) => getPreset(n).residual && !PRESET_NAMES.includes(`plain-${n}`)).map((n) => `plain-${n}`),
  ];
  test.each(names)('%s', (name) => {
    const g = expand(PRESET_NAMES.includes(name) ? getPreset(name) : plainTwin(getPreset(name.slice('plain-'.length))));
    const byId = new Map(g.nodes.map((n) => [n.id, n]));
    const blocks = new Map(g.blocks.map((b) => [b.id, b]));
    for (const ex of expansions(g)) {
      const l = layout(g, ex);
      const drawn = new Map(l.nodes.map((n) => [n.id, n]));
      for (const e of l.edges) {
        const t = byId.get(e.tensor);
        expect(t, e.id).toBeDefined();
        expect(e.shape, e.id).toEqual(t!.outShape);
        const to = drawn.get(e.to)!;
        if (e.path === 'shortcut' && to.kind === 'block') {
          // A collapsed block's arc: the tensor its addition takes as the shortcut (Keras Add()([shortcut, x])).
          const out = byId.get(blocks.get(e.to)!.outputId)!;
          const add = out.op.kind === 'add' ? out : byId.get(out.inputs[0])!;
          expect(add.op.kind).toBe('add');
          expect(e.tensor, e.id).toBe(add.inputs[0]);
        } else {
          // Any other edge carries the output of a layer its source stands for.
          expect(stands(drawn.get(e.from)!.kind, e.from, t!, g.inputId), e.id).toBe(true);
        }
      }
    }
  });

  test('ResNet50: projection arcs carry the projected tensor, identity arcs the block input', () => {
    const g = expand(getPreset('ResNet50'));
    const l = layout(g, defaultExpansion(g));
    const arcLabel = (block: string) => l.edges.find((e) => e.path === 'shortcut' && e.to === block)!;
    expect(arcLabel('conv2_block1').tensor).toBe('conv2_block1_0_bn');
    expect(arcLabel('conv2_block1').shape).toEqual([56, 56, 256]);
    expect(arcLabel('conv3_block1').shape).toEqual([28, 28, 512]);
    expect(arcLabel('conv2_block2').tensor).toBe('conv2_block1_out');
    expect(arcLabel('conv2_block2').shape).toEqual([56, 56, 256]);
    // Option A: the subsampled, zero-padded input; V2: the 1×1 max-pool and the projection of the pre-activation.
    const c = expand(getPreset('ResNet-20'));
    const cl = layout(c, defaultExpansion(c));
    expect(cl.edges.find((e) => e.path === 'shortcut' && e.to === 'conv3_block1')!.shape).toEqual([16, 16, 32]);
    const v2 = expand(getPreset('ResNet50V2'));
    const vl = layout(v2, defaultExpansion(v2));
    expect(vl.edges.find((e) => e.to === 'conv2_block1' && e.path === 'shortcut')!.tensor).toBe('conv2_block1_0_conv');
    expect(vl.edges.find((e) => e.to === 'conv2_block3' && e.path === 'shortcut')!.shape).toEqual([28, 28, 256]);
  });
});

/** Whether layout node `rep` (of kind `kind`) stands for graph node `n`. */
function stands(kind: string, rep: string, n: { id: string; block?: string; section: string }, inputId: string): boolean {
  if (kind === 'layer') return rep === n.id;
  if (kind === 'block') return n.block === rep;
  return n.section === rep && n.id !== inputId;
}
