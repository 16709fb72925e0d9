/** Python literals for generated code. */

export function pyStr(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** A finite number as Python reads it back exactly (JS shortest round-trip form; ints stay ints). */
export function pyNum(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  return String(n);
}

export function pyTuple(xs: readonly (number | string)[]): string {
  const items = xs.map((x) => (typeof x === 'number' ? pyNum(x) : pyStr(x)));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

export function pyList(xs: readonly string[]): string {
  return `[${xs.map(pyStr).join(', ')}]`;
}

/** A Python identifier for a layer name (our names already are; anything else is made one). */
export function pyIdent(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id;
}
