/** Shared steps for the Classify e2e tests. */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { fixture } from '../helpers/fixtures';
import { launch, open, type Session } from './browser';

/**
 * One Chromium with the Classify view open for the test file that calls this at its top level: opened before its
 * tests, closed after them. The session's fields can be read inside the tests (not before beforeAll has run).
 */
/** `initScript`: run in the page before the app (see `open`). */
export function classifySession(opts: { readonly initScript?: string } = {}): Session {
  let browser: Browser | undefined;
  let session: Session | undefined;
  beforeAll(async () => {
    browser = await launch();
    session = await open(browser, '/?view=classify', undefined, opts.initScript);
  });
  afterAll(async () => {
    await browser?.close();
  });
  const current = () => {
    if (!session) throw new Error('the Classify page opens in beforeAll: read the session inside a test');
    return session;
  };
  return {
    get page() {
      return current().page;
    },
    get requests() {
      return current().requests;
    },
    get errors() {
      return current().errors;
    },
  };
}

export const elephantFile = () => ({
  name: 'elephant.jpg',
  mimeType: 'image/jpeg',
  buffer: readFileSync(fixture('imagenet', 'elephant.jpg')),
});

/** Wait until the default ImageNet model is loaded (download ~98 MB from the preview server, build, assign). */
export async function waitForModel(page: Page, timeout = 240_000): Promise<string> {
  const info = page.getByTestId('model-info');
  await info.waitFor({ timeout });
  return (await info.textContent()) ?? '';
}

export interface Top {
  index: number;
  probability: number;
}

/** Upload files through the picker; returns the result card of the first one once it is done or failed. */
export async function classifyFiles(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[], timeout = 120_000) {
  await page.getByLabel('Images to classify').setInputFiles(files);
  const card = page.getByRole('article', { name: `Result for ${files[0].name}` }).first();
  await expect.poll(async () => card.getAttribute('aria-busy'), { timeout, interval: 250 }).toBe('false');
  return card;
}

/** The card's top-k bars; a card without them (an error) fails here with what the card says. */
export async function topOf(card: ReturnType<Page['getByRole']>): Promise<Top[]> {
  const top = await card
    .locator('[data-index]')
    .evaluateAll((els) => els.map((e) => ({ index: Number(e.getAttribute('data-index')), probability: Number(e.getAttribute('data-probability')) })));
  if (top.length === 0) throw new Error(`the result card has no top-k bars; it says: ${await card.textContent()}`);
  return top;
}
