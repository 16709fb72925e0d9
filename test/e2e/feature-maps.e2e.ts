/**
 * Feature maps of the real network in Chromium: before any image, Explore says how to get one; after the
 * Keras elephant is classified in Classify, selecting conv2_block1_out in Explore shows its channel grid
 * (sorted by mean, one stated colour scale) and the block's residual branch, projection shortcut, their sum
 * and the ReLU side by side. Screenshots in test-output/screenshots.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launch, open, screenshot } from './browser';
import { classifyFiles, elephantFile, waitForModel } from './helpers-classify';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const node = (id: string) => `svg.diagram-svg g.node[data-node-id="${id}"]`;

async function find(page: Page, id: string) {
  await page.getByLabel('Find a layer by name').fill(id);
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  await expect.poll(() => page.locator(`${node(id)}.selected`).count()).toBe(1);
}

/** Distinct RGB values drawn on a tile canvas (a blank or one-colour canvas has ≤ 1). */
const distinctColours = (page: Page, selector: string) =>
  page.locator(selector).evaluate((c) => {
    const cv = c as HTMLCanvasElement;
    const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
    const set = new Set<number>();
    for (let i = 0; i < d.length; i += 4) set.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return set.size;
  });

test('Explore before any image: the panel says to classify one in Classify', async () => {
  const s = await open(browser, '/?view=explore&model=ResNet50&sel=conv2_block1_out');
  const panel = s.page.getByTestId('feature-maps');
  await expect.poll(() => panel.getByTestId('fm-message').textContent()).toMatch(/No model has been loaded in this page yet\. Open Classify/);
  expect(await panel.getByRole('link', { name: 'Classify' }).count()).toBe(1);
  expect(s.errors).toEqual([]);
  await s.page.context().close();
});

test('the elephant in Classify, then conv2_block1_out in Explore: branch + shortcut = sum side by side, and the channel grid', async () => {
  const s = await open(browser, '/?view=classify', { width: 1280, height: 1100 });
  const { page } = s;
  await waitForModel(page);
  await classifyFiles(page, [elephantFile()]);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Explore' }).click();
  await page.locator(node('conv2_block1')).waitFor({ timeout: 60_000 });

  // A layer inside the branch: a grid, no residual comparison.
  await find(page, 'conv2_block1_2_conv');
  const panel = page.getByTestId('feature-maps');
  await expect.poll(() => panel.getAttribute('data-layer')).toBe('conv2_block1_2_conv');
  await expect.poll(() => panel.getByTestId('fm-grid').getAttribute('data-total'), { timeout: 120_000 }).toBe('64');
  expect(await panel.getByTestId('fm-parts').count()).toBe(0);

  await find(page, 'conv2_block1_out');
  await expect.poll(() => panel.getAttribute('data-layer')).toBe('conv2_block1_out');
  const parts = panel.getByTestId('fm-parts');
  await parts.waitFor({ timeout: 120_000 });
  expect(await parts.getAttribute('data-block')).toBe('conv2_block1');
  expect(await parts.locator('thead th[data-layer]').evaluateAll((ths) => ths.map((t) => t.getAttribute('data-layer')))).toEqual([
    'conv2_block1_3_bn',
    'conv2_block1_0_bn',
    'conv2_block1_add',
    'conv2_block1_out',
  ]);
  expect(await parts.locator('tbody tr').count()).toBe(8);
  expect(await parts.locator('canvas.fm-tile').count()).toBe(32);
  // One diverging scale for all four columns (BN outputs are signed), stated with its numbers.
  const partsLegend = parts.getByTestId('fm-legend');
  expect(await partsLegend.getAttribute('data-diverging')).toBe('true');
  expect(Number(await partsLegend.getAttribute('data-lo'))).toBe(-Number(await partsLegend.getAttribute('data-hi')));
  expect(await partsLegend.textContent()).toMatch(/One linear colour scale shared by all four columns.*not per channel/);
  expect(await distinctColours(page, '[data-testid="fm-parts"] canvas.fm-tile >> nth=2')).toBeGreaterThan(20);

  // The grid: 64 of 256 channels, by descending mean, with its own stated scale; the shape and name shown.
  const grid = panel.getByTestId('fm-grid');
  expect(await grid.getAttribute('data-channels')).toBe('64');
  expect(await grid.getAttribute('data-total')).toBe('256');
  const means = await grid.locator('figure[data-mean]').evaluateAll((fs) => fs.map((f) => Number(f.getAttribute('data-mean'))));
  expect(means).toHaveLength(64);
  for (let i = 1; i < means.length; i++) expect(means[i]).toBeLessThanOrEqual(means[i - 1]);
  expect(await panel.textContent()).toMatch(/conv2_block1_out, output 56×56×256, for elephant\.jpg \(ResNet50\)/);
  expect(await panel.textContent()).toMatch(/64 of 256 channels, by mean activation/);
  // The block output is a ReLU output: a sequential scale from 0.
  const gridLegend = panel.getByTestId('fm-legend').last();
  expect(await gridLegend.getAttribute('data-diverging')).toBe('false');
  expect(await gridLegend.getAttribute('data-lo')).toBe('0');
  expect(await distinctColours(page, '[data-testid="fm-grid"] canvas.fm-tile >> nth=0')).toBeGreaterThan(20);

  await parts.evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await screenshot(page, 'explore-feature-maps-conv2_block1');
  await panel.locator('h3', { hasText: 'channels, by mean activation' }).evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await screenshot(page, 'explore-feature-maps-conv2_block1-grid');

  await panel.getByRole('button', { name: 'Show all 256 channels' }).click();
  await expect.poll(() => panel.getByTestId('fm-grid').getAttribute('data-channels'), { timeout: 120_000 }).toBe('256');
  expect(s.errors).toEqual([]);
});
