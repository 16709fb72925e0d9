/**
 * Training agrees across backends: in Chromium (on a machine without GPU, WebGPU runs on
 * the SwiftShader fallback adapter with --enable-unsafe-webgpu, and WebGL on SwiftShader) the lab's
 * backend check — a seeded tiny ResNet-8 (widths 4/8/16, 8×8 inputs, batch 8, option-A shortcuts, BN),
 * its per-layer gradient norms at init, then 3 SGD steps — is run on wasm, webgl and webgpu, each picked in
 * the lab's backend select as a person would, and compared with wasm.
 *
 * Tolerance 1e-3 relative. All backends compute in float32 (SwiftShader WebGL has float32 render targets, so
 * tfjs does not drop to float16); they differ only in summation order, which moves a float32 sum of n terms by
 * ~n·2⁻²⁴ relative at worst (n ≤ 3·3·16·8·8·8 ≈ 74k for the largest backprop-filter sum: ≤ 4e-3 worst case,
 * ~√n·6e-8 ≈ 2e-5 typically), and 3 SGD steps at lr 0.05 do not amplify that by much. A missing or wrong
 * gradient (e.g. a zero BN or pooling gradient) changes these numbers by O(1), far above 1e-3.
 *
 * A backend that cannot start here is reported (console) and skipped; wasm and webgl must run.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BackendCheckResult } from '../../src/tf/backend-check';
import { baseUrl, launch, newPage, open, screenshot } from './browser';

const TOLERANCE = 1e-3;

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);

/** Pick `backend` in the lab; the backend the lab then trains on (it may fall back). */
async function pick(page: Page, backend: string): Promise<string> {
  await page.getByLabel('Training backend').selectOption(backend);
  const status = page.getByTestId('lab-backend');
  await expect.poll(() => status.textContent(), { timeout: 120_000, interval: 250 }).toMatch(/^training on \w+/);
  return (await status.textContent())!.replace('training on ', '');
}

async function check(page: Page, backend: string): Promise<BackendCheckResult> {
  await page.getByRole('button', { name: 'Check training on this backend' }).click();
  const row = page.locator(`[data-testid="backend-checks"] tr[data-backend="${backend}"]`);
  await row.waitFor({ timeout: 240_000 });
  return JSON.parse((await row.getAttribute('data-result'))!) as BackendCheckResult;
}

test('the same seeded training steps and gradient norms on wasm, webgl and webgpu', async () => {
  const s = await open(browser, '/?view=lab&backend=wasm', { width: 1280, height: 1000 });
  const { page } = s;
  await expect.poll(() => page.getByTestId('lab-backend').textContent(), { timeout: 120_000 }).toBe('training on wasm');
  await expect.poll(() => page.getByTestId('lab-backend-status').textContent(), { timeout: 120_000 }).toMatch(/^Lab: wasm/);
  // The model worker has not started on the lab page: its "not started" line is hidden.
  expect(await page.getByTestId('backend-status').count()).toBe(0);

  const results = new Map<string, BackendCheckResult>();
  const skipped: string[] = [];
  for (const backend of ['wasm', 'webgl', 'webgpu']) {
    const got = backend === 'wasm' ? 'wasm' : await pick(page, backend);
    if (got !== backend) {
      const note = await page.locator('.lab > .lab-error').textContent();
      console.log(`${backend} is not available here; the lab fell back to ${got}: ${note}`);
      skipped.push(backend);
      continue;
    }
    await expect.poll(() => page.getByTestId('lab-backend-status').textContent(), { timeout: 120_000 }).toMatch(new RegExp(`^Lab: ${backend}`));
    results.set(backend, await check(page, backend));
  }
  await page.getByTestId('backend-checks').scrollIntoViewIfNeeded();
  await screenshot(page, 'lab-backends');

  expect([...results.keys()]).toEqual(expect.arrayContaining(['wasm', 'webgl']));
  const wasm = results.get('wasm')!;
  expect(wasm.losses).toHaveLength(3);
  expect(wasm.losses.every(Number.isFinite)).toBe(true);
  // The gradient probe covers every conv and the dense layer of ResNet-8: 7 convs + dense (option A adds none).
  expect(wasm.gradients.map((g) => g.id)).toHaveLength(8);
  expect(wasm.gradients.every((g) => g.norm > 0 && Number.isFinite(g.norm))).toBe(true);
  // SGD moves the loss: the steps are not no-ops (a backend with zero gradients would repeat the first loss).
  expect(rel(wasm.losses[2], wasm.losses[0])).toBeGreaterThan(1e-3);

  for (const [backend, r] of results) {
    if (backend === 'wasm') continue;
    const dLoss = Math.max(...r.losses.map((l, i) => rel(l, wasm.losses[i])));
    expect(r.gradients.map((g) => g.id)).toEqual(wasm.gradients.map((g) => g.id));
    const dGrad = Math.max(...r.gradients.map((g, i) => rel(g.norm, wasm.gradients[i].norm)));
    console.log(
      `${backend} vs wasm: max rel Δ loss ${dLoss.toExponential(2)}, max rel Δ gradient norm ${dGrad.toExponential(2)}; ` +
        `${r.stepsPerSecond.toFixed(2)} steps/s (wasm ${wasm.stepsPerSecond.toFixed(2)}), check ${(r.ms / 1000).toFixed(1)} s (wasm ${(wasm.ms / 1000).toFixed(1)} s)`,
    );
    expect(dLoss, `${backend} losses ${r.losses} vs wasm ${wasm.losses}`).toBeLessThan(TOLERANCE);
    expect(dGrad, `${backend} gradient norms vs wasm`).toBeLessThan(TOLERANCE);
  }
  if (skipped.length > 0) console.log(`not checked (unavailable here): ${skipped.join(', ')}`);

  // Back to auto: the status bar names the lab's backend and, when faster ones were passed over (software
  // GPUs here), why.
  const auto = await pick(page, 'auto');
  const labStatus = page.getByTestId('lab-backend-status');
  await expect.poll(() => labStatus.textContent(), { timeout: 120_000 }).toMatch(new RegExp(`^Lab: ${auto}`));
  if (auto === 'wasm') {
    await page.getByTestId('lab-backend-status-fallbacks').locator('summary').click();
    const reasons = await page.getByTestId('lab-backend-status-fallbacks').locator('li').allTextContents();
    expect(reasons.map((r) => r.split(':')[0])).toEqual(['webgpu', 'webgl']);
    console.log(`auto → wasm; ${reasons.join(' | ')}`);
  }
  expect(s.errors).toEqual([]);
  await page.context().close();
});

test('a backend that cannot start is named with its reason, and the lab falls back', async () => {
  // Chromium without --enable-unsafe-webgpu has no WebGPU adapter on Linux.
  const plain = await launch({ gpu: false });
  try {
    const page = await newPage(plain, { viewport: { width: 1280, height: 1000 } });
    await page.goto(`${baseUrl()}/?view=lab&backend=webgpu`);
    const status = page.getByTestId('lab-backend');
    await expect.poll(() => status.textContent(), { timeout: 120_000 }).toMatch(/^training on (webgl|wasm|cpu)$/);
    const got = (await status.textContent())!.replace('training on ', '');
    const note = page.locator('.lab > .lab-error');
    await expect.poll(() => note.textContent(), { timeout: 60_000 }).toMatch(new RegExp(`^webgpu could not be used for training \\(.*WebGPU.*\\); the lab trains on ${got}\\.`));
    await page.getByTestId('lab-backend-status-fallbacks').locator('summary').click();
    const reasons = await page.getByTestId('lab-backend-status-fallbacks').locator('li').allTextContents();
    expect(reasons[0]).toMatch(/^webgpu: .*WebGPU/);
    console.log(`without the WebGPU flag: ${await note.textContent()} | ${reasons.join(' | ')}`);
    // The lab still trains on the fallback.
    await page.getByRole('button', { name: 'Check training on this backend' }).click();
    await page.locator(`[data-testid="backend-checks"] tr[data-backend="${got}"]`).waitFor({ timeout: 120_000 });
    await screenshot(page, 'lab-backend-fallback');
  } finally {
    await plain.close();
  }
});
