/**
 * The custom-model form's values ↔ ArchSpec. Pure, so the rules are tested in Node: stage widths follow
 * torchvision/ResNeXt's `groups × width_per_group`, doubling each stage; strides follow the downsampling
 * convention (first block: 1, 2, 2, …; last block as Keras V2: 2, …, 2, 1). Errors name the form field.
 */
import { SpecError } from './errors';
import type { ArchSpec, Pooling } from './spec';
import { validateSpec } from './validate';

export interface SpecFormValues {
  readonly name: string;
  readonly block: ArchSpec['block'];
  readonly activation: ArchSpec['activation'];
  readonly strideAt: ArchSpec['strideAt'];
  readonly downsampleAt: ArchSpec['downsampleAt'];
  readonly shortcut: ArchSpec['shortcut'];
  readonly residual: boolean;
  readonly stem: ArchSpec['stem']['kind'];
  readonly stemWidth: string;
  /** Blocks per stage, comma-separated: `3, 4, 6, 3`. */
  readonly depths: string;
  /** Cardinality C. */
  readonly groups: string;
  /** Width of one group in the first stage (d); stage i has C·d·2^i channels inside its blocks. */
  readonly widthPerGroup: string;
  readonly expansion: string;
  readonly inputH: string;
  readonly inputW: string;
  readonly inputC: string;
  readonly includeTop: boolean;
  readonly pooling: Pooling;
  readonly classes: string;
}

export type FormField = keyof SpecFormValues;

export function formFromSpec(spec: ArchSpec): SpecFormValues {
  return {
    name: spec.family === 'custom' ? spec.name : `custom-${spec.name}`.slice(0, 80),
    block: spec.block,
    activation: spec.activation,
    strideAt: spec.strideAt,
    downsampleAt: spec.downsampleAt,
    shortcut: spec.shortcut,
    residual: spec.residual,
    stem: spec.stem.kind,
    stemWidth: String(spec.stem.width),
    depths: spec.stages.map((s) => s.blocks).join(', '),
    groups: String(spec.groups),
    widthPerGroup: String(spec.stages[0].width / spec.groups),
    expansion: String(spec.expansion),
    inputH: String(spec.input[0]),
    inputW: String(spec.input[1]),
    inputC: String(spec.input[2]),
    includeTop: spec.head.includeTop,
    pooling: spec.head.pooling,
    classes: String(spec.head.classes),
  };
}

export type FormResult =
  | { readonly ok: true; readonly spec: ArchSpec }
  | { readonly ok: false; readonly field: FormField | 'general'; readonly message: string };

function int(field: FormField, label: string, raw: string): number {
  const t = raw.trim();
  if (!/^-?\d+$/.test(t)) throw new FormError(field, `${label}: "${t.slice(0, 20)}" is not a whole number`);
  return Number(t);
}

class FormError extends Error {
  constructor(
    readonly field: FormField,
    message: string,
  ) {
    super(message);
  }
}

/** Which form field a SpecError from validateSpec is about. */
function fieldOf(specField: string): FormField | 'general' {
  if (specField.startsWith('stages') && specField.endsWith('.width')) return 'widthPerGroup';
  if (specField.startsWith('stages')) return 'depths';
  if (specField.startsWith('input')) return specField.includes('channels') ? 'inputC' : specField.includes('width') ? 'inputW' : 'inputH';
  const map: Record<string, FormField> = {
    name: 'name',
    groups: 'groups',
    expansion: 'expansion',
    strideAt: 'strideAt',
    'stem.width': 'stemWidth',
    'head.classes': 'classes',
    'head.pooling': 'pooling',
    block: 'block',
    shortcut: 'shortcut',
  };
  return map[specField] ?? 'general';
}

/** Build (and validate) a spec from form values; the fields the form does not show come from `base`. */
export function specFromForm(v: SpecFormValues, base: ArchSpec): FormResult {
  try {
    const depthParts = v.depths.split(',').map((s) => s.trim());
    if (depthParts.length === 0 || depthParts.some((s) => s === '')) {
      throw new FormError('depths', 'Blocks per stage: give a comma-separated list such as 3, 4, 6, 3');
    }
    if (depthParts.length > 8) throw new FormError('depths', `Blocks per stage: ${depthParts.length} stages; at most 8`);
    const depths = depthParts.map((s, i) => int('depths', `Stage ${i + 1} blocks`, s));
    const groups = int('groups', 'Cardinality', v.groups);
    const d = int('widthPerGroup', 'Width per group', v.widthPerGroup);
    const n = depths.length;
    const strides = depths.map((_, i) =>
      v.downsampleAt === 'first' ? (i === 0 ? 1 : 2) : i === n - 1 ? 1 : 2,
    );
    const spec: ArchSpec = {
      ...base,
      name: v.name.trim(),
      family: 'custom',
      block: v.block,
      activation: v.activation,
      strideAt: v.strideAt,
      downsampleAt: v.downsampleAt,
      shortcut: v.shortcut,
      residual: v.residual,
      groups,
      expansion: int('expansion', 'Expansion', v.expansion),
      stem: { kind: v.stem, width: int('stemWidth', 'Stem width', v.stemWidth) },
      stages: depths.map((blocks, i) => ({ blocks, width: groups * d * 2 ** i, stride: strides[i] })),
      input: [int('inputH', 'Input height', v.inputH), int('inputW', 'Input width', v.inputW), int('inputC', 'Input channels', v.inputC)],
      head: { ...base.head, includeTop: v.includeTop, pooling: v.includeTop ? 'avg' : v.pooling, classes: int('classes', 'Classes', v.classes) },
    };
    validateSpec(spec);
    return { ok: true, spec };
  } catch (e) {
    if (e instanceof FormError) return { ok: false, field: e.field, message: e.message };
    if (e instanceof SpecError) return { ok: false, field: fieldOf(e.field), message: e.message };
    return { ok: false, field: 'general', message: e instanceof Error ? e.message : String(e) };
  }
}
