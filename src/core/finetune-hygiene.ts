/**
 * Data hygiene for a fine-tuning set (pure; no tfjs): identical files, tiny and unbalanced classes.
 *
 * Identical files are found by content: a 64-bit FNV-1a hash of the bytes (Fowler–Noll–Vo, the FNV-1a variant
 * with the published 64-bit offset basis and prime, http://www.isthe.com/chongo/tech/comp/fnv/). Not
 * cryptographic: two different files colliding is possible in principle (≈ n²/2⁶⁵ for n files) and harmless
 * here (they would only be kept on the same side of the split). The split keeps equal hashes of one class on
 * the same side (see `splitIndices` in src/tf/finetune.ts), so a validation image is never also a training image.
 *
 * Warning rules (stated so the UI and the CLI say the same):
 * - a class with fewer than MIN_IMAGES_PER_CLASS (5) images is "tiny": too few to learn or validate reliably;
 * - the set is "unbalanced" when its largest class has at least UNBALANCED_RATIO (3) times the images of its
 *   smallest: accuracy then mostly reflects the big class (look at per-class recall).
 */

export const MIN_IMAGES_PER_CLASS = 5;
export const UNBALANCED_RATIO = 3;

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** FNV-1a, 64-bit, as 16 lower-case hex digits. FNV-1a of "" is cbf29ce484222325, of "a" af63dc4c8601ec8c. */
export function fnv1a64(bytes: Uint8Array): string {
  // Two 32-bit halves with Math.imul would be faster; BigInt keeps the published constants readable and
  // hashes ≈ 30 MB/s here, well below decoding's cost.
  let h = FNV64_OFFSET;
  for (let i = 0; i < bytes.length; i++) {
    h ^= BigInt(bytes[i]);
    h = (h * FNV64_PRIME) & MASK64;
  }
  return h.toString(16).padStart(16, '0');
}

export interface HygieneItem {
  readonly name: string;
  readonly label: number;
  /** Content hash (fnv1a64 of the file's bytes); items without one are not checked for duplicates. */
  readonly key?: string;
}

export interface DuplicateGroup {
  readonly key: string;
  /** Names of the identical files, in input order. */
  readonly names: readonly string[];
  /** Their class indices (more than one distinct value: the same picture is labelled two ways). */
  readonly labels: readonly number[];
  /** Where each copy went, when a split is given. */
  readonly sides?: readonly ('train' | 'val')[];
}

export interface HygieneReport {
  readonly duplicates: readonly DuplicateGroup[];
  /** Human-readable warnings, one sentence each. */
  readonly warnings: readonly string[];
}

/** Groups of ≥ 2 items with the same key, in order of first appearance. */
export function findDuplicates(items: readonly HygieneItem[], isVal?: (index: number) => boolean): DuplicateGroup[] {
  const groups = new Map<string, number[]>();
  items.forEach((it, i) => {
    if (it.key === undefined) return;
    const g = groups.get(it.key);
    if (g) g.push(i);
    else groups.set(it.key, [i]);
  });
  return [...groups]
    .filter(([, g]) => g.length > 1)
    .map(([key, g]) => ({
      key,
      names: g.map((i) => items[i].name),
      labels: g.map((i) => items[i].label),
      ...(isVal ? { sides: g.map((i) => (isVal(i) ? ('val' as const) : ('train' as const))) } : {}),
    }));
}

/** Tiny-class and imbalance warnings from per-class image counts. */
export function classWarnings(classNames: readonly string[], counts: readonly number[]): string[] {
  const out: string[] = [];
  const tiny = classNames.map((c, i) => [c, counts[i] ?? 0] as const).filter(([, n]) => n < MIN_IMAGES_PER_CLASS);
  if (tiny.length) {
    out.push(
      `fewer than ${MIN_IMAGES_PER_CLASS} images in ${tiny.map(([c, n]) => `"${c}" (${n})`).join(', ')}: too few to learn or to validate reliably.`,
    );
  }
  const nonEmpty = counts.filter((n) => n > 0);
  if (nonEmpty.length >= 2) {
    const max = Math.max(...nonEmpty);
    const min = Math.min(...nonEmpty);
    if (max >= UNBALANCED_RATIO * min) {
      const big = classNames[counts.indexOf(max)];
      const small = classNames[counts.indexOf(min)];
      out.push(
        `unbalanced classes: "${big}" has ${max} images, "${small}" ${min} (≥ ${UNBALANCED_RATIO}×); accuracy mostly reflects the larger classes, see per-class recall.`,
      );
    }
  }
  return out;
}

/** Duplicates (with the side of each copy when `isVal` is given) and the class warnings, in one report. */
export function hygieneReport(classNames: readonly string[], items: readonly HygieneItem[], isVal?: (index: number) => boolean): HygieneReport {
  const duplicates = findDuplicates(items, isVal);
  const counts = classNames.map((_, c) => items.filter((it) => it.label === c).length);
  const warnings = classWarnings(classNames, counts);
  for (const d of duplicates) {
    const classes = [...new Set(d.labels)];
    if (classes.length > 1) {
      warnings.push(`the same file is in ${classes.map((c) => `"${classNames[c]}"`).join(' and ')}: ${d.names.join(', ')}.`);
    } else {
      const where = d.sides && new Set(d.sides).size > 1 ? ' — split across training and validation!' : d.sides ? ` (kept together in ${d.sides[0] === 'val' ? 'validation' : 'training'})` : '';
      warnings.push(`identical files in "${classNames[classes[0]]}": ${d.names.join(', ')}${where}.`);
    }
  }
  return { duplicates, warnings };
}
