import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fixture } from '../helpers/fixtures';
import { launch, open, screenshot } from './browser';
import { encodePng } from './png';


let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const pathOf = (page: Page, testId: string, series: string) =>
  page.locator(`[data-testid="${testId}"] path.series-${series}`).getAttribute('d');
const pointsOf = async (page: Page, series: string) =>
  Number((await page.locator(`[data-testid="race-loss"] path.series-${series}`).getAttribute('data-points')) ?? 0);

test('the lab: gradient chart with a BN toggle, a depth-20 race with live curves, trained filters', async () => {
  const s = await open(browser, '/?view=lab', { width: 1280, height: 1000 });
  const { page } = s;

  // Gradient flow at depth 56 with BN (the default) appears, with text that reads it.
  const chart = page.getByTestId('gradient-chart');
  await chart.waitFor({ timeout: 240_000 });
  const keyBN = await chart.getAttribute('data-key');
  const plainBN = await pathOf(page, 'gradient-chart', 'plain');
  expect(plainBN).toBeTruthy();
  await expect.poll(() => page.getByTestId('teaching').textContent().then((t) => t ?? ''), { timeout: 60_000 }).toMatch(/do not vanish/);

  // Race at depth 20 for a few steps: both curves grow and move.
  await page.getByLabel('Race depth').selectOption('20'); // the default is 32; 20 steps faster
  await page.getByLabel('Steps').fill('200'); // more than the test lets run: it pauses and resets the race itself
  await page.getByRole('button', { name: 'Start race' }).click();
  await expect.poll(() => pointsOf(page, 'plain'), { timeout: 180_000, interval: 500 }).toBeGreaterThanOrEqual(2);
  const early = { plain: await pathOf(page, 'race-loss', 'plain'), residual: await pathOf(page, 'race-loss', 'residual') };
  await expect.poll(() => pointsOf(page, 'residual'), { timeout: 180_000, interval: 500 }).toBeGreaterThanOrEqual(5);
  expect(await pathOf(page, 'race-loss', 'plain')).not.toBe(early.plain);
  expect(await pathOf(page, 'race-loss', 'residual')).not.toBe(early.residual);
  await expect.poll(() => page.getByTestId('race-status').textContent().then((t) => t ?? ''), { timeout: 120_000 }).toMatch(/steps\/s/);
  await screenshot(page, 'lab-race-running');

  // Pause: announced once the worker's loop has stopped (the step in flight landed), so the count is final;
  // resume continues.
  const raceStatus = () => page.getByTestId('race-status').textContent().then((t) => t ?? '');
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect.poll(raceStatus, { timeout: 120_000 }).toMatch(/paused at step \d+/);
  const pausedAt = await pointsOf(page, 'plain');
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(() => pointsOf(page, 'plain'), { timeout: 120_000, interval: 500 }).toBeGreaterThan(pausedAt);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect.poll(raceStatus, { timeout: 120_000 }).toMatch(/paused at step \d+/);
  const pausedAgainAt = await pointsOf(page, 'plain');

  // Toggle BN off: the chart is redrawn with different data, and the text says something else. The same worker
  // computes it while the race is paused: the race must not have moved meanwhile.
  await page.getByLabel('Batch normalization').uncheck();
  await expect.poll(() => chart.getAttribute('data-key'), { timeout: 240_000, interval: 500 }).not.toBe(keyBN);
  expect(await pathOf(page, 'gradient-chart', 'plain')).not.toBe(plainBN);
  await expect.poll(() => page.getByTestId('teaching').textContent().then((t) => t ?? ''), { timeout: 30_000 }).toMatch(/Without batch normalization/);
  expect(await pointsOf(page, 'plain')).toBe(pausedAgainAt);
  expect(await raceStatus()).toMatch(/paused at step \d+/);
  await screenshot(page, 'lab-gradients-no-bn');

  // Reset clears the curves.
  await page.getByRole('button', { name: 'Reset' }).click();
  await expect.poll(() => pointsOf(page, 'plain')).toBe(0);

  // Trained weights: upload the akamaster ResNet-20 npz, see its 16 first-layer filters.
  await page.getByLabel('akamaster weights file').setInputFiles(fixture('cifar-akamaster', 'resnet20-12fca82f.npz'));
  const trained = page.getByTestId('trained');
  await trained.waitFor({ timeout: 120_000 });
  expect(await trained.locator('canvas.lab-filter').count()).toBe(16);
  await trained.scrollIntoViewIfNeeded();
  await screenshot(page, 'lab-trained-filters');

  expect(s.errors).toEqual([]);
  await page.context().close();
});

test('a bad weights file and a bad learning rate give clear messages; the lab keeps working', async () => {
  const s = await open(browser, '/?view=lab');
  const { page } = s;
  await page.getByLabel('Learning rate').fill('fast');
  await expect.poll(() => page.getByRole('alert').first().textContent().then((t) => t ?? '')).toMatch(/received “fast”/);
  expect(await page.getByRole('button', { name: 'Start race' }).isDisabled()).toBe(true);
  await page.getByLabel('akamaster weights file').setInputFiles({ name: 'weights.npz', mimeType: 'application/octet-stream', buffer: Buffer.from('not a zip') });
  await expect.poll(() => page.locator('.lab-error').allInnerTexts(), { timeout: 60_000 }).toContainEqual(expect.stringMatching(/not a zip/));
  await page.getByLabel('Learning rate').fill('0.1');
  expect(await page.getByRole('button', { name: 'Start race' }).isDisabled()).toBe(false);
  await page.context().close();
});

test('a race on the user\'s own folder of images (one sub-folder per class)', async () => {
  // Two classes: a bright disc and a dark square on noise, 8 images each, 24×24 PNGs.
  const root = mkdtempSync(join(tmpdir(), 'lab-folder-'));
  const dir = join(root, 'mine');
  for (const cls of ['discs', 'squares']) {
    mkdirSync(join(dir, cls), { recursive: true });
    for (let i = 0; i < 8; i++) {
      const rgb = new Uint8Array(24 * 24 * 3);
      for (let y = 0; y < 24; y++)
        for (let x = 0; x < 24; x++) {
          const inside = cls === 'discs' ? (x - 12) ** 2 + (y - 12) ** 2 < 49 : Math.abs(x - 12) < 6 && Math.abs(y - 12) < 6;
          for (let c = 0; c < 3; c++) rgb[(y * 24 + x) * 3 + c] = inside ? (cls === 'discs' ? 230 : 20) : ((x * 7 + y * 13 + i * 31 + c * 5) % 120) + 60;
        }
      writeFileSync(join(dir, cls, `${i}.png`), encodePng(24, 24, rgb));
    }
  }
  writeFileSync(join(dir, 'README.txt'), 'not an image');
  const s = await open(browser, '/?view=lab', { width: 1280, height: 1000 });
  const { page } = s;
  await page.getByLabel('Data').selectOption('custom');
  expect(await page.getByRole('button', { name: 'Start race' }).isDisabled()).toBe(true);
  await page.getByLabel('image folder').setInputFiles(dir);
  const loaded = page.getByTestId('folder-loaded');
  await loaded.waitFor({ timeout: 60_000 });
  expect(await loaded.textContent()).toMatch(/16 images in 2 classes \(discs, squares\)/);
  expect(await loaded.textContent()).toMatch(/Skipped 1/);
  await page.getByLabel('Steps').fill('10');
  await page.getByRole('button', { name: 'Start race' }).click();
  await expect.poll(() => pointsOf(page, 'residual'), { timeout: 120_000, interval: 500 }).toBeGreaterThanOrEqual(2);
  await screenshot(page, 'lab-race-own-images');
  expect(s.errors).toEqual([]);
  await page.context().close();
});
