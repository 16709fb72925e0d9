/** The live camera in Chromium with its fake capture device: frames are classified continuously until stopped. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { baseUrl, launch, newPage, screenshot } from './browser';
import { waitForModel } from './helpers-classify';

let browser: Browser;
beforeAll(async () => {
  // Chromium's fake capture device (a moving test pattern) and auto-accepted camera prompt.
  browser = await launch({ gpu: false, args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
});
afterAll(async () => {
  await browser?.close();
});

test('camera: live top-5 that keeps updating, then stops', async () => {
  const page = await newPage(browser, { permissions: ['camera'] });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${baseUrl()}/?view=classify`);
  await waitForModel(page);
  await page.getByRole('button', { name: 'Use camera (live)' }).click();
  const latency = page.getByTestId('camera-latency');
  await latency.waitFor({ timeout: 60_000 });
  // New frames, new timings: collect the latency texts until they have changed twice (a frame takes ~0.5 s on
  // wasm; allow for a busy machine).
  const seen = new Set<string>();
  await expect
    .poll(
      async () => {
        seen.add((await latency.textContent()) ?? '');
        return seen.size;
      },
      { timeout: 120_000, interval: 200 },
    )
    .toBeGreaterThanOrEqual(3);
  expect(await page.locator('.cls-camera-live [data-index]').count()).toBe(5);
  await screenshot(page, 'classify-camera');
  await page.getByRole('button', { name: 'Stop camera' }).click();
  await expect.poll(() => page.locator('video').count(), { timeout: 30_000 }).toBe(0);
  expect(errors).toEqual([]);
  await page.context().close();
});
