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

describe('explanations: each claim is arithmetic that holds', () => {
  test('left − right = Σ steps for every explanation', () => {
    const all = explanations();
    expect(all.map((e) => e.id).sort()).toEqual(['bnAffine', 'bnStats', 'convBias', 'gconv', 'shortcutAB', 'stride']);
    for (const e of all) {
      expect(e.steps.length, e.id).toBeGreaterThan(0);
      expect(e.left.value - e.right.value, e.id).toBe(stepsTotal(e));
    }
  });

  test('stride placement: Keras V1 3.858 vs torchvision 4.089 GMACs, the three downsampling 1×1s', () => {
    const e = explainStride(50);
    expect(e.right.value / 1e9).toBeCloseTo(3.858, 3);
    expect(e.left.value / 1e9).toBeCloseTo(4.089, 3);
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
    expect(explainStride(101).left.value / 1e9).toBeCloseTo(7.801, 3);
    expect(explainStride(152).right.value / 1e9).toBeCloseTo(11.282, 3);
    // basic blocks have no 1×1 to move the stride from.
    expect(strideShiftSteps(expand(getPreset('resnet34')))).toEqual([]);
  });

  test('conv bias: 25,583,592 − 25,557,032 = 26,560 biases', () => {
    const e = explainConvBias();
    expect(e.left.value).toBe(25_583_592);
    expect(e.right.value).toBe(25_557_032);
    expect(stepsTotal(e)).toBe(26_560);
    // stem 64 + conv2 (3 blocks × (64+64+256) + projection 256).
    expect(e.steps.find((s) => s.label === 'stem')!.value).toBe(64);
    expect(e.steps.find((s) => s.label === 'conv2')!.value).toBe(3 * (64 + 64 + 256) + 256);
  });

  test('BN statistics: torchvision resnet50 total − num_params = 53,120 = 2 × Σ BN channels', () => {
    const e = explainBnStats('resnet50');
    expect(e.right.value).toBe(25_557_032);
    expect(stepsTotal(e)).toBe(53_120);
    // Keras' own split for ResNet50 (DESIGN.md §2): 25,636,712 − 25,583,592.
    expect(explainBnStats('ResNet50').left.value - explainBnStats('ResNet50').right.value).toBe(25_636_712 - 25_583_592);
  });

  test('Keras ResNeXt50: 25,097,128 + 128,122,880 constant gconv params = 153,220,008', () => {
    const e = explainGconv();
    expect(e.right.value).toBe(25_097_128);
    expect(e.left.value).toBe(153_220_008);
    expect(e.steps.map((s) => s.value)).toEqual([
      3 * 128 * 4 * 128,
      4 * 256 * 8 * 256,
      6 * 512 * 16 * 512,
      3 * 1024 * 32 * 1024,
    ]);
    expect(analyze(expand(getPreset('ResNeXt50'))).params.trainable).toBe(25_028_904);
  });

  test('option A adds nothing over the plain twin; option B pays for two projections', () => {
    const e = explainShortcutAB('ResNet-20');
    const a = analyze(expand(getPreset('ResNet-20')));
    expect(e.right.value).toBe(a.params.total);
    expect(a.params.trainable).toBe(269_722);
    expect(analyze(expand(plainTwin(getPreset('ResNet-20')))).params.total).toBe(a.params.total);
    // 1×1 conv 16→32 + BN(32) and 32→64 + BN(64); BN has 4 numbers per channel (γ, β, mean, variance).
    expect(e.steps.map((s) => s.value)).toEqual([16 * 32 + 4 * 32, 32 * 64 + 4 * 64]);
    expect(stepsTotal(e)).toBe(2_944);
  });

  test('pre-act ResNet-1001 without BN γ/β is the paper’s 10.2M', () => {
    const e = explainBnAffine();
    expect(Math.round(e.right.value / 1e5) / 10).toBe(10.2);
    expect(Math.round(e.left.value / 1e5) / 10).toBe(10.3);
  });
});
