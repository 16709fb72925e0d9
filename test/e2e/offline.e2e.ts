/**
 * Offline after the first visit (issue 11): the service worker (src/sw/service-worker.ts) has cached the page and
 * its code after Classify's first result, IndexedDB holds the weights; with the network gone, a reload opens
 * Classify, loads the ImageNet ResNet50 from IndexedDB on wasm (threads and the prepared heap: still cross-origin
 * isolated; the Winograd kernels and their helper thread from the service worker's cache) and classifies the
 * elephant.
 */
import { expect, test } from 'vitest';
import { waitForWeightsRow } from '../../scripts/weights-row';
import { baseUrl, screenshot } from './browser';
import { classifyFiles, classifySession, elephantFile, topOf, waitForModel } from './helpers-classify';

const s = classifySession();

test('with the network gone, a reload opens Classify, loads the model from IndexedDB and classifies', async () => {
  const page = s.page;
  await waitForModel(page);
  // The service worker registers after the first result; its installation caches the app's files.
  expect((await topOf(await classifyFiles(page, [elephantFile()])))[0].index).toBe(386);
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  expect(scope).toBe(`${baseUrl()}/`);
  // The weights' row is written after ready, in the background.
  await waitForWeightsRow(page);

  await page.context().setOffline(true);
  try {
    await page.reload();
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    await waitForModel(page);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await expect.poll(() => page.getByTestId('backend-status').textContent()).toMatch(/^Backend: wasm \(SIMD, \d+ threads?, heap of \d+ MiB prepared, own 1×1 and Winograd 3×3 convs\)$/);
    const card = await classifyFiles(page, [elephantFile()]);
    expect((await topOf(card))[0].index).toBe(386);
    await screenshot(page, 'offline-classify');
  } finally {
    await page.context().setOffline(false);
  }
});
