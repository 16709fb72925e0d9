/**
 * Diagram timings in Node: spec → graph → layout (the pure part of every redraw) and the SVG export string,
 * for ResNet-152 fully expanded (517 layers) and ResNet-1202 collapsed and expanded (5,408 layers).
 * Browser draw times are recorded by test/e2e/explore.e2e.ts into test-output/diagram-timing.json and
 * printed here when present.  Run: npx tsx scripts/bench-diagram.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import { allGroups, analyze, defaultExpansion, expand, getPreset, layout } from '../src/core';
import { layoutToSvg } from '../src/ui/explore/svg-export';
import { median, report } from './bench-util';

function time(label: string, runs: number, fn: () => unknown, target?: string): number {
  fn(); // warm-up (JIT)
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  const m = median(ms);
  report(`diagram: ${label}`, m, 'ms', target);
  return m;
}

const r152 = getPreset('ResNet152');
const g152 = expand(r152);
const all152 = new Set(allGroups(g152));
const r1202 = getPreset('ResNet-1202');
const g1202 = expand(r1202);
const all1202 = new Set(allGroups(g1202));

console.log(`ResNet152: ${g152.nodes.length} layers; ResNet-1202: ${g1202.nodes.length} layers`);
time('ResNet152 expand(spec)', 20, () => expand(r152));
time('ResNet152 analyze(graph)', 20, () => analyze(g152));
const l152 = time('ResNet152 layout, fully expanded (517 nodes)', 20, () => layout(g152, all152), '< 300 ms');
time('ResNet152 layout, blocks (default view)', 20, () => layout(g152, defaultExpansion(g152)));
time('ResNet152 expand+analyze+layout, expanded', 10, () => {
  const g = expand(r152);
  analyze(g);
  layout(g, new Set(allGroups(g)));
});
const lay152 = layout(g152, all152);
time('ResNet152 SVG export string, fully expanded', 10, () => layoutToSvg(lay152, 'ResNet152'));
time('ResNet-1202 layout, collapsed (default view)', 20, () => layout(g1202, defaultExpansion(g1202)));
time('ResNet-1202 layout, fully expanded (5,408 nodes)', 10, () => layout(g1202, all1202));
time('ResNet-1202 expand + analyze + layout (collapsed)', 5, () => {
  const g = expand(r1202);
  analyze(g);
  layout(g, defaultExpansion(g));
});
console.log(`target: ResNet152 expanded layout < 300 ms → ${l152 < 300 ? 'met' : 'NOT met'}`);

const browser = 'test-output/diagram-timing.json';
if (existsSync(browser)) {
  console.log(`browser (Chromium, from the last e2e run, ${browser}):`);
  console.log(readFileSync(browser, 'utf8'));
} else {
  console.log('browser timings: run the explore e2e test to record them.');
}
