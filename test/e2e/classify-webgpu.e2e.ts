/**
 * WebGPU (SwiftShader's software adapter here, ~20–30 s per ResNet50 image) gives the same classification as
 * wasm: the ImageNet ResNet50 on the elephant, chosen explicitly with ?backend=webgpu, then switched to wasm
 * in the UI; the top-5 probabilities agree within 1e-3.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launch, open, screenshot } from './browser';
import { classifyFiles, elephantFile, topOf, waitForModel } from './helpers-classify';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

test('webgpu and wasm agree on the elephant within 1e-3', async () => {
  const s = await open(browser, '/?view=classify&backend=webgpu');
  const status = s.page.getByTestId('backend-status');
  await expect.poll(() => status.textContent(), { timeout: 60_000 }).toMatch(/^Backend: webgpu/);
  await waitForModel(s.page);
  const gpuCard = await classifyFiles(s.page, [{ ...elephantFile(), name: 'elephant-webgpu.jpg' }], 240_000);
  await expect.poll(() => gpuCard.getByTestId('latency').textContent(), { timeout: 120_000 }).toMatch(/ms on webgpu/);
  const gpu = await topOf(gpuCard);
  await screenshot(s.page, 'classify-webgpu');

  await s.page.getByLabel('Backend').selectOption('wasm');
  await expect.poll(() => status.textContent(), { timeout: 60_000 }).toMatch(/^Backend: wasm/);
  const cpuCard = await classifyFiles(s.page, [{ ...elephantFile(), name: 'elephant-wasm.jpg' }]);
  await expect.poll(() => cpuCard.getByTestId('latency').textContent(), { timeout: 120_000 }).toMatch(/ms on wasm/);
  const wasm = await topOf(cpuCard);

  expect(gpu[0].index).toBe(386);
  expect(gpu.map((t) => t.index)).toEqual(wasm.map((t) => t.index));
  const diff = Math.max(...gpu.map((t, i) => Math.abs(t.probability - wasm[i].probability)));
  console.log(`webgpu vs wasm: max |Δp| over the top 5 = ${diff.toExponential(2)}`);
  expect(diff).toBeLessThan(1e-3);
  expect(s.errors).toEqual([]);
});
