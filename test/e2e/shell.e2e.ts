import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { baseUrl, launch, open, screenshot } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

test('the built app sends a strict CSP and cross-origin isolation headers', async () => {
  const res = await fetch(baseUrl() + '/');
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-eval'/);
  expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
});

test('the shell switches views and every request stays on our origin', async () => {
  const s = await open(browser);
  await s.page.getByRole('button', { name: 'Compare' }).click();
  await expect.poll(() => new URL(s.page.url()).searchParams.get('view')).toBe('compare');
  await screenshot(s.page, 'shell');
  const origin = new URL(baseUrl()).origin;
  const foreign = s.requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
  expect(foreign).toEqual([]);
  expect(s.errors).toEqual([]);
  await s.page.context().close();
});

test('each view keeps its own state while the user visits the others', async () => {
  const s = await open(browser, '/?view=explore');
  const picker = s.page.locator('.model-picker select');
  await picker.selectOption('resnet18');
  await expect.poll(() => new URL(s.page.url()).searchParams.get('model')).toBe('resnet18');
  await s.page.getByRole('button', { name: 'Compare' }).click();
  await expect.poll(() => new URL(s.page.url()).searchParams.get('model')).toBe(null);
  await s.page.getByRole('button', { name: 'Explore' }).click();
  await expect.poll(() => new URL(s.page.url()).searchParams.get('model')).toBe('resnet18');
  await expect.poll(() => picker.inputValue()).toBe('resnet18');
  expect(s.errors).toEqual([]);
  await s.page.context().close();
});
