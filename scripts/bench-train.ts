/**
 * Time training steps on tfjs wasm in Node (with the wasm training kernels): ResNet-20 and its plain twin at
 * batch 32, 32×32. `npx tsx scripts/bench-train.ts [depth] [batch] [steps]`.
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../src/tf/build';
import { labSpec } from '../src/core/lab/variants';
import { initNodeWasm } from '../src/tf/node-wasm';
import { reinitialize } from '../src/tf/init';
import { createTrainer, trainStep } from '../src/tf/train';

const [depth = 20, batch = 32, steps = 6] = process.argv.slice(2).map(Number);
await initNodeWasm();
for (const residual of [true, false]) {
  const spec = labSpec({ depth, residual });
  const model = buildModel(spec);
  reinitialize(model, { init: 'he', seed: 1 });
  const t = createTrainer(model, { learningRate: 1e-3, warmupSteps: 0, totalSteps: steps, decay: 'constant' });
  const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32');
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    trainStep(t, x, y);
    times.push(performance.now() - t0);
  }
  const sorted = times.slice(1).sort((a, b) => a - b);
  console.log(`${spec.name} batch ${batch}: first step ${times[0].toFixed(0)} ms, median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms (wasm, ${tf.memory().numTensors} tensors)`);
  x.dispose();
  y.dispose();
  t.optimizer.dispose();
  model.dispose();
}
