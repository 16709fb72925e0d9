/**
 * Fine-tune in real Chromium (wasm): pick a folder with two class sub-folders of crops (elephant.jpg, cat.jpg)
 * and a stray text file, train a new head for 3 epochs, watch the per-epoch table and curves, use the model,
 * and a new crop is classified as the right user class. Each download is one zip; the tfjs one loads back with
 * tf.loadLayersModel in Node with the class names.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import type { Browser, Download } from 'playwright-core';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { launch, open, type Session, screenshot } from './browser';
import { imagenetResNet50Spec } from '../../src/tf/imagenet';
import { initNodeBackend } from '../../src/tf/node-backend';
import { decodeImage } from '../../src/tf/node-image';
import { preprocess } from '../../src/tf/preprocess';
import { classifyFiles, topOf, waitForModel } from './helpers-classify';
import { crop } from './photo-crops';

let browser: Browser;
let s: Session;
let dir: string;


/**
 * Load the downloaded tfjs files with tf.loadLayersModel in Node (wasm), as a user would after unzipping:
 * model.json's manifest names the weight file; classify one JPEG with the app's preprocessing.
 */
async function classifyInNode(files: Record<string, Uint8Array>, jpg: Buffer): Promise<{ classNames: unknown; probabilities: number[] }> {
  await initNodeBackend('wasm');
  const json = JSON.parse(new TextDecoder().decode(files['model.json']));
  const group = json.weightsManifest[0];
  const bin = files[group.paths[0]];
  const model = await tf.loadLayersModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: group.weights,
      weightData: bin.slice().buffer,
      userDefinedMetadata: json.userDefinedMetadata,
    }),
  });
  try {
    const probabilities = tf.tidy(() => {
      const x = preprocess(decodeImage(new Uint8Array(jpg), 'new-cat.jpg'), imagenetResNet50Spec());
      return model.predict(x) as tf.Tensor;
    });
    const p = Array.from(await probabilities.data());
    probabilities.dispose();
    return { classNames: (model.getUserDefinedMetadata() as { classNames?: unknown } | undefined)?.classNames, probabilities: p };
  } finally {
    model.dispose();
  }
}

const BOXES = [
  [0, 0, 0.8, 0.8],
  [0.2, 0.2, 0.8, 0.8],
  [0, 0.2, 0.9, 0.7],
  [0.1, 0, 0.85, 0.75],
  [0.05, 0.1, 0.7, 0.9],
] as const;

beforeAll(async () => {
  // expect.poll gives up after 1 s by default: too short on a loaded machine (the weights download lags).
  vi.setConfig({ expect: { poll: { timeout: 60_000, interval: 50 } } });
  dir = mkdtempSync(join(tmpdir(), 'finetune-e2e-'));
  for (const [cls, file] of [
    ['elephant', 'elephant.jpg'],
    ['cat', 'cat.jpg'],
  ] as const) {
    mkdirSync(join(dir, 'pets', cls), { recursive: true });
    BOXES.forEach((b, i) => {
      writeFileSync(join(dir, 'pets', cls, `${cls}-${i}.jpg`), crop(file, b, i % 2 === 1));
    });
  }
  writeFileSync(join(dir, 'pets', 'notes.txt'), 'not an image');
  browser = await launch();
  s = await open(browser, '/?view=classify');
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a picked folder of two classes trains a new head; the used model classifies a new crop as the right class', async () => {
  const { page } = s;
  await waitForModel(page);
  await page.getByText('a new head on your own images').click();
  await page.getByLabel('Folder of classes').setInputFiles(join(dir, 'pets'));

  const rows = page.getByRole('table', { name: 'Classes' }).locator('tbody tr');
  await expect
    .poll(() => rows.evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-class')}:${tr.getAttribute('data-count')}`)), { timeout: 60_000 })
    .toEqual(['cat:5', 'elephant:5']);
  await expect.poll(() => page.getByRole('alert').filter({ hasText: 'Skipped 1 file' }).textContent(), { timeout: 60_000 }).toMatch(/pets\/notes\.txt: not an image \(text\/plain\)/);

  await page.getByLabel('Epochs').fill('3');
  await page.getByLabel('Batch size').fill('8');
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Train on 10 images' }).click();
  await expect.poll(() => page.getByRole('status').filter({ hasText: 'Extracting features' }).count(), { timeout: 60_000, interval: 100 }).toBe(1);
  const result = page.getByTestId('finetune-result');
  await result.waitFor({ timeout: 180_000 });
  const seconds = (Date.now() - t0) / 1000;

  const epochs = page.getByRole('table', { name: 'Training per epoch' }).locator('tbody tr');
  const logs = await epochs.evaluateAll((trs) => trs.map((tr) => ({ loss: Number(tr.getAttribute('data-loss')), acc: Number(tr.getAttribute('data-accuracy')) })));
  expect(logs).toHaveLength(3);
  expect(logs[2].loss).toBeLessThan(logs[0].loss);
  expect(logs[2].acc).toBe(1);
  const d = await page.getByRole('img', { name: 'Loss (cross-entropy) per epoch' }).locator('path.ft-line').first().getAttribute('d');
  expect(d).toMatch(/^M[\d.]+,[\d.]+L[\d.]+,[\d.]+L[\d.]+,[\d.]+$/);
  const text = (await result.textContent()) ?? '';
  console.info(`[finetune e2e] ${seconds.toFixed(1)} s from Train to result; ${text.match(/features [\d.]+ s per image, \d+ ms per epoch/)?.[0]}`);
  expect(text).toMatch(/on 16 examples \(2 held out\)/);

  await page.getByRole('button', { name: 'Use this model' }).click();
  await expect
    .poll(() => page.getByTestId('model-info').textContent(), { timeout: 120_000 })
    .toMatch(/ResNet50-finetuned .*weights: fine-tuned on 10 images \(cat, elephant\)/);
  await expect.poll(() => page.getByTestId('finetune-used').textContent(), { timeout: 60_000 }).toMatch(/cat, elephant/);

  // Downloads: one file per click (a second automatic download would meet the browser's "multiple files"
  // prompt). The tfjs zip loads with tf.loadLayersModel and keeps the class names; the .h5 zip has its class list.
  const download = async (button: string): Promise<Download> => {
    const [d] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByRole('button', { name: button }).click()]);
    return d;
  };
  const tfjsZip = await download('Download tfjs model');
  expect(tfjsZip.suggestedFilename()).toBe('ResNet50-finetuned.tfjs.zip');
  const tfjsFiles = unzipSync(readFileSync((await tfjsZip.path())!));
  expect(Object.keys(tfjsFiles)).toEqual(['model.json', 'ResNet50-finetuned.weights.bin']);
  const modelJson = JSON.parse(new TextDecoder().decode(tfjsFiles['model.json']));
  expect(modelJson.userDefinedMetadata).toEqual({ classNames: ['cat', 'elephant'] });
  expect(modelJson.weightsManifest[0].weights.find((w: { name: string }) => w.name.startsWith('predictions/'))).toMatchObject({
    name: 'predictions/kernel',
    shape: [2048, 2],
  });
  const newCat = crop('cat.jpg', [0.15, 0.05, 0.8, 0.9]);
  const inNode = await classifyInNode(tfjsFiles, newCat);
  expect(inNode.classNames).toEqual(['cat', 'elephant']);
  expect(inNode.probabilities).toHaveLength(2);
  expect(inNode.probabilities[0]).toBeGreaterThan(0.5);

  const h5Zip = await download('Download Keras .h5');
  expect(h5Zip.suggestedFilename()).toBe('ResNet50-finetuned.keras-h5.zip');
  const h5Files = unzipSync(readFileSync((await h5Zip.path())!));
  expect(Object.keys(h5Files)).toEqual(['ResNet50-finetuned.weights.h5', 'ResNet50-finetuned.classes.txt']);
  expect(new TextDecoder().decode(h5Files['ResNet50-finetuned.classes.txt'])).toBe('cat\nelephant\n');
  expect([...h5Files['ResNet50-finetuned.weights.h5'].subarray(0, 8)]).toEqual([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

  const card = await classifyFiles(page, [{ name: 'new-cat.jpg', mimeType: 'image/jpeg', buffer: newCat }]);
  const top = await topOf(card);
  expect(top).toHaveLength(2);
  expect(top[0].index).toBe(0);
  expect(await card.locator('[data-index="0"] .cls-bar-label').textContent()).toMatch(/^cat/);
  await screenshot(page, 'finetune');
  await card.scrollIntoViewIfNeeded();
  await screenshot(page, 'finetune-classified');
  expect(s.errors.filter((e) => !/Failed to load resource|net::ERR/.test(e))).toEqual([]);
});

test('bad input is refused with messages; dropped files join a named class; cancel keeps the current model', async () => {
  const { page } = s;
  await page.getByRole('button', { name: 'Clear images' }).click();
  await page.getByLabel('Folder of classes').setInputFiles(join(dir, 'pets', 'cat'));
  await expect.poll(() => page.getByTestId('dataset-problem').textContent(), { timeout: 60_000 }).toMatch(/at least 2 classes; only "cat" so far/);
  expect(await page.getByRole('button', { name: /^Train on/ }).isDisabled()).toBe(true);
  await page.getByLabel('Epochs').fill('0');
  await expect.poll(() => page.getByRole('alert').filter({ hasText: 'Epochs must be' }).textContent()).toMatch(/whole number from 1 to 1000 \(got 0\)/);
  await page.getByLabel('Epochs').fill('3');

  // Loose files dropped (no folder): they go to the class named in the box.
  await page.getByLabel('Class name for added images').fill('elephant');
  const files = [0, 1].map((i) => ({ name: `drop-${i}.jpg`, b64: crop('elephant.jpg', BOXES[i + 2]).toString('base64') }));
  const dt = await page.evaluateHandle((fs) => {
    const dt = new DataTransfer();
    for (const f of fs) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: 'image/jpeg' }));
    return dt;
  }, files);
  await page.getByRole('region', { name: 'Drop class folders here' }).dispatchEvent('drop', { dataTransfer: dt });
  const rows = page.getByRole('table', { name: 'Classes' }).locator('tbody tr');
  await expect
    .poll(() => rows.evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-class')}:${tr.getAttribute('data-count')}`)), { timeout: 60_000 })
    .toEqual(['cat:5', 'elephant:2']);
  expect(await page.getByTestId('dataset-problem').count()).toBe(0);

  await page.getByRole('button', { name: 'Train on 7 images' }).click();
  await expect.poll(() => page.getByRole('status').filter({ hasText: 'Extracting features' }).count(), { timeout: 60_000, interval: 50 }).toBe(1);
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect.poll(() => page.getByRole('alert').filter({ hasText: 'cancelled' }).textContent(), { timeout: 30_000 }).toMatch(
    /Fine-tuning was cancelled; the current model is unchanged/,
  );
  expect(await page.getByTestId('model-info').textContent()).toMatch(/ResNet50-finetuned/);
  const card = await classifyFiles(page, [{ name: 'new-elephant.jpg', mimeType: 'image/jpeg', buffer: crop('elephant.jpg', [0.1, 0.1, 0.75, 0.75]) }]);
  expect(await topOf(card)).toMatchObject([{ index: 1 }, { index: 0 }]);
  await screenshot(page, 'finetune-cancelled');

  // Loading a model while features are extracted stops the run too, and the message says why (not "cancelled").
  await page.getByRole('button', { name: 'Train on 7 images' }).click();
  await expect.poll(() => page.getByRole('status').filter({ hasText: 'Extracting features' }).count(), { timeout: 60_000, interval: 50 }).toBe(1);
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await expect.poll(() => page.getByRole('alert').filter({ hasText: /Fine-tuning stopped because another model was loaded/ }).count(), { timeout: 60_000 }).toBe(1);

  // Back to the ImageNet model: its 1000 classes again.
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await expect.poll(() => page.getByTestId('model-info').textContent(), { timeout: 120_000 }).toMatch(/^ResNet50 · 25,636,712 parameters · weights: ImageNet/);
  const again = await classifyFiles(page, [{ name: 'elephant-again.jpg', mimeType: 'image/jpeg', buffer: crop('elephant.jpg', [0.1, 0.1, 0.75, 0.75]) }]);
  expect((await topOf(again))[0].index).toBe(386);
  expect(s.errors.filter((e) => !/Failed to load resource|net::ERR/.test(e))).toEqual([]);
});
