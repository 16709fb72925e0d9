/**
 * The degradation problem at browser scale (He et al. 2015, Fig. 1 / Fig. 6): plain-8, plain-32, ResNet-8
 * and ResNet-32 trained for the same number of steps on the generated shapes set, tfjs wasm in Node.
 *
 *   npm run experiment:degradation -- [--depths 8,32] [--steps 1000] [--seed 1] [--optimizer adam|sgd] [--lr 2e-3]
 *     [--warmup 100] [--count 4000] [--size 16] [--nets plain-32,resnet-32]
 *
 * Prints one line per net, `<name> <final loss>` (plain-8, plain-32, resnet-8, resnet-32 by default): the final
 * training loss, i.e. the mean cross-entropy over the whole training set after the last step (BN with batch
 * statistics, as in training, so BN's moving averages play no part; a single batch's loss is too noisy to
 * compare). stderr also gets the mean step loss of the last 10 % of steps and the accuracy.
 */
import { generateShapeSet } from '../src/core/datasets';
import { initNodeWasm } from '../src/tf/node-wasm';
import { TrainingRun } from '../src/tf/train';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} needs a number; received ${JSON.stringify(process.argv[i + 1])}`);
  return v;
}

// Depths 8 and 32 (6n + 2 with n = 1 and 5; the unit test's pair). At 56 layers the plain net never left chance
// (training-set loss 2.30 = ln 10) in 1,000 steps with any optimizer tried (Adam 1e-4…1e-2, SGD momentum 0.01…0.1,
// warm-up 0–300), and plain-44 had not left it after 150 steps: at initialisation a plain net's gradient grows ≈ 1.16×
// per layer from output to input (|∂L/∂W|/|W| ≈ 2,000–3,500× larger at conv1 than at the last conv for plain-56, ≈ 50×
// for plain-32, ≈ 13× for plain-20; widths 8/16/32, batch 32) — the gradient explosion that Yang et al. 2019 derive
// for batch-normalised nets without shortcuts — and plain-56's pooled features carry no class information at init.
// Plain-32 sits near chance for 200–400 steps, then trains, and ends well above plain-8: the paper's effect, not a
// net that does not train. Seeds 1/2/3 (1,000 steps): plain-8 0.963/0.974/0.912, plain-32 1.761/1.334/1.582 (37–83 %
// higher), ResNet-8 0.964/1.000/0.887, ResNet-32 0.658/0.608/0.537. Estimated ≈ 6 min on 2 free cores
// (about half the layer-steps of the former 20/56 run, ≈ 10 min).
// With depths 20 and 32 the ResNet ordering failed (seed 1: ResNet-20 0.602, ResNet-32 0.658), and plain-20 ended
// at 0.770/1.127/1.081 — above plain-8 for two of three seeds.
const steps = arg('steps', 1000);
const seed = arg('seed', 1);
// Adam stays the default. With SGD momentum 0.9 at 0.1 for 1,000 steps (20/56) the residual ordering broke: ResNet-20
// 0.290, ResNet-56 0.707.
const optArg = process.argv.indexOf('--optimizer');
const optimizer = optArg >= 0 ? process.argv[optArg + 1] : 'adam';
if (optimizer !== 'adam' && optimizer !== 'sgd') {
  throw new Error(`--optimizer must be adam or sgd; received ${JSON.stringify(optimizer)}`);
}
const lr = arg('lr', 2e-3);
const warmup = arg('warmup', 100);
const count = arg('count', 4000);
const size = arg('size', 16);
const widths = [8, 16, 32] as const;
const depthsArg = process.argv.indexOf('--depths');
const depths = (depthsArg >= 0 ? process.argv[depthsArg + 1] ?? '' : '8,32').split(',').map(Number);
if (depths.length !== 2 || depths.some((d) => !Number.isInteger(d) || d < 8 || (d - 2) % 6 !== 0)) {
  throw new Error(`--depths needs two depths 6n + 2 (n ≥ 1), shallow first; received ${JSON.stringify(process.argv[depthsArg + 1])}`);
}
const [shallow, deep] = depths;
const netsArg = process.argv.indexOf('--nets');
const only = netsArg >= 0 ? new Set(process.argv[netsArg + 1]?.split(',')) : undefined;

// tfjs prints a banner on stdout in Node; keep stdout for the results only.
const log = (...a: unknown[]) => console.error(...a);
const origLog = console.log;
console.log = (...a: unknown[]) => console.error(...a);
await initNodeWasm();
const data = generateShapeSet({ count, size, seed });
log(`${count} generated ${size}×${size} images, widths ${widths.join('/')}, batch 32, ${optimizer === 'adam' ? 'Adam' : 'SGD momentum 0.9'} ${lr} (${warmup} warm-up, cosine), ${steps} steps, seed ${seed}`);
for (const [depth, residual] of [
  [shallow, false],
  [deep, false],
  [shallow, true],
  [deep, true],
] as const) {
  const name = `${residual ? 'resnet' : 'plain'}-${depth}`;
  if (only && !only.has(name)) continue;
  const t0 = performance.now();
  const run = new TrainingRun(
    {
      net: { depth, residual, widths },
      init: 'he',
      seed,
      batchSize: 32,
      schedule: { learningRate: lr, warmupSteps: warmup, totalSteps: steps, decay: 'cosine' },
      optimizer,
      outputScale: 0.1,
    },
    data,
  );
  const tail = Math.max(1, Math.round(steps / 10));
  let sum = 0;
  for (let s = 0; s < steps; s++) {
    const r = run.next();
    if (s >= steps - tail) sum += r.loss;
    if ((s + 1) % 100 === 0) log(`  ${name} step ${s + 1} loss ${r.loss.toFixed(3)} acc ${r.accuracy.toFixed(2)}`);
  }
  const final = run.evaluate();
  run.dispose();
  origLog(`${name} ${final.loss.toFixed(4)}`);
  log(`  ${name}: training-set loss ${final.loss.toFixed(4)}, accuracy ${(final.accuracy * 100).toFixed(1)} %, last-10 % step loss ${(sum / tail).toFixed(4)}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
