import { describe, expect, test } from 'vitest';
import { analyze, expand, findPreset, getPreset } from '../../src/core';
import { explanationFor } from '../../src/core/explain';
import { KERAS_GOLDEN } from '../../src/core/presets.golden';
import {
  agreement,
  COMPUTABLE,
  lastDigit,
  MissingReferenceError,
  printedUnit,
  published,
  type ReferenceFigure,
  REFERENCES,
  referencesFor,
  SOURCES,
} from '../../src/core/references';

const ours = (name: string) => {
  const a = analyze(expand(getPreset(name)));
  return { paramsTotal: a.params.total, paramsTrainable: a.params.trainable, macs: a.macs };
};

describe('published reference figures', () => {
  test('every figure names a source we list, a place in it, and, when it has one, a preset that exists', () => {
    for (const r of REFERENCES) {
      expect(SOURCES[r.source], r.model).toBeDefined();
      expect(SOURCES[r.source].url, r.source).toMatch(/^https:\/\//);
      // A table, section, equation, README table or library field: never just the source's name.
      expect(r.where, `${r.source} ${r.model}`).toMatch(/Table \d|§\d|Eq\. \d|table|meta, \w|model\.summary\(\)/);
      if (r.preset) expect(findPreset(r.preset)?.name, r.preset).toBe(r.preset);
      // The printed figure is the value, to its printed precision.
      if (r.precision > 0) expect(r.precision / printedUnit(r.shown), r.shown).toBeGreaterThanOrEqual(0.999);
    }
  });

  test('each figure is listed once per preset, and none appears in presets.golden.ts as well', () => {
    const keys = REFERENCES.map((r) => `${r.source}|${r.model}|${r.metric}|${r.preset ?? '-'}`);
    expect(keys.length - new Set(keys).size).toBe(0);
    const golden = Object.entries(KERAS_GOLDEN).flatMap(([preset, g]) => Object.values(g).map((v) => ({ preset, v: v as number })));
    expect(golden.length).toBeGreaterThanOrEqual(15);
    const twice = golden.filter(({ v }) => REFERENCES.some((r) => r.value === v));
    expect(twice).toEqual([]);
  });

  test('published() finds exactly one figure, or says what it looked for', () => {
    expect(published('torchvision', 'resnet50', 'paramsTrainable').shown).toBe('25,557,032');
    expect(() => published('torchvision', 'ResNet50', 'macs')).toThrow(MissingReferenceError);
    expect(() => published('torchvision', 'ResNet50', 'macs')).toThrow(/ResNet50.*torchvision.*kerasApps|ResNet50.*he2015/);
  });

  test('every computable figure agrees with ours or has an explanation', () => {
    const unexplained: string[] = [];
    let agrees = 0;
    for (const r of REFERENCES) {
      if (!r.preset || !COMPUTABLE.has(r.metric)) continue;
      const o = ours(r.preset);
      const ag = agreement(r, o);
      if (ag.kind === 'agrees') agrees++;
      else if (!explanationFor(r, getPreset(r.preset), o)) unexplained.push(`${r.preset} ${r.metric} ${r.shown} (${r.source})`);
    }
    expect(unexplained).toEqual([]);
    expect(agrees).toBeGreaterThan(40);
  });

  test('exact Keras summaries and torchvision num_params equal our counts exactly', () => {
    const exact = REFERENCES.filter((r) => r.precision === 0 && r.preset && COMPUTABLE.has(r.metric));
    expect(exact.length).toBeGreaterThanOrEqual(20);
    for (const r of exact) {
      const o = ours(r.preset!);
      expect(o[r.metric as 'paramsTotal' | 'paramsTrainable'], `${r.preset} ${r.metric}`).toBe(r.value);
    }
  });

  test('paper Table 1 agrees with the stride-on-1×1 build and not with torchvision’s v1.5', () => {
    const t1 = (preset: string) => REFERENCES.find((r) => r.source === 'he2015' && r.metric === 'macs' && r.preset === preset)!;
    expect(agreement(t1('ResNet50'), ours('ResNet50')).kind).toBe('agrees');
    expect(agreement(t1('ResNet152'), ours('ResNet152')).kind).toBe('agrees');
    expect(agreement(t1('resnet18'), ours('resnet18')).kind).toBe('agrees');
    const tv = agreement(t1('resnet50'), ours('resnet50'));
    expect(tv.kind).toBe('differs');
    expect(explanationFor(t1('resnet50'), getPreset('resnet50'), ours('resnet50'))).toBe('stride');
  });

  test('agreement uses one unit of the last printed digit; exact figures must be equal', () => {
    const rounded: ReferenceFigure = { model: 'x', metric: 'macs', value: 3.8e9, shown: '3.8', precision: 0.1e9, source: 'he2015', where: 'T' };
    const o = { paramsTotal: 0, paramsTrainable: 0, macs: 3.899e9 };
    expect(agreement(rounded, o).kind).toBe('agrees');
    expect(agreement(rounded, { ...o, macs: 3.9e9 }).kind).toBe('differs');
    expect(agreement(rounded, { ...o, macs: 3.7e9 + 1 }).kind).toBe('agrees');
    const exact: ReferenceFigure = { ...rounded, metric: 'paramsTotal', value: 100, precision: 0 };
    expect(agreement(exact, { ...o, paramsTotal: 101 }).kind).toBe('differs');
    expect(agreement(exact, { ...o, paramsTotal: 100 })).toEqual({ kind: 'agrees', ours: 100, diff: 0 });
    expect(agreement({ ...rounded, metric: 'top1Acc' }, o).kind).toBe('context');
    expect(lastDigit(4.089)).toBeCloseTo(0.001, 12);
    expect(lastDigit(4.23)).toBeCloseTo(0.01, 12);
    expect(lastDigit(11)).toBe(1);
    const rx = REFERENCES.find((r) => r.source === 'torchvision' && r.preset === 'resnext50_32x4d' && r.metric === 'macs')!;
    expect(rx.precision).toBeCloseTo(0.01e9, 0);
  });

  test('the headline figures of the issue are present with their sources', () => {
    const t1 = REFERENCES.filter((r) => r.source === 'he2015' && r.metric === 'macs').map((r) => `${r.model}=${r.value / 1e9}`);
    for (const s of ['18-layer=1.8', '34-layer=3.6', '50-layer=3.8', '101-layer=7.6', '152-layer=11.3', 'VGG-16=15.3', 'VGG-19=19.6']) {
      expect(t1).toContain(s);
    }
    const cifarErr = REFERENCES.filter((r) => r.metric === 'cifar10Err' && r.source === 'he2015').map((r) => r.value);
    expect(cifarErr).toEqual([8.75, 7.51, 7.17, 6.97, 6.43, 7.93]);
    expect(referencesFor('resnext50_32x4d').some((r) => r.source === 'xie2017' && r.metric === 'top1Err' && r.value === 22.2)).toBe(true);
    expect(referencesFor('resnet50').find((r) => r.source === 'torchvision' && r.metric === 'macs')?.value).toBeCloseTo(4.089e9, -3);
    // akamaster's README, "Test err(this impl.)": 8.27 % and 6.61 % (not 91.78 / 93.62 % accuracy).
    expect(['ResNet-20', 'ResNet-56'].map((p) => published('akamaster', p, 'cifar10Err').shown)).toEqual(['8.27', '6.61']);
  });
});
