/**
 * 3×3 stride-1 convs by Winograd's algorithm (src/tf/wasm-convs) against tfjs' fused conv2d (XNNPACK), Node wasm (SIMD,
 * one thread), on ResNet50's four 3×3 shapes at 224×224, batch 1, with bias and ReLU: per-conv medians, F(2×2) and
 * F(4×4), the filter transform, and the largest difference from the direct conv relative to the output's scale.
 * `npx tsx scripts/bench-wasm-convs.ts` (BENCH_RUNS=n, default 15).
 */
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../src/tf/node-backend';
import { activeConvEngine, tileFor } from '../src/tf/wasm-convs';
import { medianMs, report } from './bench-util';

const runs = Number(process.env.BENCH_RUNS ?? 15);
await initNodeBackend('wasm');
const engine = activeConvEngine();
if (!engine) throw new Error('no Winograd engine on the Node wasm backend');

const time = (f: () => tf.Tensor): number => medianMs(f, runs, 2);

for (const [hw, c] of [
  [56, 64],
  [28, 128],
  [14, 256],
  [7, 512],
] as const) {
  const x = tf.randomNormal([1, hw, hw, c], 0, 1, 'float32', 1) as tf.Tensor4D;
  const filter = tf.randomNormal([3, 3, c, c], 0, Math.sqrt(2 / (9 * c)), 'float32', 2) as tf.Tensor4D;
  const bias = tf.randomNormal([c], 0, 1, 'float32', 3) as tf.Tensor1D;
  const direct = () => tf.fused.conv2d({ x, filter, bias, strides: 1, pad: 'same', activation: 'relu' });
  const want = direct();
  const name = `winograd: ${hw}×${hw}×${c} → ${c}`;
  report(`${name}, direct (XNNPACK)`, time(direct), 'ms');
  for (const m of [2, 4] as const) {
    engine.transformFilter(filter, m).dispose(); // first touch of the memory
    const t0 = performance.now();
    const u = engine.transformFilter(filter, m);
    const transform = performance.now() - t0;
    const got = engine.conv(x, u, m, bias, true);
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0] / Math.max(1, tf.max(tf.abs(want)).dataSync()[0]));
    got.dispose();
    const chosen = tileFor(filter.shape, 1, 'same', 1) === m ? ' (chosen)' : '';
    report(`${name}, F(${m}×${m}, 3×3)${chosen}`, time(() => engine.conv(x, u, m, bias, true)), 'ms');
    report(`${name}, F(${m}×${m}) filter transform`, transform, 'ms');
    console.log(`${`${name}, F(${m}×${m}) max |Δ| / scale`.padEnd(52)} ${err.toExponential(1).padStart(9)}`);
    u.dispose();
  }
  tf.dispose([x, filter, bias, want]);
}
