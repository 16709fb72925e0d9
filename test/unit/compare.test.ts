import { csvParse } from 'd3';
import { describe, expect, test } from 'vitest';
import { analyze, expand, getPreset, plainTwin } from '../../src/core';
import {
  type CompareState,
  compareQuery,
  compareRows,
  CSV_COLUMNS,
  DEFAULT_MODELS,
  DEFAULT_SETTINGS,
  type Entry,
  parseCompareQuery,
  parseCustomSpec,
  presetEntry,
  QUICK_SETS,
  shortcutCosts,
  sortRows,
} from '../../src/core/compare';
import { published } from '../../src/core/references';
import { toCsv } from '../../src/ui/compare/csv';

const entries = (names: readonly string[]): Entry[] => names.map((n) => presetEntry(n)!);
const quick = (id: string) => QUICK_SETS.find((q) => q.id === id)!.models;

describe('compare rows', () => {
  test('ResNet 18→152 rows carry torchvision’s published params and GMACs', () => {
    const rows = compareRows(entries(quick('depth')), DEFAULT_SETTINGS);
    expect(rows.map((r) => r.name)).toEqual(['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152']);
    for (const r of rows) {
      if (!r.ok) throw new Error(r.error);
      expect(r.paramsTrainable).toBe(published('torchvision', r.name, 'paramsTrainable').value);
      const macs = published('torchvision', r.name, 'macs');
      expect(Math.abs(r.macs - macs.value)).toBeLessThan(macs.precision);
      expect(r.flops).toBe(2 * r.macs);
      expect(r.depth).toBe(Number(r.name.slice(6)));
      const sum = r.stages.reduce((s, x) => s + x.params, 0);
      expect(sum).toBe(r.paramsTotal);
      expect(r.stages.reduce((s, x) => s + x.macs, 0)).toBe(r.macs);
    }
  });

  test('memory scales with batch and dtype; weights with dtype only', () => {
    const [a] = compareRows(entries(['resnet50']), DEFAULT_SETTINGS);
    const [b] = compareRows(entries(['resnet50']), { input: null, batch: 32, dtype: 'float16' });
    if (!a.ok || !b.ok) throw new Error('rows failed');
    expect(b.activationBytes).toBe(a.activationBytes * 16);
    expect(a.activationBytes).toBe(analyze(expand(getPreset('resnet50'))).activations * 4);
    expect(a.weightBytes).toBe(25_610_152 * 4);
    expect(b.weightBytes).toBe(25_610_152 * 2);
  });

  test('the shared input size changes MACs but not params; too small gives an error row, not a throw', () => {
    const [r160] = compareRows(entries(['resnet50']), { ...DEFAULT_SETTINGS, input: 160 });
    const [r224] = compareRows(entries(['resnet50']), DEFAULT_SETTINGS);
    if (!r160.ok || !r224.ok) throw new Error('rows failed');
    expect(r160.paramsTotal).toBe(r224.paramsTotal);
    expect(r160.macs).toBeLessThan(r224.macs);
    expect(r160.spec.input).toEqual([160, 160, 3]);
    const rows = compareRows(entries(['resnet50', 'ResNet-20']), { ...DEFAULT_SETTINGS, input: 16 });
    expect(rows[0].ok).toBe(false);
    if (!rows[0].ok) expect(rows[0].error).toMatch(/input height.*16.*32/);
    expect(rows[1].ok).toBe(true);
  });

  test('sorting: numeric both ways, stable, error rows last', () => {
    const rows = compareRows(entries(['resnet50', 'resnet18', 'ResNet-20', 'resnet152']), { ...DEFAULT_SETTINGS, input: 16 });
    expect(sortRows(rows, { key: 'macs', dir: 'asc' }).map((r) => r.name)).toEqual(['ResNet-20', 'resnet50', 'resnet18', 'resnet152']);
    const ok = compareRows(entries(['resnet50', 'resnet18', 'ResNet-20', 'resnet152']), DEFAULT_SETTINGS);
    expect(sortRows(ok, { key: 'macs', dir: 'desc' }).map((r) => r.name)).toEqual(['resnet152', 'resnet50', 'resnet18', 'ResNet-20']);
    expect(sortRows(ok, { key: 'name', dir: 'asc' }).map((r) => r.name)).toEqual(['ResNet-20', 'resnet18', 'resnet50', 'resnet152']);
    expect(sortRows(ok, null).map((r) => r.name)).toEqual(['resnet50', 'resnet18', 'ResNet-20', 'resnet152']);
  });

  test('every quick set resolves to presets', () => {
    for (const q of QUICK_SETS) for (const m of q.models) expect(presetEntry(m)?.spec.name, m).toBe(m);
  });
});

describe('plain vs residual', () => {
  test('option A costs no params or MACs; option B pays exactly its projection nodes', () => {
    const costs = shortcutCosts(compareRows(entries(['ResNet-20', 'resnet50', 'plain-resnet18']), DEFAULT_SETTINGS), DEFAULT_SETTINGS);
    expect(costs.map((c) => c.name)).toEqual(['ResNet-20', 'resnet50']);
    const [a, b] = costs;
    expect(a.extraParams).toBe(0);
    expect(a.extraMacs).toBe(0);
    expect(a.extraActivations).toBeGreaterThan(0);
    const g = expand(getPreset('resnet50'));
    const an = analyze(g);
    const proj = g.nodes.filter((n) => n.path === 'shortcut').reduce((s, n) => s + an.perNode.get(n.id)!.params.total, 0);
    // 4 projections: 1×1 convs 64→256, 256→512, 512→1024, 1024→2048 with BN (4 per channel).
    expect(proj).toBe(64 * 256 + 256 * 512 + 512 * 1024 + 1024 * 2048 + 4 * (256 + 512 + 1024 + 2048));
    expect(b.extraParams).toBe(proj);
    expect(b.plain.paramsTotal).toBe(analyze(expand(plainTwin(getPreset('resnet50')))).params.total);
  });
});

describe('CSV', () => {
  test('round-trips exact integers, quotes commas and quotes', () => {
    const custom: Entry = { spec: { ...getPreset('ResNet-20'), name: 'my "net", small', family: 'custom' }, group: 'Custom' };
    const settings = { input: null, batch: 8, dtype: 'float16' as const };
    const rows = compareRows([...entries(['resnet18', 'resnet50']), custom], settings);
    const csv = toCsv(rows, settings);
    expect(csv.split('\n')[0]).toBe(CSV_COLUMNS.join(','));
    const recs = csvParse(csv);
    expect(recs).toHaveLength(3);
    expect(recs[0].model).toBe('resnet18');
    expect(Number(recs[1].params_trainable)).toBe(analyze(expand(getPreset('resnet50'))).params.trainable);
    expect(Number(recs[1].flops)).toBe(2 * Number(recs[1].macs));
    expect(csv).toContain('"my ""net"", small"');
    expect(recs[2].model).toBe('my "net", small');
    expect(Number(recs[2].params_trainable)).toBe(analyze(expand(getPreset('ResNet-20'))).params.trainable);
    expect(recs[2].batch).toBe('8');
    expect(recs[2].dtype).toBe('float16');
    expect(recs[0].input).toBe('224x224x3');
  });

  test('an error row keeps its name and settings, leaves the figures empty and says why', () => {
    const settings = { input: 16, batch: 1, dtype: 'float32' as const };
    const [rec] = csvParse(toCsv(compareRows(entries(['resnet50']), settings), settings));
    expect(rec.model).toBe('resnet50');
    expect(rec.input).toBe('16x16x3');
    expect(rec.params_total).toBe('');
    expect(rec.error).toMatch(/input height.*16.*32/);
  });
});

describe('URL state', () => {
  test('round-trips a full state', () => {
    const state: CompareState = {
      models: ['resnet18', 'ResNet-56'],
      custom: [{ ...getPreset('ResNet-20'), name: 'mine', family: 'custom' }],
      settings: { input: 160, batch: 32, dtype: 'float16' },
      unit: 'flops',
      sort: { key: 'macs', dir: 'desc' },
    };
    const q = compareQuery(state);
    expect(q).toContain('view=compare');
    const { state: back, notices } = parseCompareQuery(q);
    expect(notices).toEqual([]);
    expect(back).toEqual(state);
  });

  test('malformed values fall back to defaults with a notice each; good values survive', () => {
    const { state, notices } = parseCompareQuery('?models=resnet18,nope,resnet-56&input=abc&batch=0&dtype=bf16&unit=gflops&sort=size&custom={bad');
    expect(state.models).toEqual(['resnet18', 'ResNet-56']);
    expect(state.settings).toEqual(DEFAULT_SETTINGS);
    expect(state.unit).toBe('macs');
    expect(state.sort).toBeNull();
    expect(state.custom).toEqual([]);
    expect(notices).toHaveLength(7);
    expect(notices[0]).toContain('"nope"');
    expect(notices.join(' ')).toMatch(/Batch size "0"/);
  });

  test('no known model → the default set', () => {
    const { state, notices } = parseCompareQuery('?models=zzz');
    expect(state.models).toEqual(DEFAULT_MODELS);
    expect(notices.length).toBe(2);
    expect(parseCompareQuery('').state.models).toEqual(DEFAULT_MODELS);
  });
});

describe('custom specs', () => {
  test('invalid JSON, a non-object and a bad field are reported; a valid spec passes', () => {
    expect(parseCustomSpec('{').ok).toBe(false);
    const arr = parseCustomSpec('[1]');
    expect(!arr.ok && arr.error).toMatch(/JSON object/);
    const bad = parseCustomSpec(JSON.stringify({ ...getPreset('resnet18'), block: 'triple' }));
    expect(!bad.ok && bad.error).toMatch(/Invalid block: received "triple"; allowed: 'basic', 'bottleneck'/);
    const ok = parseCustomSpec(JSON.stringify({ ...getPreset('resnet18'), name: 'r18-wide', stem: { kind: 'imagenet', width: 96 } }));
    expect(ok.ok).toBe(true);
  });
});
