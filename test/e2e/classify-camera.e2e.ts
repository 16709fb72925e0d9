/** The live camera in Chromium with its fake capture device: frames are classified continuously until stopped. */
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { baseUrl, screenshot } from './browser';
import { waitForModel } from './helpers-classify';

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-quic', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });
});
afterAll(async () => {
  await browser?.close();
});

test('camera: live top-5 that keeps updating, then stops', async () => {
  const context = await browser.newContext({ permissions: ['camera'] });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${baseUrl()}/?view=classify`);
  await waitForModel(page);
  await page.getByRole('button', { name: 'Use camera (live)' }).click();
  const latency = page.getByTestId('camera-latency');
  await latency.waitFor({ timeout: 60_000 });
  const seen = new Set<string>();
  for (let i = 0; i < 40 && seen.size < 3; i++) {
    seen.add((await latency.textContent()) ?? '');
    await page.waitForTimeout(250);
  }
  expect(seen.size).toBeGreaterThanOrEqual(2); // new frames, new timings
  expect(await page.locator('.cls-camera-live [data-index]').count()).toBe(5);
  await screenshot(page, 'classify-camera');
  await page.getByRole('button', { name: 'Stop camera' }).click();
  await expect.poll(() => page.locator('video').count()).toBe(0);
  expect(errors).toEqual([]);
  await context.close();
});
