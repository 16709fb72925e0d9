/** Number formatting shared by the table, the charts and the e2e test that reads them back (d3-format). */
import { format } from 'd3';
import type { Unit } from '../../core/compare';

/** 25557032 → "25,557,032". */
export const formatInt: (n: number) => string = format(',');

const fixed3 = format('.3f');
const fixed1 = format('.1f');

/** MACs or FLOPs for one input: ≥ 10⁹ in G with 3 decimals, else M with 1. */
export function formatOps(macs: number, unit: Unit): string {
  const v = unit === 'flops' ? 2 * macs : macs;
  return v >= 1e9 ? `${fixed3(v / 1e9)} G` : `${fixed1(v / 1e6)} M`;
}

/** Bytes as MB (10⁶), 1 decimal. */
export const formatMB = (bytes: number): string => `${fixed1(bytes / 1e6)} MB`;

/** A fraction as a percentage with 1 decimal: 0.123 → "12.3%". */
export const formatShare: (fraction: number) => string = format('.1%');

/** Short count for chart labels, 3 significant digits with an SI prefix: 25.6M, 270k, 4.09G, 0. */
export const shortCount: (n: number) => string = format('.3~s');

export const UNIT_LABEL: Readonly<Record<Unit, string>> = { macs: 'MACs', flops: 'FLOPs' };

/** The convention, stated wherever the switch is. */
export const UNIT_NOTE =
  'MACs = multiply-accumulates of convolutions and dense layers. The ResNet paper and torchvision call these “FLOPs”; FLOPs here = 2 × MACs.';
