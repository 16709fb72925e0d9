/** Shared helpers for the bench scripts. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function report(name: string, value: number, unit: string, target?: string): void {
  const v = value >= 100 ? value.toFixed(0) : value.toFixed(2);
  console.log(`${name.padEnd(52)} ${v.padStart(9)} ${unit}${target ? `   (target ${target})` : ''}`);
}
