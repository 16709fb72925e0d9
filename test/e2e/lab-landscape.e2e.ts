import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launch, open, screenshot } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

test('after a short race: a 5×5 loss landscape of both nets (contours, slice, one colour scale), cancel, and the layer responses', async () => {
  const s = await open(browser, '/?view=lab', { width: 1280, height: 1100 });
  const { page } = s;
  const text = (id: string) => page.getByTestId(id).textContent().then((t) => t ?? '');

  // Before a race the analyses are disabled.
  await page.getByRole('button', { name: 'Start race' }).waitFor();
  expect(await page.getByRole('button', { name: 'Compute landscape' }).isDisabled()).toBe(true);
  expect(await page.getByRole('button', { name: 'Measure layer responses' }).isDisabled()).toBe(true);

  // The smallest race: depth 20, 10 steps.
  await expect.poll(() => page.getByRole('button', { name: 'Start race' }).isDisabled(), { timeout: 120_000 }).toBe(false);
  await page.getByLabel('Race depth').selectOption('20'); // the default is 32
  await page.getByLabel('Steps').fill('10');
  await page.getByRole('button', { name: 'Start race' }).click();
  await expect.poll(() => text('race-status'), { timeout: 300_000, interval: 500 }).toMatch(/done: 10 steps/);

  // The estimate is timed, then shown for the chosen grid.
  await page.getByLabel('Grid size').selectOption('5');
  await page.getByLabel('Evaluation images').selectOption('64');
  await expect.poll(() => text('landscape-estimate'), { timeout: 180_000, interval: 500 }).toMatch(/25 grid points × \d+ ms .* 64 images.*≈ \d+ s/);

  // Cancel: a larger scan stops and says so.
  await page.getByLabel('Grid size').selectOption('11');
  await page.getByRole('button', { name: 'Compute landscape' }).click();
  await expect.poll(() => page.getByRole('status').allInnerTexts(), { timeout: 120_000, interval: 300 }).toContainEqual(expect.stringMatching(/grid point \d+ \/ 121/));
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect.poll(() => page.getByText('Cancelled; the trained weights are unchanged.').count(), { timeout: 120_000 }).toBe(1);

  // The 5×5 scan.
  await page.getByLabel('Grid size').selectOption('5');
  await page.getByRole('button', { name: 'Compute landscape' }).click();
  const result = page.getByTestId('landscape-result');
  await result.waitFor({ timeout: 600_000 });
  const contours = result.getByTestId('landscape-contour');
  expect(await contours.count()).toBe(2);
  for (const i of [0, 1]) expect(await contours.nth(i).locator('path.landscape-level').count()).toBeGreaterThan(2);
  expect(await contours.nth(0).textContent()).toMatch(/plain-20: loss at the centre \(\+\) \d\.\d{3}/);
  expect(await contours.nth(1).textContent()).toMatch(/ResNet-20: loss at the centre/);
  for (const series of ['plain', 'residual']) expect(await result.locator(`[data-testid="landscape-slice"] path.series-${series}`).getAttribute('d')).toMatch(/^M/);
  expect(await result.getByTestId('landscape-legend').locator('stop').count()).toBe(11);
  expect(await result.textContent()).toMatch(/5 × 5 grid.*64 images/);
  await result.scrollIntoViewIfNeeded();
  await screenshot(page, 'lab-landscape');

  // Layer responses (He et al. Fig. 7): 19 layers of 3×3 in a 20-layer net, and a verdict.
  await page.getByRole('button', { name: 'Measure layer responses' }).click();
  const verdict = page.getByTestId('responses-verdict');
  await verdict.waitFor({ timeout: 300_000 });
  expect(await verdict.textContent()).toMatch(/in \d+ of 19 layers; mean std \d\.\d{3} vs \d\.\d{3}\. (This agrees|No clear difference|This does not agree)/);
  await page.getByTestId('responses-result').scrollIntoViewIfNeeded();
  await screenshot(page, 'lab-responses');

  expect(s.errors).toEqual([]);
  await page.context().close();
}, 1_200_000);
