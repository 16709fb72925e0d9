/**
 * The wasm heap Classify's worker prepares for the ImageNet ResNet50 (src/tf/wasm-memory.ts, IMAGENET_HEAP_BYTES)
 * holds what that model fills by its first classification, with room, but not much more (every prepared MiB is
 * touched on a start, ≈ 3–4 ms per MB on the 2-core test machine). Measured as the model worker does it, in a process
 * of its own (vitest runs each file in its own): tfjs-backend-wasm in Node, the float16 weights decoded straight into
 * the inference runner, the small warm-up that sets up every XNNPACK operator (freeing each conv's kernel once set
 * up), then the elephant classified with its Grad-CAM map. The heap's high-water mark is its highest byte that is not
 * zero: emscripten's heap starts zeroed and grows 20 % at a time, so its size alone overstates it.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { imagenetResNet50Spec } from '../../src/tf/imagenet';
import { runInference, runnerPredictor } from '../../src/tf/inference';
import { decodeImage } from '../../src/tf/node-image';
import { imagenetResNet50Json, readLayersModel } from '../../src/tf/node-io';
import { initNodeWasm } from '../../src/tf/node-wasm';
import { IMAGENET_HEAP_BYTES } from '../../src/tf/wasm-memory';
import { imagenetRunner } from '../../src/tf/weights-source';
import { warmUpRunner } from '../../src/worker/engine-host';
import { fixture, requireWeights, SKIP_WEIGHTS } from '../helpers/fixtures';

const MiB = 2 ** 20;

/** Bytes up to the last non-zero word of the wasm heap. */
function highWater(): number {
  const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8;
  const words = new Uint32Array(heap.buffer, 0, heap.byteLength >> 2);
  let i = words.length - 1;
  while (i > 0 && words[i] === 0) i--;
  return (i + 1) * 4;
}

beforeAll(async () => {
  await initNodeWasm();
});

describe.skipIf(SKIP_WEIGHTS)('the prepared heap for the ImageNet ResNet50', () => {
  it('holds the load, the warm-up and a first classification with Grad-CAM, with 16–48 MiB to spare', { timeout: 180_000 }, async () => {
    requireWeights();
    const artifacts = await readLayersModel(imagenetResNet50Json('float16'));
    const { runner, spec } = imagenetRunner(artifacts);
    await warmUpRunner(runner, { ownsKernels: true }); // as the model worker warms the ImageNet model up
    const afterWarmUp = highWater();
    const img = decodeImage(readFileSync(fixture('imagenet', 'elephant.jpg')), 'elephant.jpg');
    const result = await runInference(runnerPredictor(runner)!, imagenetResNet50Spec(), img);
    img.dispose();
    const used = highWater();
    runner.dispose();
    expect(spec.name).toBe(imagenetResNet50Spec().name);
    expect(result.top[0].index).toBe(386);
    expect(result.heat?.values.length).toBe(49);
    expect(tf.getBackend()).toBe('wasm');
    // Measured (tfjs 4.22): 161 MiB after the warm-up, 197 MiB after the classification, with our 1×1 and
    // Winograd 3×3 convs (205 / 243 MiB with XNNPACK's 1×1 convs, 203 / 236 MiB with all convs XNNPACK's).
    expect(afterWarmUp).toBeLessThan(used);
    expect(used).toBeLessThan(IMAGENET_HEAP_BYTES - 16 * MiB);
    expect(used).toBeGreaterThan(IMAGENET_HEAP_BYTES - 48 * MiB);
  });
});
