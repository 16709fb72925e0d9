import { describe, expect, test } from 'vitest';
import { allGroups, defaultExpansion, expand, getPreset, layout } from '../../src/core';
import { escapeXml, layoutToSvg } from '../../src/ui/explore/svg-export';

/** Minimal XML well-formedness check: tags balance and every `&` starts an entity. */
function wellFormed(xml: string): boolean {
  const stack: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([A-Za-z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, close, name, self] = m;
    if (self) continue;
    if (close) {
      if (stack.pop() !== name) return false;
    } else stack.push(name);
  }
  return stack.length === 0 && !/&(?!(amp|lt|gt|quot|#39);)/.test(xml);
}

describe('SVG export', () => {
  test('ResNet50 at block level: one arc group per skip, kinds tagged, well-formed', () => {
    const g = expand(getPreset('ResNet50'));
    const svg = layoutToSvg(layout(g, defaultExpansion(g)), 'ResNet50');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/data-shortcut-kind="/g)).toHaveLength(16);
    expect(svg.match(/data-shortcut-kind="projection"/g)).toHaveLength(4);
    expect(wellFormed(svg)).toBe(true);
  });

  test('a hostile model name is escaped, never markup', () => {
    const g = expand(getPreset('ResNet-20'));
    const name = '<script>alert(1)</script>&"\'';
    const svg = layoutToSvg(layout(g, new Set(allGroups(g))), name);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain(escapeXml(name));
    expect(wellFormed(svg)).toBe(true);
    // Every layer of the fully expanded graph is in the file.
    expect(svg.match(/data-node-id="/g)).toHaveLength(g.nodes.length);
  });

  test('the plain twin exports no arcs', () => {
    const g = expand(getPreset('plain-ResNet50'));
    expect(layoutToSvg(layout(g, defaultExpansion(g)), 'p')).not.toContain('data-shortcut-kind');
  });
});
