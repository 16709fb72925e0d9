import { describe, expect, test } from 'vitest';
import {
  allGroups,
  expand,
  getPreset,
  parseCustomSpec,
  parseExploreState,
  resolveExpansion,
  writeExploreState,
} from '../../src/core';

describe('explorer URL state', () => {
  test('round trip: preset, expanded groups, selection; other params kept', () => {
    const g = expand(getPreset('ResNet50'));
    const state = { model: { kind: 'preset', name: 'ResNet50' }, expanded: ['conv2', 'conv2_block1'], selected: 'conv2_block1_2_conv' } as const;
    const p = writeExploreState(new URLSearchParams('view=explore'), state, g);
    expect(p.get('view')).toBe('explore');
    const back = parseExploreState('?' + p.toString());
    expect(back.notices).toEqual([]);
    expect(back.state).toEqual(state);
  });

  test('expand-all is written as "all" and resolves to every group', () => {
    const g = expand(getPreset('ResNet-1202'));
    const p = writeExploreState(new URLSearchParams(), { model: { kind: 'preset', name: 'ResNet-1202' }, expanded: allGroups(g), selected: null }, g);
    expect(p.get('x')).toBe('all');
    const r = resolveExpansion(g, parseExploreState(p.toString()).state.expanded);
    expect(r.expanded!.size).toBe(allGroups(g).length);
  });

  test('a custom spec round-trips through the URL', () => {
    const spec = { ...getPreset('resnet18'), name: 'my-net', family: 'custom' as const, stages: getPreset('resnet18').stages.slice(0, 2) };
    const p = writeExploreState(new URLSearchParams(), { model: { kind: 'custom', spec }, expanded: null, selected: null });
    const back = parseExploreState(p.toString());
    expect(back.notices).toEqual([]);
    expect(back.state.model).toEqual({ kind: 'custom', spec });
  });

  test('case-insensitive preset names resolve to the canonical one', () => {
    expect(parseExploreState('model=resnet-56').state.model).toEqual({ kind: 'preset', name: 'ResNet-56' });
  });

  test.each([
    ['model=NoSuchNet', /Unknown model "NoSuchNet"/],
    ['model=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E', /Unknown model "<img src=x onerror=alert\(1\)>"/],
    ['spec=%7Bnot%20json', /custom model in the link is invalid \(not valid JSON: /],
    ['spec=%5B1%2C2%5D', /expected a JSON object/],
    ['spec=' + encodeURIComponent(JSON.stringify({ ...getPreset('ResNet50'), stages: [{ blocks: -3, width: 64, stride: 1 }] })), /stages\[0\]\.blocks: received -3/],
    ['spec=' + encodeURIComponent(JSON.stringify({ ...getPreset('ResNet50'), block: 'triple' })), /Invalid block: received "triple"/],
    ['spec=' + 'x'.repeat(5000), /invalid \(the spec is 5000 characters long; at most 4000 are allowed\)/],
  ])('%s falls back to ResNet50 with a notice', (search, notice) => {
    const r = parseExploreState(search);
    expect(r.state.model).toEqual({ kind: 'preset', name: 'ResNet50' });
    expect(r.notices).toHaveLength(1);
    expect(r.notices[0]).toMatch(notice);
  });

  test('garbage groups and selections are ignored with notices; unknown groups dropped against the graph', () => {
    const r = parseExploreState('model=ResNet50&x=conv2,<b>,conv9_block99&sel=%22%3E%3Cscript%3E');
    expect(r.state.expanded).toEqual(['conv2', 'conv9_block99']);
    expect(r.state.selected).toBeNull();
    expect(r.notices).toHaveLength(2);
    const res = resolveExpansion(expand(getPreset('ResNet50')), r.state.expanded);
    expect([...res.expanded!]).toEqual(['conv2']);
    expect(res.notices[0]).toMatch(/conv9_block99/);
  });

  test('only known spec fields are kept', () => {
    const raw = JSON.stringify({ ...getPreset('ResNet-20'), __proto__: { residual: false }, extra: '<script>' });
    const r = parseCustomSpec(raw);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect('extra' in r.spec).toBe(false);
      expect(r.spec.residual).toBe(true);
    }
  });

  test('a list of only unknown groups gives the default view, not an all-collapsed one', () => {
    const r = resolveExpansion(expand(getPreset('ResNet50')), ['conv9']);
    expect(r.expanded).toBeNull();
    expect(r.notices).toHaveLength(1);
  });
});
