/**
 * What the compare view computes when a setting changes, timed over every preset (plain twins included).
 * Target: all presets analysed in under 50 ms (issue 4). Run alone: npx tsx scripts/bench-analysis.ts
 */
import { analyze, expand, PRESETS } from '../src/core';
import { compareRows, DEFAULT_SETTINGS, type Entry, shortcutCosts } from '../src/core/compare';
import { explanations } from '../src/core/explain';
import { median, report } from './bench-util';

const RUNS = 15;
function timed(fn: () => void, runs = RUNS): { first: number; median: number } {
  const t: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  return { first: t[0], median: median(t.slice(1)) };
}

const entries: Entry[] = PRESETS.map((p) => ({ spec: p.spec, group: p.group }));
const all = timed(() => {
  for (const p of PRESETS) analyze(expand(p.spec));
});
report(`analysis: ${PRESETS.length} presets, first run (cold JIT)`, all.first, 'ms');
report(`analysis: ${PRESETS.length} presets, median of ${RUNS}`, all.median, 'ms', '< 50 ms');
const settings = { ...DEFAULT_SETTINGS, batch: 32 };
const rows = timed(() => compareRows(entries, settings));
report('compare: rows for every preset (batch 32)', rows.median, 'ms', '< 50 ms');
const view = timed(() => shortcutCosts(compareRows(entries, settings), settings));
report('compare: rows + plain twins for every preset', view.median, 'ms');
const at160 = timed(() => compareRows(entries, { ...settings, input: 160 }));
report('compare: rows for every preset at 160×160', at160.median, 'ms');
const ex = timed(() => explanations(), 0);
report('explain: all explanations (first call)', ex.first, 'ms');
