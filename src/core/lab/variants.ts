/**
 * The lab's network variants: CIFAR-style plain/residual pairs at any 6n+2 depth and width, and graph
 * transforms the presets do not express (dropping batch normalisation). Pure: specs and graphs only.
 */
import { nodeIndex, type ArchGraph, type GraphNode } from '../graph';
import { getPreset } from '../presets';
import { type ArchSpec, plainTwin, type ShortcutOption } from '../spec';
import { SpecError } from '../errors';

export interface LabNetOptions {
  /** 6n + 2 (20, 32, 44, 56, 110, …). */
  readonly depth: number;
  readonly residual: boolean;
  /** Stage widths; the paper's CIFAR nets use 16/32/64. */
  readonly widths?: readonly [number, number, number];
  /** Square input side (32 for CIFAR; the degradation experiment uses 16). */
  readonly inputSize?: number;
  readonly classes?: number;
  readonly shortcut?: ShortcutOption;
}

export const LAB_DEPTHS: readonly number[] = [20, 32, 44, 56, 110];

/** A CIFAR ResNet (He et al. 2015 §4.2) or its plain twin, with the lab's knobs. */
export function labSpec(opts: LabNetOptions): ArchSpec {
  const { depth } = opts;
  if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) {
    throw new SpecError('depth', depth, 'allowed: 6n + 2 with n ≥ 1 (20, 32, 44, 56, 110, …)');
  }
  const n = (depth - 2) / 6;
  const widths = opts.widths ?? [16, 32, 64];
  const size = opts.inputSize ?? 32;
  const base = getPreset('ResNet-20');
  const spec: ArchSpec = {
    ...base,
    name: `ResNet-${depth}`,
    family: 'custom',
    shortcut: opts.shortcut ?? 'A',
    stem: { kind: 'cifar', width: widths[0] },
    stages: widths.map((w, i) => ({ blocks: n, width: w, stride: i === 0 ? 1 : 2 })),
    input: [size, size, 3],
    head: { ...base.head, classes: opts.classes ?? base.head.classes },
  };
  return opts.residual ? spec : plainTwin(spec);
}

/**
 * The graph without its BatchNormalization nodes: each consumer of a BN reads the BN's input instead.
 * Names and every other node stay as they are, so per-layer results still join on Keras ids.
 */
export function dropBatchNorm(graph: ArchGraph): ArchGraph {
  const byId = nodeIndex(graph);
  const source = (id: string): string => {
    let cur = id;
    while (byId.get(cur)?.op.kind === 'bn') cur = byId.get(cur)!.inputs[0];
    return cur;
  };
  const nodes: GraphNode[] = graph.nodes
    .filter((n) => n.op.kind !== 'bn')
    .map((n) => ({ ...n, inputs: n.inputs.map(source) }));
  const blocks = graph.blocks.map((b) => ({ ...b, inputId: source(b.inputId), outputId: source(b.outputId) }));
  return { ...graph, name: `${graph.name}-noBN`, nodes, blocks, outputId: source(graph.outputId) };
}
