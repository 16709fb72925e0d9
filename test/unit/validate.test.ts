/**
 * validateSpec and option A (zero-pad) shortcuts: the pad can only add channels (He et al. 2015, Sec. 3.3), so a
 * stage narrower than its input is refused with an error naming the stage, its width and the input's channels;
 * every preset (and its plain twin) still passes.
 */
import { describe, expect, test } from 'vitest';
import { type ArchSpec, getPreset, PRESETS, parseCustomSpec, plainTwin, SpecError, validateSpec } from '../../src/core';

/** The SpecError validateSpec throws for `spec` (fails the test if it throws none). */
function specError(spec: ArchSpec): SpecError {
  try {
    validateSpec(spec);
  } catch (e) {
    if (e instanceof SpecError) return e;
    throw e;
  }
  throw new Error(`${spec.name} was accepted`);
}

const r20 = getPreset('ResNet-20');
const withWidths = (spec: ArchSpec, widths: readonly number[]): ArchSpec => ({
  ...spec,
  stages: spec.stages.map((s, i) => ({ ...s, width: widths[i] })),
});

describe("option A shortcut: a stage narrower than its input is refused", () => {
  test('a basic stage narrower than the stage before it: named with its width and the input width', () => {
    const e = specError({ ...withWidths(r20, [16, 8, 64]), name: 'narrow' });
    expect(e.field).toBe('stages[1].width');
    expect(e.received).toBe(8);
    expect(e.message).toMatch(/stage 2 has width 8 and its input has 16 channels/);
  });

  test('the first stage is compared with the stem', () => {
    const e = specError({ ...r20, stem: { ...r20.stem, width: 32 } });
    expect(e.field).toBe('stages[0].width');
    expect(e.message).toMatch(/stage 1 has width 16 and its input has 32 channels/);
  });

  test('a bottleneck stage counts its output channels (width × expansion)', () => {
    const r50 = getPreset('ResNet50');
    const e = specError({ ...withWidths(r50, [64, 32, 256, 512]), shortcut: 'A' });
    expect(e.field).toBe('stages[1].width');
    expect(e.received).toBe(32);
    expect(e.message).toMatch(/width 32 × expansion 4 = 128 output channels and its input has 256 channels/);
    // ResNet50's own widths only widen: option A is fine there.
    expect(() => validateSpec({ ...r50, shortcut: 'A' })).not.toThrow();
  });

  test('equal widths, option B, and a plain net with the same widths are accepted', () => {
    expect(() => validateSpec(withWidths(r20, [16, 16, 16]))).not.toThrow();
    expect(() => validateSpec({ ...withWidths(r20, [16, 8, 64]), shortcut: 'B' })).not.toThrow();
    expect(() => validateSpec(plainTwin(withWidths(r20, [16, 8, 64])))).not.toThrow();
  });

  test('a custom spec (link, text box) gets the same message', () => {
    const r = parseCustomSpec(JSON.stringify(withWidths(r20, [16, 8, 64])));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^Invalid stages\[1\]\.width: received 8; shortcut 'A' \(zero-padding\) can only widen/);
  });
});

describe('every preset and its plain twin validate', () => {
  for (const { spec } of PRESETS) {
    test(spec.name, () => {
      expect(() => validateSpec(spec)).not.toThrow();
      expect(() => validateSpec(plainTwin(spec))).not.toThrow();
    });
  }
});
