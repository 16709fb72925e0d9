import { describe, expect, test } from 'vitest';
import { analyze, expand, getPreset, plainTwin } from '../../src/core';
import {
  explainBnAffine,
  explainBnStats,
  explainConvBias,
  explainGconv,
  explainShortcutAB,
  explainStride,
  explanations,
  stepsTotal,
  strideShiftSteps,
} from '../../src/core/explain';
import { agreement, published } from '../../src/core/references';
import { strideNote, stridePairs } from '../../src/core/stride';

const figure = (source: Parameters<typeof published>[0], preset: string, metric: Parameters<typeof published>[2]) =>
  published(source, preset, metric).value;

describe('explanations: each claim is arithmetic that holds', () => {
  test('left − right = Σ steps for every explanation', () => {
    const all = explanations();
    expect(all.map((e) => e.id).sort()).toEqual(['bnAffine', 'bnStats', 'convBias', 'gconv', 'shortcutAB', 'stride']);
    for (const e of all) {
      expect(e.steps.length, e.id).toBeGreaterThan(0);
      expect(e.left.value - e.right.value, e.id).toBe(stepsTotal(e));
    }
  });

  test('stride placement: Keras V1 vs torchvision ResNet-50, the three downsampling 1×1s', () => {
    const e = explainStride(50);
    // torchvision's published _ops, to its printed digit; the paper's Table 1 to its.
    expect(agreement(published('torchvision', 'resnet50', 'macs'), { paramsTotal: 0, paramsTrainable: 0, macs: e.left.value }).kind).toBe('agrees');
    expect(agreement(published('he2015', 'ResNet50', 'macs'), { paramsTotal: 0, paramsTrainable: 0, macs: e.right.value }).kind).toBe('agrees');
    // (56² − 28²)·256·128 = (28² − 14²)·512·256 = (14² − 7²)·1024·512 = 77,070,336 each.
    expect(e.steps.map((s) => s.value)).toEqual([
      (56 * 56 - 28 * 28) * 256 * 128,
      (28 * 28 - 14 * 14) * 512 * 256,
      (14 * 14 - 7 * 7) * 1024 * 512,
    ]);
    expect(stepsTotal(e)).toBe(231_211_008);
    for (const depth of [101, 152] as const) {
      const d = explainStride(depth);
      expect(d.left.value - d.right.value).toBe(231_211_008);
    }
    expect(explainStride(101).left.value).toBe(stridePairs()[1].on3x3);
    expect(explainStride(152).right.value).toBe(stridePairs()[2].first1x1);
    // basic blocks have no 1×1 to move the stride from.
    expect(strideShiftSteps(expand(getPreset('resnet34')))).toEqual([]);
  });

  test('conv bias: Keras ResNet50 trainable − torchvision resnet50 num_params = 26,560 biases', () => {
    const e = explainConvBias();
    expect(e.left.value).toBe(figure('kerasCode', 'ResNet50', 'paramsTrainable'));
    expect(e.right.value).toBe(figure('torchvision', 'resnet50', 'paramsTrainable'));
    expect(stepsTotal(e)).toBe(26_560);
    expect(e.title).toContain('26,560');
    // stem 64 + conv2 (3 blocks × (64+64+256) + projection 256).
    expect(e.steps.find((s) => s.label === 'stem')!.value).toBe(64);
    expect(e.steps.find((s) => s.label === 'conv2')!.value).toBe(3 * (64 + 64 + 256) + 256);
  });

  test('BN statistics: torchvision resnet50 total − num_params = 53,120 = 2 × Σ BN channels', () => {
    const e = explainBnStats('resnet50');
    expect(e.right.value).toBe(figure('torchvision', 'resnet50', 'paramsTrainable'));
    expect(stepsTotal(e)).toBe(53_120);
    // Keras' own split for ResNet50: model.summary()'s Total − Trainable params are the BN moving statistics.
    expect(stepsTotal(explainBnStats('ResNet50'))).toBe(
      figure('kerasCode', 'ResNet50', 'paramsTotal') - figure('kerasCode', 'ResNet50', 'paramsTrainable'),
    );
  });

  test('Keras ResNeXt50: 25,097,128 + 128,122,880 constant gconv params = 153,220,008 (computed, not published)', () => {
    const e = explainGconv();
    expect(e.title).toContain('25,097,128 + 128,122,880');
    expect(e.cites).toEqual([]);
    expect(e.right.value).toBe(25_097_128);
    expect(e.left.value).toBe(153_220_008);
    expect(e.steps.map((s) => s.value)).toEqual([
      3 * 128 * 4 * 128,
      4 * 256 * 8 * 256,
      6 * 512 * 16 * 512,
      3 * 1024 * 32 * 1024,
    ]);
    expect(analyze(expand(getPreset('ResNeXt50'))).params.trainable).toBe(figure('torchvision', 'resnext50_32x4d', 'paramsTrainable'));
  });

  test('option A adds nothing over the plain twin; option B pays for two projections', () => {
    const e = explainShortcutAB('ResNet-20');
    const a = analyze(expand(getPreset('ResNet-20')));
    expect(e.right.value).toBe(a.params.total);
    expect(agreement(published('he2015', 'ResNet-20', 'paramsTrainable'), { paramsTotal: 0, paramsTrainable: a.params.trainable, macs: 0 }).kind).toBe(
      'agrees',
    );
    expect(analyze(expand(plainTwin(getPreset('ResNet-20')))).params.total).toBe(a.params.total);
    // 1×1 conv 16→32 + BN(32) and 32→64 + BN(64); BN has 4 numbers per channel (γ, β, mean, variance).
    expect(e.steps.map((s) => s.value)).toEqual([16 * 32 + 4 * 32, 32 * 64 + 4 * 64]);
    expect(stepsTotal(e)).toBe(2_944);
  });

  test('pre-act ResNet-1001 without BN γ/β is the paper’s figure (He et al. 2016, Table 4); with them it is not', () => {
    const e = explainBnAffine();
    const ref = published('he2016', 'PreAct-ResNet-1001', 'paramsTrainable');
    const as = (v: number) => agreement(ref, { paramsTotal: 0, paramsTrainable: v, macs: 0 }).kind;
    expect(as(e.right.value)).toBe('agrees');
    expect(as(e.left.value)).toBe('differs');
    expect(e.cites).toEqual([{ source: 'he2016', where: ref.where }]);
    expect(e.title).toContain(ref.shown);
  });

  test('the stride sentence is computed once and quotes the published figures with their places', () => {
    const note = strideNote();
    const [p50, p101, p152] = stridePairs();
    expect(note.text).toContain(`${(p50.first1x1 / 1e9).toFixed(2)} / ${(p101.first1x1 / 1e9).toFixed(2)} / ${(p152.first1x1 / 1e9).toFixed(2)} GMACs`);
    expect(note.text).toContain(`${(p50.on3x3 / 1e9).toFixed(2)} / ${(p101.on3x3 / 1e9).toFixed(2)} / ${(p152.on3x3 / 1e9).toFixed(2)} with it on the 3×3`);
    // As the sources print them (`shown`), not re-derived from the values.
    const shown = (f: (p: (typeof p50)) => string) => [p50, p101, p152].map(f).join(' / ');
    expect(note.text).toContain(`${shown((p) => p.paper.shown.replace('×10⁹', ''))} ×10⁹`);
    expect(note.text).toContain(`${shown((p) => p.torchvision.shown.replace(' GFLOPS', ''))} GFLOPS`);
    expect(note.cites.map((c) => c.source)).toEqual(['he2015', 'torchvision', 'torchvision', 'torchvision']);
    expect(explainStride().text).toContain(note.text);
    expect(explainStride().title).toBe(`Where the stride sits: ${(p50.first1x1 / 1e9).toFixed(2)} vs ${(p50.on3x3 / 1e9).toFixed(2)} GMACs`);
  });
});
