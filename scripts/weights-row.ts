/**
 * Waits until the app has written the ImageNet weights' row to IndexedDB (it writes after ready, in the
 * background); a reload before that downloads them again. For the browser benches and the e2e tests.
 */
import type { Page } from 'playwright-core';

export async function waitForWeightsRow(page: Page, timeoutMs = 120_000): Promise<void> {
  await page.waitForFunction(
    () =>
      new Promise<boolean>((resolve) => {
        const o = indexedDB.open('resnet-explorer-weights');
        o.onerror = () => resolve(false);
        o.onsuccess = () => {
          const db = o.result;
          if (!db.objectStoreNames.contains('weights')) return resolve(false);
          const q = db.transaction('weights').objectStore('weights').count();
          q.onsuccess = () => {
            db.close();
            resolve(q.result > 0);
          };
          q.onerror = () => resolve(false);
        };
      }),
    undefined,
    { timeout: timeoutMs, polling: 200 },
  );
}
