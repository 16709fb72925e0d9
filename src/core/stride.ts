/**
 * Where the stride-2 of a downsampling bottleneck sits, and what it costs, computed once from the graphs. The
 * explore summary, the CLI's notes and the compare view's explanation all quote these figures from here; the
 * published ones come from references.ts with their source and location.
 */
import { analyze } from './analysis';
import { expand } from './expand';
import { getPreset } from './presets';
import { type Citation, published, type ReferenceFigure } from './references';
import type { ArchSpec } from './spec';

export const STRIDE_DEPTHS = [50, 101, 152] as const;
export type StrideDepth = (typeof STRIDE_DEPTHS)[number];

export interface StridePair {
  readonly depth: StrideDepth;
  /** MACs of Keras V1 ResNet{depth}: stride on the first 1×1 (as in the paper and Caffe). */
  readonly first1x1: number;
  /** MACs of torchvision resnet{depth} ("ResNet v1.5"): stride on the 3×3. */
  readonly on3x3: number;
  /** He et al. 2015, Table 1. */
  readonly paper: ReferenceFigure;
  /** torchvision weights meta, `_ops`. */
  readonly torchvision: ReferenceFigure;
}

let pairs: readonly StridePair[] | undefined;

/** ResNet-50/101/152 with the stride on either conv, with the published figures for each (computed once). */
export function stridePairs(): readonly StridePair[] {
  pairs ??= STRIDE_DEPTHS.map((depth) => ({
    depth,
    first1x1: analyze(expand(getPreset(`ResNet${depth}`))).macs,
    on3x3: analyze(expand(getPreset(`resnet${depth}`))).macs,
    paper: published('he2015', `ResNet${depth}`, 'macs'),
    torchvision: published('torchvision', `resnet${depth}`, 'macs'),
  }));
  return pairs;
}

/** MACs of the same spec with the stride on the other conv of its bottlenecks; null for basic blocks or an invalid result. */
export function otherStrideMacs(spec: ArchSpec): number | null {
  if (spec.block !== 'bottleneck') return null;
  try {
    return analyze(expand({ ...spec, strideAt: spec.strideAt === 'first1x1' ? '3x3' : 'first1x1' })).macs;
  } catch {
    return null;
  }
}

/** Multiply-accumulates in G with 2 decimals, as the notes print them. */
export const gmacs = (macs: number): string => (macs / 1e9).toFixed(2);

/** A published figure in units of 10⁹, as printed (3.8, 4.089). */
const printed = (r: ReferenceFigure): string => String(Number((r.value / 1e9).toPrecision(6)));

export interface StrideNote {
  readonly text: string;
  /** Where the quoted figures are printed. */
  readonly cites: readonly Citation[];
}

/** Why the paper and torchvision disagree on ResNet-50/101/152, with our figures and theirs. */
export function strideNote(): StrideNote {
  const p = stridePairs();
  const list = (f: (x: StridePair) => string) => p.map(f).join(' / ');
  return {
    text:
      `ResNet-50/101/152 built here: ${list((x) => gmacs(x.first1x1))} GMACs with the stride on the first 1×1, ` +
      `${list((x) => gmacs(x.on3x3))} with it on the 3×3 — why He et al. 2015 prints ${list((x) => printed(x.paper))} ` +
      `×10⁹ multiply-adds and torchvision ${list((x) => printed(x.torchvision))} GFLOPS (both count multiply-adds).`,
    cites: [p[0].paper, ...p.map((x) => x.torchvision)].map(({ source, where }) => ({ source, where })),
  };
}
