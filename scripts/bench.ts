/**
 * `npm run bench`: speed and memory figures. Runs the core benchmarks here, then every scripts/bench-*.ts
 * (diagram, analysis, classify, training, browser …) in its own process so one's warm-up does not skew another.
 * Prints one line per figure: `name  value unit  (target)`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, expand, getPreset, kerasLayerOrder, PRESETS } from '../src/core';
import { median, report } from './bench-util';

function time(fn: () => void, runs = 5): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  return median(t);
}

report('core: expand + analyze all presets', time(() => {
  for (const p of PRESETS) analyze(expand(p.spec));
}), 'ms', '< 50 ms');
report('core: expand ResNet-1202', time(() => expand(getPreset('ResNet-1202'))), 'ms');
const g1202 = expand(getPreset('ResNet-1202'));
report('core: Keras layer order ResNet-1202', time(() => kerasLayerOrder(g1202)), 'ms');

const { buildModel } = await import('../src/tf/build');
const tf = await import('@tensorflow/tfjs');
const log = console.log;
console.log = () => {};
await tf.setBackend('cpu');
console.log = log;
report(
  'tf: build ResNet50 (cpu backend, Glorot init)',
  time(() => buildModel(getPreset('ResNet50')).dispose(), 3),
  'ms',
);

const here = dirname(fileURLToPath(import.meta.url));
for (const file of readdirSync(here).filter((f) => /^bench-.+\.ts$/.test(f) && f !== 'bench-util.ts').sort()) {
  console.log(`\n# ${file}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, file)], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`${file} failed with exit code ${r.status}`);
    process.exitCode = 1;
  }
}
