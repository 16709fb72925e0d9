/**
 * Export panel in real Chromium: Explore exports ResNet-20 as Keras code (random weights, then structure only),
 * the zip download is unpacked and its model.py read back against the graph; a large export is cancelled; the
 * page keeps drawing frames throughout and requests nothing off its own origin. Classify exports the current
 * model (ImageNet ResNet50) with its weights.
 */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { expand, getPreset } from '../../src/core';
import { readKerasH5 } from '../../src/tf/h5/keras-h5';
import { readKerasModelPy } from '../unit/helpers/keras-code';
import { baseUrl, launch, open, screenshot } from './browser';
import { waitForModel } from './helpers-classify';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** Click Export, wait for the zip download, return its files. */
async function exportZip(page: Page, timeout = 120_000): Promise<{ name: string; files: Record<string, Uint8Array> }> {
  const download = page.waitForEvent('download', { timeout });
  await page.getByRole('button', { name: 'Export and download .zip' }).click();
  const d: Download = await download;
  return { name: d.suggestedFilename(), files: unzipSync(readFileSync((await d.path())!)) };
}

/** Longest gap between animation frames since the call, in ms (the page must keep drawing while the worker exports). */
async function watchFrames(page: Page): Promise<() => Promise<number>> {
  await page.evaluate(() => {
    const w = window as unknown as { __maxGap: number; __last: number };
    w.__maxGap = 0;
    w.__last = performance.now();
    const tick = (t: number) => {
      w.__maxGap = Math.max(w.__maxGap, t - w.__last);
      w.__last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  return () => page.evaluate(() => (window as unknown as { __maxGap: number }).__maxGap);
}

test('Explore: ResNet-20 as Keras code, random weights then structure only; a cancelled export', async () => {
  const s = await open(browser, '/?view=explore&model=ResNet-20');
  const { page } = s;
  const panel = page.getByTestId('export-panel');
  await panel.locator('summary').click();
  await page.getByLabel('Export format').selectOption('keras');
  const maxGap = await watchFrames(page);

  const random = await exportZip(page);
  expect(random.name).toBe('resnet-20-keras.zip');
  expect(Object.keys(random.files).sort()).toEqual(['resnet-20-keras/README.md', 'resnet-20-keras/model.py', 'resnet-20-keras/train.py', 'resnet-20-keras/weights.h5']);
  const graph = expand(getPreset('ResNet-20'));
  const layers = readKerasModelPy(new TextDecoder().decode(random.files['resnet-20-keras/model.py']));
  expect(layers.map((l) => l.name)).toEqual(graph.nodes.map((n) => n.id));
  const h5 = await readKerasH5(random.files['resnet-20-keras/weights.h5']);
  expect(h5.layers.find((l) => l.layer === 'predictions')!.weights.map((w) => w.shape)).toEqual([[64, 10], [10]]);

  const result = page.getByTestId('export-result');
  await expect.poll(() => result.textContent()).toContain('weights: random (untrained)');
  const rows = await result.locator('tbody tr').allTextContents();
  expect(rows.map((r) => r.replace(/\s+/g, ' '))).toEqual([
    expect.stringMatching(/^resnet-20-keras\/model\.py\d+\.\d KBPython source$/),
    expect.stringMatching(/^resnet-20-keras\/train\.py\d+\.\d KBtraining script \(python train\.py\)$/),
    expect.stringMatching(/^resnet-20-keras\/weights\.h5\d+\.\d (KB|MB)Keras weights, HDF5 \(load_weights by_name\)$/),
    expect.stringMatching(/^resnet-20-keras\/README\.md\d+(\.\d)? (B|KB)how to run it$/),
  ]);
  expect(await result.textContent()).toContain('Runs with: TensorFlow 2.x, tf.keras or Keras 3 (Python)');
  const train = await page.getByRole('region', { name: 'Train it for real' }).textContent();
  expect(train).toContain('MultiWorkerMirroredStrategy');
  expect(train).toContain('TF_CONFIG=');
  await screenshot(page, 'export-explore');

  await page.getByLabel('structure only').check();
  await expect.poll(() => result.count()).toBe(0);
  const bare = await exportZip(page);
  expect(Object.keys(bare.files).sort()).toEqual(['resnet-20-keras/README.md', 'resnet-20-keras/model.py', 'resnet-20-keras/train.py']);
  await expect.poll(() => result.textContent()).toContain('weights: none (structure only)');

  expect(await maxGap()).toBeLessThan(3000);

  // ResNet-1202 with random weights is large enough to cancel while it is built or read back.
  await page.goto(`${baseUrl()}/?view=explore&model=ResNet-1202`);
  await page.getByTestId('export-panel').locator('summary').click();
  const maxGapCancel = await watchFrames(page);
  await page.getByRole('button', { name: 'Export and download .zip' }).click();
  await page.getByRole('button', { name: 'Cancel' }).waitFor();
  await screenshot(page, 'export-progress');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect.poll(() => page.getByRole('alert').allTextContents(), { timeout: 120_000 }).toContain('Export cancelled; nothing was written.');
  await screenshot(page, 'export-cancelled');
  expect(await maxGapCancel()).toBeLessThan(3000);
  const own = new URL(baseUrl()).origin;
  expect(s.requests.filter((u) => !u.startsWith(own) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);
  expect(s.errors).toEqual([]);
});

test('Classify: the current model (ImageNet ResNet50) with its weights', async () => {
  const s = await open(browser, '/?view=classify');
  const { page } = s;
  await waitForModel(page);
  await page.getByTestId('export-panel').locator('summary').click();
  await expect.poll(() => page.getByTestId('export-current').textContent()).toMatch(/Current model: ResNet50, weights: ImageNet/);
  await page.getByTestId('export-panel').getByLabel('Export format').selectOption('keras');
  const { name, files } = await exportZip(page, 240_000);
  expect(name).toBe('resnet50-keras.zip');
  const model = new TextDecoder().decode(files['resnet50-keras/model.py']);
  expect(readKerasModelPy(model).map((l) => l.name)).toEqual(expand(getPreset('ResNet50')).nodes.map((n) => n.id));
  expect(model).toContain("PREPROCESSING = {'mode': 'caffe', 'channel_order': 'BGR'");
  const h5 = await readKerasH5(files['resnet50-keras/weights.h5']);
  const dense = h5.layers.find((l) => l.layer === 'predictions')!;
  expect(dense.weights.map((w) => w.shape)).toEqual([[2048, 1000], [1000]]);
  // Trained weights, not an initializer's: the ImageNet classifier bias is not all zeros.
  expect(dense.weights[1].data.some((v) => v !== 0)).toBe(true);
  await expect.poll(() => page.getByTestId('export-result').textContent()).toContain('weights: ImageNet (Keras ResNet50');
  await page.getByTestId('export-result').scrollIntoViewIfNeeded();
  await screenshot(page, 'export-classify');
  expect(s.errors).toEqual([]);
});
