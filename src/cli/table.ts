/** Fixed-width text tables for the terminal. */
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

export const int = (n: number) => n.toLocaleString('en-US');
export const giga = (n: number, digits = 3) => (n / 1e9).toFixed(digits);
export const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
