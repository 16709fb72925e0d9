/**
 * The wasm heap Classify's worker prepares for the ImageNet ResNet50 (src/tf/wasm-memory.ts, IMAGENET_HEAP_BYTES)
 * holds what that model fills, with room, but not much more (every prepared MiB is touched on a start, ≈ 3–4 ms per
 * MB on the 2-core test machine). Measured as the browser's load does it, in a process of its own (vitest runs each
 * file in its own): tfjs-backend-wasm in Node, the float16 weights decoded straight into the inference runner,
 * then the small warm-up that sets up every XNNPACK operator. The heap's high-water mark is the highest byte that
 * is not zero: emscripten's heap starts zeroed and grows 20 % at a time, so its size alone overstates it.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { imagenetResNet50Json, readLayersModel } from '../../src/tf/node-io';
import { initNodeWasm } from '../../src/tf/node-wasm';
import { IMAGENET_HEAP_BYTES } from '../../src/tf/wasm-memory';
import { imagenetRunner } from '../../src/tf/weights-source';
import { warmUpRunner } from '../../src/worker/engine-host';
import { requireWeights, SKIP_WEIGHTS } from '../helpers/fixtures';

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
  it('holds the runner, its packed kernels and a warm-up with at least 16 MiB to spare, and wastes under 64 MiB', { timeout: 180_000 }, async () => {
    requireWeights();
    const artifacts = await readLayersModel(imagenetResNet50Json('float16'));
    const { runner } = imagenetRunner(artifacts);
    await warmUpRunner(runner);
    const used = highWater();
    runner.dispose();
    expect(tf.backend() && tf.getBackend()).toBe('wasm');
    // 285 MiB measured (tfjs 4.22): the runner's weights, tfjs' transposed kernels and XNNPACK's packed ones.
    expect(used).toBeLessThan(IMAGENET_HEAP_BYTES - 16 * MiB);
    expect(used).toBeGreaterThan(IMAGENET_HEAP_BYTES - 64 * MiB);
  });
});
