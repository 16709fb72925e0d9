import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { chromiumPath } from '../../scripts/paths.mjs';

export const OUT_DIR = join(process.cwd(), 'test-output', 'screenshots');

/** Flags for a test browser that works offline and needs no setup: no sandbox (tests often run as root), no network calls of its own. */
const BASE_ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/**
 * WebGPU on Linux is behind --enable-unsafe-webgpu (without a GPU it gets the SwiftShader fallback adapter), and
 * Chromium deprecated its automatic software (SwiftShader) fallback for WebGL: --enable-unsafe-swiftshader keeps it.
 */
const GPU_ARGS = ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader'];

export interface LaunchOptions {
  /** Add the WebGPU/SwiftShader flags (default true). */
  readonly gpu?: boolean;
  /** More Chromium flags. */
  readonly args?: readonly string[];
}

/** The Chromium at $RESNET_CHROMIUM (default Debian's /usr/bin/chromium; `npm run test:e2e` checks it first). */
export async function launch(opts: LaunchOptions = {}): Promise<Browser> {
  // playwright's launch() already gives each browser a fresh temporary profile.
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...BASE_ARGS, ...(opts.gpu === false ? [] : GPU_ARGS), ...(opts.args ?? [])],
  });
}

export interface Session {
  page: Page;
  /** Every URL the page requested. */
  requests: string[];
  /** Uncaught page errors and console errors. */
  errors: string[];
}

/**
 * A page in a fresh context. Clicks, fills and waits get 60 s instead of playwright's 30 s: on a busy 2-core
 * machine a button can stay disabled for a while after real work (a model load, an export).
 */
export async function newPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(60_000);
  return context.newPage();
}

/** `initScript` runs in the page before the app (e.g. to watch its workers). */
export async function open(browser: Browser, path = '/', viewport = { width: 1280, height: 800 }, initScript?: string): Promise<Session> {
  const page = await newPage(browser, { viewport });
  if (initScript) await page.addInitScript(initScript);
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
