/**
 * The one parser of a custom ArchSpec typed or linked as JSON (the explorer's `?spec=`, Compare's `?custom=` and
 * its text box). The text comes from a stranger: it is bounded in size, parsed, copied field by field (only the
 * fields an ArchSpec has, so no prototype tricks or stray data survive), then validated and expanded. Unknown
 * fields are dropped and named in `ignored`, so a caller can say so and an older or newer link still opens.
 */
import { show } from './errors';
import { expand } from './expand';
import type { ArchSpec, HeadSpec, HiddenDense, StageSpec } from './spec';
import { validateSpec } from './validate';

/** Longer text is refused outright: a whole custom spec is ~600 characters of JSON, ~1,200 pretty-printed. */
export const MAX_SPEC_CHARS = 4000;

export type SpecParse =
  | { readonly ok: true; readonly spec: ArchSpec; readonly ignored: readonly string[] }
  | { readonly ok: false; readonly error: string };

const TOP = [
  'name',
  'family',
  'block',
  'activation',
  'strideAt',
  'downsampleAt',
  'shortcut',
  'residual',
  'groups',
  'expansion',
  'convBias',
  'pad3x3',
  'bnEpsilon',
  'stem',
  'stages',
  'input',
  'head',
  'preprocessing',
] as const satisfies readonly (keyof ArchSpec)[];
const STEM = ['kind', 'width'] as const satisfies readonly (keyof ArchSpec['stem'])[];
const STAGE = ['blocks', 'width', 'stride'] as const satisfies readonly (keyof StageSpec)[];
const HEAD = ['includeTop', 'pooling', 'classes', 'classifierActivation', 'classifierName', 'hidden', 'dropout'] as const satisfies readonly (keyof HeadSpec)[];
const HIDDEN = ['units', 'activation'] as const satisfies readonly (keyof HiddenDense)[];
// Every field of the types is listed (a field added to ArchSpec and not here fails to compile).
type Exhaustive<T, L> = [Exclude<keyof T, L>] extends [never] ? true : never;
const _checked: [
  Exhaustive<ArchSpec, (typeof TOP)[number]>,
  Exhaustive<StageSpec, (typeof STAGE)[number]>,
  Exhaustive<HeadSpec, (typeof HEAD)[number]>,
  Exhaustive<HiddenDense, (typeof HIDDEN)[number]>,
] = [true, true, true, true];
void _checked;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Copy `keys` of `o` into a fresh object; every other own key is recorded in `ignored` with its path. */
function pick(o: Obj, keys: readonly string[], at: string, ignored: string[]): Obj {
  const out: Obj = {};
  for (const k of keys) if (Object.hasOwn(o, k)) out[k] = o[k];
  for (const k of Object.keys(o)) if (!keys.includes(k)) ignored.push(at + k);
  return out;
}

/** JSON text → a validated ArchSpec with only known fields, or an error naming what is wrong (no final period). */
export function parseCustomSpec(text: string): SpecParse {
  if (text.length > MAX_SPEC_CHARS) {
    return { ok: false, error: `the spec is ${text.length} characters long; at most ${MAX_SPEC_CHARS} are allowed` };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!isObj(data)) return { ok: false, error: `expected a JSON object (an ArchSpec), received ${show(data)}` };
  const ignored: string[] = [];
  const spec = pick(data, TOP, '', ignored);
  if (isObj(spec.stem)) spec.stem = pick(spec.stem, STEM, 'stem.', ignored);
  if (isObj(spec.head)) {
    const head = pick(spec.head, HEAD, 'head.', ignored);
    if (isObj(head.hidden)) head.hidden = pick(head.hidden, HIDDEN, 'head.hidden.', ignored);
    spec.head = head;
  }
  if (Array.isArray(spec.stages)) spec.stages = spec.stages.map((s, i) => (isObj(s) ? pick(s, STAGE, `stages[${i}].`, ignored) : s));
  if (Array.isArray(spec.input)) spec.input = [...spec.input];
  try {
    validateSpec(spec as unknown as ArchSpec);
    expand(spec as unknown as ArchSpec); // shape arithmetic can still fail (a feature map shrinking below 1×1)
  } catch (e) {
    return { ok: false, error: (e instanceof Error ? e.message : String(e)).replace(/\.$/, '') };
  }
  return { ok: true, spec: spec as unknown as ArchSpec, ignored };
}

/** One sentence naming the dropped fields, or undefined when none were. */
export function ignoredFieldsNotice(ignored: readonly string[]): string | undefined {
  if (ignored.length === 0) return undefined;
  const list = ignored.slice(0, 5).map(show).join(', ') + (ignored.length > 5 ? `, and ${ignored.length - 5} more` : '');
  return `Ignored unknown field${ignored.length === 1 ? '' : 's'} of the custom spec: ${list}.`;
}
