/**
 * onnxruntime-web as Classify's engine in real Chromium (the built app, cross-origin isolated, our CSP): chosen in
 * the Model panel, the worker exports the loaded ImageNet ResNet50 to ONNX and runs it on ort's wasm with threads;
 * the elephant gets tfjs' top-5 with probabilities within 1e-4, the status bar names the engine and its threads,
 * Grad-CAM still works (tfjs), and switching back to tfjs works. ort's .wasm is served from our origin.
 */
import { expect, test } from 'vitest';
import { screenshot } from './browser';
import { classifyFiles, classifySession, elephantFile, topOf, waitForModel } from './helpers-classify';

const s = classifySession();

test('Engine onnxruntime-web: same top-5 as tfjs within 1e-4, the status bar names it with its threads', async () => {
  const page = s.page;
  await waitForModel(page);
  const tfjsCard = await classifyFiles(page, [{ ...elephantFile(), name: 'tfjs.jpg' }]);
  const ref = await topOf(tfjsCard);
  const engine = page.getByTestId('engine-status');
  await expect.poll(() => engine.textContent()).toMatch(/^Engine: tfjs \(wasm, \d+ threads?\)$/);

  await page.getByLabel('Engine').selectOption('onnxruntime-web');
  // headless Chromium reports 2 cores here; the app caps ort at 4 threads.
  await expect.poll(() => engine.textContent(), { timeout: 180_000, interval: 500 }).toMatch(/^Engine: onnxruntime-web \(wasm, [1-4] threads?\)$/);
  const threads = Number(/\((?:wasm), (\d+)/.exec((await engine.textContent()) ?? '')![1]);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  expect(threads).toBe(Math.min(cores, 4));

  const card = await classifyFiles(page, [{ ...elephantFile(), name: 'ort.jpg' }]);
  const got = await topOf(card);
  expect(got[0].index).toBe(386); // African_elephant
  expect(got.map((t) => t.index)).toEqual(ref.map((t) => t.index));
  got.forEach((t, i) => {
    expect(Math.abs(t.probability - ref[i].probability)).toBeLessThan(1e-4);
  });
  await expect.poll(() => card.getByTestId('latency').textContent()).toMatch(/^\d+ ms on onnxruntime-web \(wasm, \d threads?\) · Grad-CAM \d+ ms/);
  await expect.poll(() => card.getByRole('img').getAttribute('aria-label')).toMatch(/Grad-CAM heat map for class 386/);
  // ort's binary came from our origin.
  const base = new URL(page.url()).origin;
  expect(s.requests.some((u) => u.startsWith(base) && /ort-wasm-simd-threaded.*\.wasm$/.test(u))).toBe(true);
  expect(s.requests.filter((u) => !u.startsWith(base) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);
  expect(s.errors.filter((e) => !/Chromium|SwiftShader|webgpu|WebGPU/i.test(e))).toEqual([]);
  await screenshot(page, 'classify-ort');

  await page.getByLabel('Engine').selectOption('tfjs');
  await expect.poll(() => engine.textContent(), { timeout: 60_000 }).toMatch(/^Engine: tfjs/);
  const back = await classifyFiles(page, [{ ...elephantFile(), name: 'tfjs-again.jpg' }]);
  expect((await topOf(back))[0].index).toBe(386);
  await expect.poll(() => back.getByTestId('latency').textContent()).toMatch(/^\d+ ms on wasm/);
});

test('the Model panel shows the phases of the last load with their times', async () => {
  const phases = await s.page.getByTestId('load-phases').textContent();
  expect(phases).toMatch(/^Last load: (start|cache) \d/);
  // The ImageNet model classifies on a runner made straight from its weights: no build phase (issue 11).
  expect(phases).toMatch(/weights \d+(\.\d)? (ms|s) · warmup \d+(\.\d)? (ms|s)$/);
  expect(phases).not.toMatch(/build/);
});
