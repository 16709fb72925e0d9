/**
 * The wasm training kernels against what tfjs-backend-wasm 4.22 ships (Node, SIMD, one thread), on ResNet-20's
 * conv shapes at batch 32: GFLOP/s of Conv2DBackpropInput (shipped naive loop vs conv with flipped filter),
 * Conv2DBackpropFilter (not shipped; ours vs the cpu backend is pointless at 0.01 GFLOP/s) and Tile.
 * `npx tsx scripts/bench-wasm-kernels.ts`
 */
import * as tf from '@tensorflow/tfjs';
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { initNodeWasm } from '../src/tf/node-wasm';
import { wasmTrainingKernels } from '../src/tf/wasm-train';
import { medianMs } from './bench-util';

// Keep the shipped kernels before ours replace them.
await tf.setBackend('cpu');
const shipped = new Map(['Conv2DBackpropInput', 'Tile'].map((k) => [k, getKernel(k, 'wasm')!]));
await initNodeWasm();
// Ours replaced the shipped ones before the backend started, so their wasm bindings were never set up.
for (const k of shipped.values()) k.setupFunc?.(tf.backend());

const time = (f: () => tf.Tensor, reps = 5): number => medianMs(f, reps);

function use(name: string, which: 'ours' | 'shipped'): void {
  unregisterKernel(name, 'wasm');
  registerKernel(which === 'ours' ? wasmTrainingKernels().find((k) => k.kernelName === name)! : shipped.get(name)!);
}

const B = 32;
const cases = [
  { name: '16→16 3×3 s1 @32²', x: [B, 34, 34, 16], f: [3, 3, 16, 16], s: 1 },
  { name: '16→32 3×3 s2 @32²', x: [B, 33, 33, 16], f: [3, 3, 16, 32], s: 2 },
  { name: '32→32 3×3 s1 @16²', x: [B, 18, 18, 32], f: [3, 3, 32, 32], s: 1 },
  { name: '64→64 3×3 s1 @8²', x: [B, 10, 10, 64], f: [3, 3, 64, 64], s: 1 },
] as const;
for (const c of cases) {
  const x = tf.randomNormal([...c.x]) as tf.Tensor4D;
  const f = tf.randomNormal([...c.f]) as tf.Tensor4D;
  const y = tf.conv2d(x, f, c.s, 'valid');
  const flops = 2 * y.size * c.f[0] * c.f[1] * c.f[2];
  const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
  const attrs = { strides: [c.s, c.s], pad: 'valid', dataFormat: 'NHWC', dimRoundingMode: undefined };
  const bpf = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: c.f } as never) as tf.Tensor;
  const bpi = () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, { ...attrs, inputShape: c.x } as never) as tf.Tensor;
  const gf = (ms: number) => (flops / ms / 1e6).toFixed(1);
  const tf_ = time(bpf);
  use('Conv2DBackpropInput', 'shipped');
  const tiShipped = time(bpi, 3);
  use('Conv2DBackpropInput', 'ours');
  const tiOurs = time(bpi);
  console.log(
    `${c.name}: backprop-filter ${tf_.toFixed(1)} ms (${gf(tf_)} GFLOP/s) · backprop-input shipped ${tiShipped.toFixed(1)} ms (${gf(tiShipped)}) → ours ${tiOurs.toFixed(1)} ms (${gf(tiOurs)})`,
  );
  tf.dispose([x, f, y, dy]);
}
const v = tf.randomNormal([1, 1, 1, 16]);
const tileRun = () => tf.tile(v, [B, 32, 32, 1]);
use('Tile', 'shipped');
const tShipped = time(tileRun);
use('Tile', 'ours');
console.log(`Tile [1,1,1,16] → [32,32,32,16]: shipped ${tShipped.toFixed(1)} ms → ours ${time(tileRun).toFixed(1)} ms`);
