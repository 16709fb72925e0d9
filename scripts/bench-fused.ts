/**
 * The inference runner (BN folded into the convs, conv + bias + ReLU fused; src/tf/fused) against
 * LayersModel.predict: ImageNet ResNet50 with its real weights on the Keras elephant, batch 1, Node wasm
 * (SIMD, one thread), forward pass + read-back of the probabilities; and the runner with its 3×3 convs by
 * Winograd's algorithm (src/tf/wasm-convs, the default on wasm) against the runner with XNNPACK's direct convs.
 * Also the one-off cost of folding (and of the Winograd filter transforms).
 * `npx tsx scripts/bench-fused.ts` (BENCH_RUNS=n for more repetitions, default 10).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { createInferenceRunner } from '../src/tf/fused/runner';
import { imagenetResNet50, imagenetResNet50Spec } from '../src/tf/imagenet';
import { initNodeBackend } from '../src/tf/node-backend';
import { setConvEngineEnabled } from '../src/tf/wasm-convs';
import { decodeImage } from '../src/tf/node-image';
import { IMAGENET_RESNET50_JSON, REPO_ROOT, readLayersModel } from '../src/tf/node-io';
import { preprocess } from '../src/tf/preprocess';
import { median, report } from './bench-util';

if (!existsSync(IMAGENET_RESNET50_JSON)) {
  console.error('ImageNet weights missing: run `node scripts/setup-weights.mjs` first.');
  process.exit(1);
}
const runs = Number(process.env.BENCH_RUNS ?? 10);
const fixtures = process.env.RESNET_FIXTURES ?? join(REPO_ROOT, '..', 'shared', 'fixtures');
const spec = imagenetResNet50Spec();

await initNodeBackend('wasm');
const model = imagenetResNet50(await readLayersModel(IMAGENET_RESNET50_JSON));
const img = decodeImage(new Uint8Array(readFileSync(join(fixtures, 'imagenet', 'elephant.jpg'))), 'elephant.jpg');
const x = preprocess(img, spec);
img.dispose();

setConvEngineEnabled(false);
let t0 = performance.now();
const direct = createInferenceRunner(spec, model);
report('fused: create runner (fold 53 BN), ResNet50', performance.now() - t0, 'ms');
setConvEngineEnabled(true);
t0 = performance.now();
const runner = createInferenceRunner(spec, model);
report(`fused: create runner, ${runner.stats.winograd} Winograd + ${runner.stats.pointwise} 1×1 convs ours`, performance.now() - t0, 'ms');

/**
 * Per-image wall time and CPU time (process.cpuUsage: Node's wasm runs on this one thread, so CPU time is the
 * uncontended cost even on a busy machine), medians over `runs` after one warm-up.
 */
async function perImage(predict: () => tf.Tensor): Promise<{ ms: number; cpuMs: number; probs: Float32Array }> {
  const times: number[] = [];
  const cpu: number[] = [];
  let probs: Float32Array = new Float32Array();
  for (let i = 0; i < runs + 1; i++) {
    const s = performance.now();
    const c = process.cpuUsage();
    const y = predict();
    probs = Float32Array.from(await y.data());
    y.dispose();
    const used = process.cpuUsage(c);
    // The first run warms up (XNNPACK operator set-up).
    if (i > 0) {
      times.push(performance.now() - s);
      cpu.push((used.user + used.system) / 1000);
    }
  }
  return { ms: median(times), cpuMs: median(cpu), probs };
}

// Interleave so that a busy machine slows both alike.
const layers = await perImage(() => model.predict(x) as tf.Tensor);
const fused = await perImage(() => runner.predict(x));
const plain = await perImage(() => direct.predict(x));
const layers2 = await perImage(() => model.predict(x) as tf.Tensor);
const fused2 = await perImage(() => runner.predict(x));
const plain2 = await perImage(() => direct.predict(x));
const lm = Math.min(layers.ms, layers2.ms);
const fm = Math.min(fused.ms, fused2.ms);
const lc = Math.min(layers.cpuMs, layers2.cpuMs);
const fc = Math.min(fused.cpuMs, fused2.cpuMs);
report(`fused: ResNet50 b1 Node wasm, LayersModel.predict (median of ${runs})`, lm, 'ms');
report(`fused: ResNet50 b1 Node wasm, fused runner (median of ${runs})`, fm, 'ms');
report('fused: speed-up LayersModel / fused (wall)', lm / fm, '×');
report('fused: ResNet50 b1 Node wasm, LayersModel.predict, CPU time', lc, 'ms');
report('fused: ResNet50 b1 Node wasm, fused runner, CPU time', fc, 'ms');
report('fused: speed-up LayersModel / fused (CPU time)', lc / fc, '×');
const dm = Math.min(plain.ms, plain2.ms);
report(`fused: ResNet50 b1 Node wasm, fused runner, XNNPACK convs only (median of ${runs})`, dm, 'ms');
report('fused: speed-up XNNPACK / our convs (wall)', dm / fm, '×');
let maxDiff = 0;
for (let i = 0; i < fused.probs.length; i++) maxDiff = Math.max(maxDiff, Math.abs(fused.probs[i] - layers.probs[i]));
console.log(`${'fused: max |Δ probability| vs LayersModel'.padEnd(52)} ${maxDiff.toExponential(1).padStart(9)}   (target < 1e-4)`);
if (!(maxDiff < 1e-4)) process.exitCode = 1;

direct.dispose();
x.dispose();
runner.dispose();
model.dispose();
