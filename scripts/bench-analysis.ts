/**
 * How long the compare view's analysis takes: expand + analyze every preset (plain twins included), as the view
 * does when the input or batch size changes. Target: all presets in under 50 ms (issue 4).
 * Run: npx tsx scripts/bench-analysis.ts [--runs N]
 */
import { analyze, expand, PRESETS } from '../src/core';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;

function once(): { ms: number; nodes: number } {
  const t0 = performance.now();
  let nodes = 0;
  for (const p of PRESETS) nodes += analyze(expand(p.spec)).perNode.size;
  return { ms: performance.now() - t0, nodes };
}

const first = once();
const times: number[] = [];
for (let i = 0; i < runs; i++) times.push(once().ms);
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const result = {
  bench: 'analysis',
  presets: PRESETS.length,
  nodes: first.nodes,
  firstRunMs: Number(first.ms.toFixed(1)),
  medianMs: Number(median.toFixed(1)),
  minMs: Number(times[0].toFixed(1)),
  targetMs: 50,
  pass: median < 50,
};
console.log(JSON.stringify(result));
