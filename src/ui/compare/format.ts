/** Number formatting shared by the table, the charts and the e2e test that reads them back. */
import type { Unit } from '../../core/compare';

const INT = new Intl.NumberFormat('en-US');

export const formatInt = (n: number): string => INT.format(n);

/** MACs or FLOPs for one input: ≥ 10⁹ in G with 3 decimals, else M with 1. */
export function formatOps(macs: number, unit: Unit): string {
  const v = unit === 'flops' ? 2 * macs : macs;
  return v >= 1e9 ? `${(v / 1e9).toFixed(3)} G` : `${(v / 1e6).toFixed(1)} M`;
}

/** Bytes as MB (10⁶), 1 decimal. */
export const formatMB = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** Short count for chart labels: 25.6M, 270K, 4.09G. */
export function shortCount(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(a >= 1e8 ? 0 : 1)}M`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(0)}K`;
  return String(n);
}

export const UNIT_LABEL: Readonly<Record<Unit, string>> = { macs: 'MACs', flops: 'FLOPs' };

/** The convention, stated wherever the switch is. */
export const UNIT_NOTE =
  'MACs = multiply-accumulates of convolutions and dense layers. The ResNet paper and torchvision call these “FLOPs”; FLOPs here = 2 × MACs.';
