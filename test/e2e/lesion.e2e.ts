/**
 * Lesion study in real Chromium (wasm): Classify runs it on the Keras elephant with progress, the chart and the
 * table; the app and the CLI (`resnet-explorer lesion --json`, Node wasm, the same float16 files and the same
 * jpeg-js decoding and resampling) agree within 1e-3. A PNG (decoded by the browser, not jpeg-js) is checked
 * the same way, after a cancelled run. The lab shows the ImageNet ResNet50's 64 conv1 filters without any
 * upload, and the lesion study of a short race's plain-20 / ResNet-20.
 */
import { FIXTURES } from '../helpers/fixtures';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runLesion } from '../../src/cli/lesion';
import { initNodeBackend } from '../../src/tf/node-backend';
import { decodeImage } from '../../src/tf/node-image';
import { resizeTo } from '../../src/tf/preprocess';
import { launch, open, type Session, screenshot } from './browser';
import { classifyFiles, elephantFile, waitForModel } from './helpers-classify';
import { encodePng } from './png';

interface Row {
  block: string;
  shortcut: string;
  topIndex: number;
  topProbability: number;
  baseProbability: number;
}
interface CliJson {
  base: { index: number; probability: number };
  blocks: { block: string; shortcut: string; top: { index: number; probability: number }; baseProbability: number }[];
}

let browser: Browser;
let s: Session;
const tmp = mkdtempSync(join(tmpdir(), 'lesion-e2e-'));

beforeAll(async () => {
  await initNodeBackend('wasm');
  browser = await launch();
  s = await open(browser, '/?view=classify');
});
afterAll(async () => {
  await browser?.close();
});

async function cli(image: string): Promise<CliJson> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runLesion([image, '--json'], { stdout: (x) => out.push(x), stderr: (x) => err.push(x) });
  expect(code, err.join('\n')).toBe(0);
  console.log(err.filter((l) => /forward passes/.test(l)).join('\n'));
  return JSON.parse(out[0]);
}

/** Run the lesion study in Classify on the newest image; the table rows and the timing shown. */
async function runInApp(page: Page, name: string): Promise<{ rows: Row[]; base: { index: number; probability: number }; legend: string }> {
  const panel = page.getByTestId('lesion-panel');
  if ((await panel.getAttribute('open')) === null) await panel.locator('summary').click();
  await panel.getByRole('button', { name: `Run on ${name}` }).click();
  // Progress per block while the 16 deletions run.
  await expect.poll(() => panel.getByTestId('lesion-progress').textContent(), { timeout: 120_000, interval: 100 }).toMatch(/deleted conv\d_block\d \(\d+\/16\)/);
  const result = panel.getByTestId('lesion-result');
  await expect.poll(() => result.getAttribute('data-image'), { timeout: 300_000, interval: 500 }).toBe(name);
  const table = result.getByRole('table', { name: 'Lesion study per block' });
  const rows = await table.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({
      block: tr.getAttribute('data-block') ?? '',
      shortcut: tr.getAttribute('data-shortcut') ?? '',
      topIndex: Number(tr.getAttribute('data-top-index')),
      topProbability: Number(tr.getAttribute('data-top-probability')),
      baseProbability: Number(tr.getAttribute('data-base-probability')),
    })),
  );
  const base = { index: Number(await table.getAttribute('data-base-index')), probability: Number(await table.getAttribute('data-base-probability')) };
  const legend = (await result.locator('.lesion-legend').textContent()) ?? '';
  return { rows, base, legend };
}

const maxDiff = (rows: Row[], c: CliJson) => Math.max(...rows.map((r, i) => Math.abs(r.baseProbability - c.blocks[i].baseProbability)));

test('Classify: lesion study of the elephant, 16 bars with the downsampling blocks marked, equal to the CLI within 1e-3', async () => {
  await waitForModel(s.page);
  await classifyFiles(s.page, [elephantFile()]);
  const app = await runInApp(s.page, 'elephant.jpg');
  console.log(`Chromium: ${app.legend.match(/\d+ forward passes in [\d.]+ s/)?.[0]}`);
  const chart = s.page.getByTestId('lesion-chart');
  expect(await chart.locator('rect.lesion-bar').count()).toBe(16);
  expect(await chart.locator('rect.lesion-down').count()).toBe(3);
  expect(await chart.locator('g[data-block] text.lesion-mark').allTextContents()).toEqual(['P', '↓2', '↓2', '↓2']);
  await expect.poll(() => s.page.getByTestId('lesion-findings').textContent()).toMatch(/What ours shows for elephant\.jpg/);
  await chart.evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await screenshot(s.page, 'classify-lesion-elephant');

  const c = await cli(join(FIXTURES, 'imagenet', 'elephant.jpg'));
  expect(app.rows.map((r) => [r.block, r.shortcut])).toEqual(c.blocks.map((b) => [b.block, b.shortcut]));
  expect(app.base.index).toBe(c.base.index);
  expect(app.rows.map((r) => r.topIndex)).toEqual(c.blocks.map((b) => b.top.index));
  expect(Math.abs(app.base.probability - c.base.probability)).toBeLessThan(1e-3);
  expect(maxDiff(app.rows, c)).toBeLessThan(1e-3);
  console.log(`elephant.jpg app vs CLI: intact ${app.base.probability.toFixed(4)} vs ${c.base.probability.toFixed(4)}, max |ΔP| over blocks ${maxDiff(app.rows, c).toExponential(2)}`);
  console.log(app.rows.map((r) => `${r.block} ${r.baseProbability.toFixed(4)} top ${r.topIndex}`).join('\n'));
});

test('Cancel stops a run; on a PNG (the browser’s decoder) the app and the CLI agree within 1e-3', async () => {
  const px = decodeImage(readFileSync(join(FIXTURES, 'imagenet', 'elephant.jpg')), 'elephant.jpg');
  const crop = resizeTo(px, [224, 224]);
  const rgb = Uint8Array.from(await crop.data(), (v) => Math.max(0, Math.min(255, Math.round(v))));
  tf.dispose([px, crop]);
  const png = encodePng(224, 224, rgb);
  const file = join(tmp, 'elephant-224.png');
  writeFileSync(file, png);

  await classifyFiles(s.page, [{ name: 'elephant-224.png', mimeType: 'image/png', buffer: png }]);
  // Cancel stops a run between blocks.
  const panel = s.page.getByTestId('lesion-panel');
  await panel.getByRole('button', { name: 'Run on elephant-224.png' }).click();
  await expect.poll(() => panel.getByTestId('lesion-progress').textContent(), { timeout: 120_000, interval: 100 }).toMatch(/\(\d+\/16\)/);
  await panel.getByTestId('lesion-progress').getByRole('button', { name: 'Cancel' }).click();
  await expect.poll(() => panel.getByRole('alert').textContent(), { timeout: 60_000 }).toBe('Cancelled.');
  const app = await runInApp(s.page, 'elephant-224.png');
  const c = await cli(file);
  expect(app.base.index).toBe(c.base.index);
  expect(Math.abs(app.base.probability - c.base.probability)).toBeLessThan(1e-3);
  expect(app.rows.map((r) => [r.block, r.shortcut, r.topIndex])).toEqual(c.blocks.map((b) => [b.block, b.shortcut, b.top.index]));
  for (const [i, r] of app.rows.entries()) {
    expect(Math.abs(r.baseProbability - c.blocks[i].baseProbability), r.block).toBeLessThan(1e-3);
    expect(Math.abs(r.topProbability - c.blocks[i].top.probability), r.block).toBeLessThan(1e-3);
  }
  console.log(`elephant-224.png app vs CLI: max |ΔP| ${maxDiff(app.rows, c).toExponential(2)}`);
  expect(s.errors).toEqual([]);
});

test('the lab shows the ImageNet ResNet50’s 64 conv1 filters (7×7) with no upload', async () => {
  const lab = await open(browser, '/?view=lab');
  const filters = lab.page.getByTestId('imagenet-filters');
  await filters.waitFor({ timeout: 120_000 });
  expect(await filters.getAttribute('data-count')).toBe('64');
  expect(await filters.getAttribute('data-size')).toBe('7x7');
  const sizes = await filters.locator('canvas.lab-filter').evaluateAll((cs) => cs.map((c) => `${(c as HTMLCanvasElement).width}x${(c as HTMLCanvasElement).height}`));
  expect(sizes).toEqual(Array.from({ length: 64 }, () => '7x7'));
  await expect.poll(() => filters.textContent()).toMatch(/conv1\/kernel in group1-shard1of25\.bin.*BGR/);
  // The tiles are drawn: not all one colour.
  const distinct = await filters
    .locator('canvas.lab-filter')
    .first()
    .evaluate((c) => {
      const d = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 7, 7).data;
      return new Set(Array.from(d).filter((_, i) => i % 4 !== 3)).size;
    });
  expect(distinct).toBeGreaterThan(5);
  await filters.scrollIntoViewIfNeeded();
  await screenshot(lab.page, 'lab-imagenet-filters');
  expect(lab.errors).toEqual([]);
});

test('the lab: after a short race, accuracy of plain-20 and ResNet-20 with each block deleted', async () => {
  const lab = await open(browser, '/?view=lab', { width: 1280, height: 1000 });
  const { page } = lab;
  await page.getByLabel('Race depth').selectOption('20'); // the default is 32
  await page.getByLabel('Steps').fill('40');
  await page.getByRole('button', { name: 'Start race' }).click();
  await expect.poll(() => page.getByTestId('race-status').textContent(), { timeout: 300_000, interval: 500 }).toMatch(/done: 40 steps/);
  await page.getByRole('button', { name: 'Delete each block' }).click();
  const out = page.getByTestId('race-lesion');
  await out.waitFor({ timeout: 240_000 });
  expect(await out.getAttribute('data-blocks')).toBe('9');
  const chart = page.getByTestId('race-lesion-chart');
  // plain-20 cannot skip its 2 downsampling blocks; ResNet-20 deletes all 9.
  expect(await chart.locator('g[data-block] rect').count()).toBe(7 + 9);
  console.log(await out.locator('p').textContent());
  await chart.evaluate((e) => e.scrollIntoView({ block: 'center' }));
  await screenshot(page, 'lab-race-lesion');
  expect(lab.errors).toEqual([]);
});
