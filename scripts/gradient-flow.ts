/**
 * Per-layer gradient norms at initialisation, plain vs residual (tfjs wasm in Node).
 * `npx tsx scripts/gradient-flow.ts [depth=56] [batch=64]` prints first / middle / last conv norms per setting.
 */
import * as tf from '@tensorflow/tfjs';
import { probePair } from '../src/tf/gradients';
import { initNodeWasm } from '../src/tf/node-wasm';
import type { LayerGradient } from '../src/tf/gradients';

const [depth = 56, batch = 64] = process.argv.slice(2).map(Number);
await initNodeWasm();
const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
const labels = tf.tensor1d(Array.from({ length: batch }, (_, i) => (i * 7) % 10), 'int32');
const fmt = (ls: readonly LayerGradient[]) => {
  const convs = ls.filter((l) => l.kind === 'conv' && l.path === 'main');
  const pick = [convs[0], convs[Math.floor(convs.length / 2)], convs[convs.length - 1]];
  return pick.map((l) => l.norm.toExponential(2)).join(' / ');
};
for (const batchNorm of [true, false]) {
  for (const init of ['he', 'glorot'] as const) {
    const t0 = performance.now();
    const p = probePair({ depth, batchNorm, init, seed: 1 }, x, labels);
    const ms = performance.now() - t0;
    console.log(`depth ${depth} BN ${batchNorm ? 'on ' : 'off'} ${init.padEnd(6)} plain ${fmt(p.plain)}  residual ${fmt(p.residual)}  (${ms.toFixed(0)} ms)`);
  }
}
