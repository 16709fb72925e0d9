/** Fixed-width text tables for the terminal; numbers formatted with d3-format. */
import { format } from 'd3';

export type Align = 'left' | 'right';

export function table(headers: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => ((align?.[i] ?? (i === 0 ? 'left' : 'right')) === 'left' ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('──');
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** 25557032 → "25,557,032". */
export const int: (n: number) => string = format(',');
/** Count in units of 10⁹, fixed decimals (no unit: the column header says G). */
export const giga = (n: number, digits = 3): string => format(`.${digits}f`)(n / 1e9);
/** Bytes in MiB (2²⁰), 1 decimal. */
export const mib: (bytes: number) => string = (bytes) => format('.1f')(bytes / 2 ** 20);
