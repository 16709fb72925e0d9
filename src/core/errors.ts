/**
 * Typed errors raised at the boundary (specs, CLI flags, URLs, files). Each names the field, the value
 * received and what is allowed, like tfjs-layers' ValueError.
 */
export class SpecError extends Error {
  override readonly name = 'SpecError';
  constructor(
    /** Dotted path of the offending field, e.g. `stages[2].width`. */
    readonly field: string,
    readonly received: unknown,
    readonly allowed: string,
  ) {
    super(`Invalid ${field}: received ${show(received)}; ${allowed}.`);
  }
}

export class UnknownModelError extends Error {
  override readonly name = 'UnknownModelError';
  constructor(
    readonly received: string,
    readonly known: readonly string[],
  ) {
    const near = known.filter((k) => k.toLowerCase().includes(received.toLowerCase().replace(/[-_\s]/g, '').slice(0, 6)));
    super(
      `Unknown model ${show(received)}. ` +
        (near.length ? `Did you mean ${near.slice(0, 5).join(', ')}? ` : '') +
        `Run \`resnet-explorer list\` for all ${known.length} models.`,
    );
  }
}

export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? value.slice(0, 77) + '...' : value);
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (value === undefined) return 'undefined';
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 80 ? s.slice(0, 77) + '...' : s;
  } catch {
    return String(value);
  }
}
