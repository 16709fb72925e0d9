import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { inject } from 'vitest';

export const OUT_DIR = join(process.cwd(), 'test-output', 'screenshots');

/** Debian's Chromium with the flags that work on this closed, GPU-less machine (DESIGN.md §6). */
export async function launch(): Promise<Browser> {
  // playwright's launch() already gives each browser a fresh temporary profile.
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--enable-unsafe-webgpu',
      '--enable-unsafe-swiftshader',
    ],
  });
}

export interface Session {
  page: Page;
  /** Every URL the page requested. */
  requests: string[];
  /** Uncaught page errors and console errors. */
  errors: string[];
}

export async function open(browser: Browser, path = '/', viewport = { width: 1280, height: 800 }): Promise<Session> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(baseUrl() + path);
  return { page, requests, errors };
}

export function baseUrl(): string {
  return inject('baseUrl');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUT_DIR, { recursive: true });
  const file = join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}
