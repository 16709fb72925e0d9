/**
 * The compare view's data, pure: rows for a selection of specs under shared settings (input size, batch, dtype),
 * quick sets, sorting, plain-vs-residual pairs, CSV records, and the selection's URL form.
 */
import { type Analysis, activationBytes, analyze, DTYPE_BYTES, type Dtype, weightBytes } from './analysis';
import { show } from './errors';
import { expand } from './expand';
import type { Section } from './graph';
import { findPreset, PRESETS, type PresetGroup } from './presets';
import { type ArchSpec, plainTwin } from './spec';
import { ignoredFieldsNotice, parseCustomSpec } from './spec-json';

export type Unit = 'macs' | 'flops';

export interface CompareSettings {
  /** Square input side applied to every model; null keeps each model's own (224 ImageNet, 32 CIFAR). */
  readonly input: number | null;
  readonly batch: number;
  readonly dtype: Dtype;
}

export const DEFAULT_SETTINGS: CompareSettings = { input: null, batch: 1, dtype: 'float32' };
export const BATCH_LIMITS = [1, 4096] as const;
export const INPUT_LIMITS = [8, 1024] as const;

export type EntryGroup = PresetGroup | 'Custom';

/** One selected model: a preset (by name) or a custom spec. */
export interface Entry {
  readonly spec: ArchSpec;
  readonly group: EntryGroup;
}

export interface StageCost {
  readonly section: Section;
  readonly params: number;
  readonly macs: number;
  readonly activations: number;
}

export interface RowData {
  readonly depth: number;
  readonly layers: number;
  readonly weightedLayers: number;
  readonly paramsTotal: number;
  readonly paramsTrainable: number;
  readonly paramsNonTrainable: number;
  readonly macs: number;
  readonly flops: number;
  /** Activations kept for a backward pass, for the batch and dtype. */
  readonly activationBytes: number;
  /** All params (BN statistics included) in the dtype. */
  readonly weightBytes: number;
  readonly stages: readonly StageCost[];
}

export type CompareRow =
  | ({ readonly ok: true; readonly name: string; readonly group: EntryGroup; readonly spec: ArchSpec; readonly analysis: Analysis } & RowData)
  | { readonly ok: false; readonly name: string; readonly group: EntryGroup; readonly spec: ArchSpec; readonly error: string };

/** The spec with the shared input side applied (channels kept). */
export function withInput(spec: ArchSpec, side: number | null): ArchSpec {
  if (side === null || (spec.input[0] === side && spec.input[1] === side)) return spec;
  return { ...spec, input: [side, side, spec.input[2]] };
}

export function rowData(a: Analysis, settings: CompareSettings): RowData {
  return {
    depth: a.depth,
    layers: a.layers,
    weightedLayers: a.weightedLayers,
    paramsTotal: a.params.total,
    paramsTrainable: a.params.trainable,
    paramsNonTrainable: a.params.nonTrainable,
    macs: a.macs,
    flops: a.flops,
    activationBytes: activationBytes(a, settings.batch, settings.dtype),
    weightBytes: weightBytes(a, settings.dtype),
    stages: [...a.perSection].map(([section, t]) => ({
      section,
      params: t.params.total,
      macs: t.macs,
      activations: t.activations,
    })),
  };
}

/** One row per entry; a spec the settings make invalid (input too small) gives an error row, not a throw. */
export function compareRows(entries: readonly Entry[], settings: CompareSettings): CompareRow[] {
  return entries.map(({ spec: base, group }) => {
    const spec = withInput(base, settings.input);
    try {
      const analysis = analyze(expand(spec));
      return { ok: true as const, name: base.name, group, spec, analysis, ...rowData(analysis, settings) };
    } catch (e) {
      return { ok: false as const, name: base.name, group, spec, error: e instanceof Error ? e.message : String(e) };
    }
  });
}

export interface QuickSet {
  readonly id: string;
  readonly label: string;
  readonly models: readonly string[];
  readonly why: string;
}

export const QUICK_SETS: readonly QuickSet[] = [
  {
    id: 'depth',
    label: 'ResNet 18→152',
    models: ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152'],
    why: 'The five depths of the paper’s Table 1 (torchvision builds).',
  },
  {
    id: 'v1v2',
    label: 'V1 vs V2',
    models: ['ResNet50', 'ResNet50V2', 'ResNet101', 'ResNet101V2', 'ResNet152', 'ResNet152V2'],
    why: 'Keras post-activation (V1) against pre-activation (V2) at equal depth.',
  },
  {
    id: 'resnext',
    label: 'ResNet-50 vs ResNeXt-50',
    models: ['resnet50', 'resnext50_32x4d', 'ResNet50', 'ResNeXt50'],
    why: 'Grouped 3×3 convolutions (cardinality 32) at about the same cost.',
  },
  {
    id: 'cifar',
    label: 'CIFAR 20→1202',
    models: ['ResNet-20', 'ResNet-32', 'ResNet-44', 'ResNet-56', 'ResNet-110', 'ResNet-1202'],
    why: 'The paper’s Table 6: 6n+2 layers, 16/32/64 filters, option A shortcuts.',
  },
  {
    id: 'plain',
    label: 'plain vs residual',
    models: ['ResNet-20', 'plain-ResNet-20', 'ResNet-56', 'plain-ResNet-56', 'resnet34', 'plain-resnet34', 'resnet50', 'plain-resnet50'],
    why: 'Each network beside its twin without shortcuts: option A costs nothing, B pays for the projections.',
  },
];

export const DEFAULT_MODELS: readonly string[] = QUICK_SETS[0].models;

export function presetEntry(name: string): Entry | undefined {
  const p = PRESETS.find((x) => x.spec.name === name) ?? PRESETS.find((x) => x.spec === findPreset(name));
  return p ? { spec: p.spec, group: p.group } : undefined;
}

// ---------- sorting ----------

export type SortKey =
  | 'name'
  | 'depth'
  | 'paramsTotal'
  | 'paramsTrainable'
  | 'macs'
  | 'activationBytes'
  | 'weightBytes'
  | 'weightedLayers';

export const SORT_KEYS: readonly SortKey[] = [
  'name',
  'depth',
  'weightedLayers',
  'paramsTotal',
  'paramsTrainable',
  'macs',
  'activationBytes',
  'weightBytes',
];

export interface Sort {
  readonly key: SortKey;
  readonly dir: 'asc' | 'desc';
}

/** Stable sort; error rows go last whatever the direction. Sorting by MACs and by FLOPs is the same order. */
export function sortRows(rows: readonly CompareRow[], sort: Sort | null): CompareRow[] {
  if (!sort) return [...rows];
  const sign = sort.dir === 'asc' ? 1 : -1;
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => {
      if (!a.r.ok || !b.r.ok) return a.r.ok === b.r.ok ? a.i - b.i : a.r.ok ? -1 : 1;
      const c =
        sort.key === 'name' ? a.r.name.localeCompare(b.r.name, 'en', { numeric: true }) : (a.r[sort.key] as number) - (b.r[sort.key] as number);
      return c !== 0 ? sign * c : a.i - b.i;
    })
    .map((x) => x.r);
}

// ---------- plain vs residual ----------

export interface ShortcutCost {
  readonly name: string;
  readonly shortcut: ArchSpec['shortcut'];
  readonly residual: RowData;
  readonly plain: RowData;
  /** residual − plain: what the shortcuts (projections, additions) cost. */
  readonly extraParams: number;
  readonly extraMacs: number;
  readonly extraActivations: number;
}

/** For every residual row, its plain twin under the same settings. */
export function shortcutCosts(rows: readonly CompareRow[], settings: CompareSettings): ShortcutCost[] {
  const out: ShortcutCost[] = [];
  for (const r of rows) {
    if (!r.ok || !r.spec.residual) continue;
    const plain = rowData(analyze(expand(plainTwin(r.spec))), settings);
    out.push({
      name: r.name,
      shortcut: r.spec.shortcut,
      residual: r,
      plain,
      extraParams: r.paramsTotal - plain.paramsTotal,
      extraMacs: r.macs - plain.macs,
      extraActivations: r.activationBytes - plain.activationBytes,
    });
  }
  return out;
}

// ---------- CSV ----------

export const CSV_COLUMNS = [
  'model',
  'group',
  'input',
  'depth',
  'weighted_layers',
  'keras_layers',
  'params_total',
  'params_trainable',
  'params_non_trainable',
  'macs',
  'flops',
  'batch',
  'dtype',
  'activation_bytes',
  'weight_bytes',
  'error',
] as const;

export type CsvColumn = (typeof CSV_COLUMNS)[number];
export type CsvRecord = Readonly<Record<CsvColumn, string | number>>;

/**
 * The rows as CSV records with exact integers (no rounding, no thousands separators); the UI writes them with
 * d3-dsv (ui/compare/csv.ts). MACs and FLOPs are both given, FLOPs = 2 × MACs, so the file is unambiguous
 * whichever the view shows. An error row keeps its name, input and settings and says why in `error`.
 */
export function csvRecords(rows: readonly CompareRow[], settings: CompareSettings): CsvRecord[] {
  return rows.map((r) => {
    const base = { model: r.name, group: r.group, input: r.spec.input.join('x'), batch: settings.batch, dtype: settings.dtype };
    return r.ok
      ? {
          ...base,
          depth: r.depth,
          weighted_layers: r.weightedLayers,
          keras_layers: r.layers,
          params_total: r.paramsTotal,
          params_trainable: r.paramsTrainable,
          params_non_trainable: r.paramsNonTrainable,
          macs: r.macs,
          flops: r.flops,
          activation_bytes: r.activationBytes,
          weight_bytes: r.weightBytes,
          error: '',
        }
      : {
          ...base,
          depth: '',
          weighted_layers: '',
          keras_layers: '',
          params_total: '',
          params_trainable: '',
          params_non_trainable: '',
          macs: '',
          flops: '',
          activation_bytes: '',
          weight_bytes: '',
          error: r.error,
        };
  });
}

// ---------- URL state ----------

export interface CompareState {
  /** Preset names, in order. */
  readonly models: readonly string[];
  /** Custom specs (validated). */
  readonly custom: readonly ArchSpec[];
  readonly settings: CompareSettings;
  readonly unit: Unit;
  readonly sort: Sort | null;
}

export const DEFAULT_STATE: CompareState = {
  models: DEFAULT_MODELS,
  custom: [],
  settings: DEFAULT_SETTINGS,
  unit: 'macs',
  sort: null,
};

function intParam(v: string, lo: number, hi: number): number | undefined {
  if (!/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n >= lo && n <= hi ? n : undefined;
}

/**
 * Read the compare state from a query string (`?view=compare&models=resnet18,resnet50&input=160&batch=32&
 * dtype=float16&unit=flops&sort=-macs&custom={json}`). Anything malformed falls back to its default and adds a
 * notice that names the value and what is allowed; the rest of the state is kept.
 */
export function parseCompareQuery(search: string): { state: CompareState; notices: string[] } {
  const q = new URLSearchParams(search);
  const notices: string[] = [];
  let models: string[] = [...DEFAULT_MODELS];
  const rawModels = q.get('models');
  if (rawModels !== null) {
    const names = rawModels.split(',').map((s) => s.trim()).filter(Boolean);
    const found: string[] = [];
    for (const n of names) {
      const e = presetEntry(n);
      if (e) {
        if (!found.includes(e.spec.name)) found.push(e.spec.name);
      } else notices.push(`Unknown model ${show(n)} in the URL was left out.`);
    }
    if (found.length || q.getAll('custom').length) models = found;
    else notices.push('No known model in the URL: showing the default set.');
  }
  const custom: ArchSpec[] = [];
  for (const raw of q.getAll('custom')) {
    const r = parseCustomSpec(raw);
    if (r.ok) {
      custom.push(r.spec);
      const ignored = ignoredFieldsNotice(r.ignored);
      if (ignored) notices.push(ignored);
    } else notices.push(`A custom spec in the URL was left out: ${r.error}.`);
  }
  if (!models.length && !custom.length) models = [...DEFAULT_MODELS];

  let input: number | null = null;
  const rawInput = q.get('input');
  if (rawInput !== null && rawInput !== 'default') {
    const n = intParam(rawInput, INPUT_LIMITS[0], INPUT_LIMITS[1]);
    if (n === undefined) {
      notices.push(`Input size ${show(rawInput)} is not allowed (an integer from ${INPUT_LIMITS[0]} to ${INPUT_LIMITS[1]}, or "default"): using each model’s own.`);
    } else input = n;
  }
  let batch = DEFAULT_SETTINGS.batch;
  const rawBatch = q.get('batch');
  if (rawBatch !== null) {
    const n = intParam(rawBatch, BATCH_LIMITS[0], BATCH_LIMITS[1]);
    if (n === undefined) notices.push(`Batch size ${show(rawBatch)} is not allowed (an integer from ${BATCH_LIMITS[0]} to ${BATCH_LIMITS[1]}): using ${batch}.`);
    else batch = n;
  }
  let dtype: Dtype = DEFAULT_SETTINGS.dtype;
  const rawDtype = q.get('dtype');
  if (rawDtype !== null) {
    if (rawDtype in DTYPE_BYTES) dtype = rawDtype as Dtype;
    else notices.push(`Data type ${show(rawDtype)} is not allowed (${Object.keys(DTYPE_BYTES).join(', ')}): using ${dtype}.`);
  }
  let unit: Unit = 'macs';
  const rawUnit = q.get('unit');
  if (rawUnit !== null) {
    if (rawUnit === 'macs' || rawUnit === 'flops') unit = rawUnit;
    else notices.push(`Unit ${show(rawUnit)} is not allowed (macs, flops): using macs.`);
  }
  let sort: Sort | null = null;
  const rawSort = q.get('sort');
  if (rawSort !== null) {
    const key = rawSort.replace(/^-/, '');
    if ((SORT_KEYS as readonly string[]).includes(key)) sort = { key: key as SortKey, dir: rawSort.startsWith('-') ? 'desc' : 'asc' };
    else notices.push(`Sort ${show(rawSort)} is not allowed (${SORT_KEYS.join(', ')}, with - for descending): unsorted.`);
  }
  return { state: { models, custom, settings: { input, batch, dtype }, unit, sort }, notices };
}

/** The state as query parameters (only what differs from the defaults, plus `view=compare`). */
export function compareQuery(state: CompareState): string {
  const q = new URLSearchParams();
  q.set('view', 'compare');
  q.set('models', state.models.join(','));
  for (const c of state.custom) q.append('custom', JSON.stringify(c));
  if (state.settings.input !== null) q.set('input', String(state.settings.input));
  if (state.settings.batch !== DEFAULT_SETTINGS.batch) q.set('batch', String(state.settings.batch));
  if (state.settings.dtype !== DEFAULT_SETTINGS.dtype) q.set('dtype', state.settings.dtype);
  if (state.unit !== 'macs') q.set('unit', state.unit);
  if (state.sort) q.set('sort', (state.sort.dir === 'desc' ? '-' : '') + state.sort.key);
  return '?' + q.toString();
}

// ---------- custom specs ----------

/** Compare's custom specs (its text box and `?custom=`) go through the one spec parser. */
export { parseCustomSpec } from './spec-json';
