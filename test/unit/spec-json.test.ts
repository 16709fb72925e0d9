/** One custom-spec parser for the explorer's `?spec=`, Compare's `?custom=` and Compare's text box. */
import { describe, expect, test } from 'vitest';
import { getPreset, MAX_SPEC_CHARS, parseCustomSpec, parseExploreState } from '../../src/core';
import { parseCustomSpec as compareParser, parseCompareQuery } from '../../src/core/compare';

const r20 = getPreset('ResNet-20');
const withExtras = JSON.stringify({
  ...r20,
  name: 'r20-extra',
  extra: '<script>',
  stem: { ...r20.stem, colour: 'red' },
  stages: r20.stages.map((s, i) => (i === 1 ? { ...s, note: 1 } : s)),
  head: { ...r20.head, bias: false },
});
/** Valid JSON, longer than the limit (whitespace padding). */
const huge = JSON.stringify({ ...r20, name: 'huge' }).replace('{', `{${' '.repeat(MAX_SPEC_CHARS)}`);

describe('custom spec parser', () => {
  test('Compare uses the very same function', () => {
    expect(compareParser).toBe(parseCustomSpec);
  });

  test('unknown fields are stripped at every level and named', () => {
    const r = parseCustomSpec(withExtras);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.ignored).toEqual(['extra', 'stem.colour', 'head.bias', 'stages[1].note']);
    expect('extra' in r.spec).toBe(false);
    expect('colour' in r.spec.stem).toBe(false);
    expect('note' in r.spec.stages[1]).toBe(false);
    expect('bias' in r.spec.head).toBe(false);
    expect(r.spec).toEqual({ ...r20, name: 'r20-extra' });
  });

  test('the explorer link and the Compare link both strip them, with the same notice', () => {
    const notice = "Ignored unknown fields of the custom spec: \"extra\", \"stem.colour\", \"head.bias\", \"stages[1].note\".";
    const ex = parseExploreState(`spec=${encodeURIComponent(withExtras)}`);
    expect(ex.state.model).toEqual({ kind: 'custom', spec: { ...r20, name: 'r20-extra' } });
    expect(ex.notices).toEqual([notice]);
    const cmp = parseCompareQuery(`custom=${encodeURIComponent(withExtras)}`);
    expect(cmp.state.custom).toEqual([{ ...r20, name: 'r20-extra' }]);
    expect(cmp.notices).toEqual([notice]);
  });

  test('over-size input is refused with the length and the limit, in both places', () => {
    expect(huge.length).toBeGreaterThan(MAX_SPEC_CHARS);
    const message = `the spec is ${huge.length} characters long; at most ${MAX_SPEC_CHARS} are allowed`;
    expect(parseCustomSpec(huge)).toEqual({ ok: false, error: message });
    const ex = parseExploreState(`spec=${encodeURIComponent(huge)}`);
    expect(ex.state.model).toEqual({ kind: 'preset', name: 'ResNet50' });
    expect(ex.notices).toEqual([`The custom model in the link is invalid (${message}); showing ResNet50 instead.`]);
    const cmp = parseCompareQuery(`custom=${encodeURIComponent(huge)}`);
    expect(cmp.state.custom).toEqual([]);
    expect(cmp.notices).toEqual([`A custom spec in the URL was left out: ${message}.`]);
  });

  test('bad JSON, a non-object, an invalid field and impossible shapes are errors that say why', () => {
    expect(parseCustomSpec('{')).toMatchObject({ ok: false, error: expect.stringMatching(/^not valid JSON: /) });
    expect(parseCustomSpec('[1]')).toEqual({ ok: false, error: 'expected a JSON object (an ArchSpec), received [1]' });
    expect(parseCustomSpec(JSON.stringify({ ...r20, block: 'triple' }))).toEqual({
      ok: false,
      error: 'Invalid block: received "triple"; allowed: \'basic\', \'bottleneck\'',
    });
    // A prototype key is just an unknown field: it cannot change what the spec says.
    const proto = parseCustomSpec(`{"__proto__": {"residual": false}, ${JSON.stringify(r20).slice(1)}`);
    expect(proto.ok && proto.spec.residual).toBe(true);
    expect(proto.ok && proto.ignored).toEqual(['__proto__']);
  });
});
