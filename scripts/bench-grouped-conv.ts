/**
 * Grouped convolution on tfjs-wasm: our GroupConv2D (one depthwise conv + reshape-sum) against the naive
 * split → 32 convs → concat, on ResNeXt50's conv3 grouped 3×3 (28×28×256, cardinality 32), and a whole
 * ResNeXt50 next to ResNet50 at 224×224, batch 1.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { getPreset } from '../src/core';
import { buildModel } from '../src/tf/build';
import { GroupConv2D } from '../src/tf/layers';
import { medianMs, report } from './bench-util';

const require = createRequire(import.meta.url);
setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
await tf.setBackend('wasm');

const groups = 32;
const x = tf.randomNormal([1, 30, 30, 256]) as tf.Tensor4D;
const layer = new GroupConv2D({ name: 'g', filters: 256, kernelSize: 3, strides: 1, groups, padding: 'valid', useBias: false });
layer.apply(x);
const [k] = layer.getWeights() as [tf.Tensor4D];
const per = 256 / groups;
const kernels = Array.from({ length: groups }, (_, g) => k.slice([0, 0, g * per, 0], [3, 3, per, per]) as tf.Tensor4D);
const ours = medianMs(() => layer.apply(x) as tf.Tensor, 20);
const naive = medianMs(() => tf.tidy(() => tf.concat(tf.split(x, groups, 3).map((xg, g) => tf.conv2d(xg as tf.Tensor4D, kernels[g], 1, 'valid')), 3)), 20);
report('wasm: grouped 3×3 conv 28×28×256 g32, depthwise+sum', ours, 'ms');
report('wasm: same, split → 32 conv2d → concat', naive, 'ms');

for (const name of ['ResNet50', 'ResNeXt50']) {
  const model = buildModel(getPreset(name));
  const input = tf.randomNormal([1, 224, 224, 3]);
  report(`wasm: ${name} forward, batch 1, 224×224`, medianMs(() => model.predict(input) as tf.Tensor, 5), 'ms');
  input.dispose();
  model.dispose();
}
