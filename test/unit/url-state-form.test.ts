import { describe, expect, test } from 'vitest';
import { formFromSpec, PRESETS, specFromForm } from '../../src/core';

describe('custom-model form ↔ spec', () => {
  test.each(PRESETS.map((p) => p.spec.name))('%s round-trips through the form (widths = C·d·2^i, strides by convention)', (name) => {
    const spec = PRESETS.find((p) => p.spec.name === name)!.spec;
    const r = specFromForm(formFromSpec(spec), spec);
    expect(r.ok).toBe(true);
    if (r.ok) expect({ ...r.spec, name: spec.name, family: spec.family }).toEqual(spec);
  });

  test.each([
    [{ depths: '3, x, 6' }, 'depths', /Stage 2 blocks: "x" is not a whole number/],
    [{ depths: '' }, 'depths', /comma-separated/],
    [{ depths: '3, 0, 6, 3' }, 'depths', /stages\[1\]\.blocks: received 0/],
    [{ groups: '0' }, 'groups', /Invalid groups: received 0/],
    [{ inputH: '16' }, 'inputH', /input height: received 16; must be an integer from 32/],
    [{ block: 'basic' as const }, 'strideAt', /basic blocks have no 1×1 conv/],
    [{ name: '  ' }, 'name', /non-empty name/],
    [{ classes: '1.5' }, 'classes', /Classes: "1.5" is not a whole number/],
  ])('%o is refused on field %s', (patch, field, message) => {
    const spec = PRESETS[0].spec;
    const r = specFromForm({ ...formFromSpec(spec), ...patch }, spec);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe(field);
      expect(r.message).toMatch(message);
    }
  });
});
