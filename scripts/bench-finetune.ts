/**
 * Fine-tuning speed in Node on wasm (ResNet50, real ImageNet weights): feature extraction per image with and
 * without the mirror, and head training per epoch for 16, 64 and 256 examples (2048 features, 2 classes).
 * `npx tsx scripts/bench-finetune.ts`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, report } from './bench-util';
import { fixturesDir } from './paths.mjs';

const tf = await import('@tensorflow/tfjs');
const { initNodeBackend } = await import('../src/tf/node-backend');
const { IMAGENET_RESNET50_JSON, readLayersModel } = await import('../src/tf/node-io');
const { imagenetResNet50, imagenetResNet50Spec } = await import('../src/tf/imagenet');
const { decodeImage } = await import('../src/tf/node-image');
const { featureExtractor, imageFeatures, trainHead } = await import('../src/tf/finetune');

if (!existsSync(IMAGENET_RESNET50_JSON)) {
  console.error('ImageNet weights missing: run `node scripts/setup-weights.mjs` first.');
  process.exit(1);
}
const fixtures = fixturesDir();
await initNodeBackend('wasm');
const model = imagenetResNet50(await readLayersModel(IMAGENET_RESNET50_JSON));
const extractor = featureExtractor(model);
const img = decodeImage(new Uint8Array(readFileSync(join(fixtures, 'imagenet', 'elephant.jpg'))), 'elephant.jpg');
const spec = imagenetResNet50Spec();

for (const flip of [false, true]) {
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    const f = imageFeatures(extractor, spec, img, flip);
    await f.data();
    f.dispose();
    if (i > 0) times.push(performance.now() - t0);
  }
  report(`fine-tune features per image${flip ? ' + its mirror' : ''} (Node wasm)`, median(times), 'ms');
}
for (const n of [16, 64, 256]) {
  const x = tf.randomNormal([n, 2048], 0.5, 0.5, 'float32', 1) as import('@tensorflow/tfjs').Tensor2D;
  const labels = Array.from({ length: n }, (_, i) => i % 2);
  const head = await trainHead({ x, labels }, 2, { epochs: 10, batchSize: 16 });
  report(`fine-tune head training per epoch, ${n} examples, batch 16 (Node wasm)`, median(head.history.slice(1).map((l) => l.ms)), 'ms');
  tf.dispose([x, ...head.weights]);
}
img.dispose();
model.dispose();
