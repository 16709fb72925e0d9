/**
 * Classify in real Chromium (wasm backend): the ImageNet ResNet50 our builder makes, loaded in the worker (float16
 * files by default, precision and size shown), classifies the Keras test elephant; bad images and bad model sources give messages and the app keeps working.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { expect, test } from 'vitest';
import { getPreset } from '../../src/core';
import { buildModel } from '../../src/tf/build';
import { writeKerasH5 } from '../../src/tf/h5/keras-h5';
import { modelToKerasWeights } from '../../src/tf/h5/model-weights';
import { screenshot } from './browser';
import { classifyFiles, classifySession, elephantFile, topOf, waitForModel } from './helpers-classify';

const s = classifySession();

/** A real 12000×12000 PNG (a few hundred kB: one grey row, deflated). */
function hugePng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const w = 12000;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(w, 4);
  ihdr[8] = 8;
  ihdr[9] = 0; // greyscale
  const row = Buffer.alloc(1 + w, 128);
  row[0] = 0;
  const idat = deflateSync(Buffer.concat(Array.from({ length: w }, () => row)), { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

test('loads the ImageNet ResNet50 in the worker on wasm, with the fallback reasons in the status bar', async () => {
  const info = await waitForModel(s.page);
  expect(info).toMatch(/ResNet50 · 25,636,712 parameters · weights: ImageNet/);
  // float16 by default (issue 11: ≤ 50 MB): only its files are fetched; the panel says so, with the size.
  expect(info).toMatch(/precision: float16 \(48\.9 MiB of weights\)/);
  const weightFiles = s.requests.filter((u) => u.includes('/weights/'));
  expect(weightFiles.length).toBe(14);
  expect(weightFiles.every((u) => u.includes('/weights/resnet50-imagenet-f16/'))).toBe(true);
  const precision = s.page.getByLabel('Precision');
  expect(await precision.locator('option').allTextContents()).toEqual(['float32 (97.9 MiB download)', 'float16 (49.0 MiB download)', 'uint8 (24.7 MiB download) ⚠']);
  await precision.selectOption('uint8');
  await expect.poll(() => s.page.locator('.cls-model').getByRole('note').textContent()).toMatch(/uint8 weights change the order of the top 5/);
  await precision.selectOption('float16');
  expect(await s.page.locator('.cls-model').getByRole('note').count()).toBe(0);
  const status = s.page.getByTestId('backend-status');
  await expect.poll(() => status.textContent(), { timeout: 60_000 }).toMatch(/^Backend: wasm/);
  await s.page.getByText(/why not webgpu, webgl\?/).click();
  const reasons = await s.page.locator('.status-fallbacks li').allTextContents();
  expect(reasons[0]).toMatch(/^webgpu: /);
  expect(reasons[1]).toMatch(/^webgl: /);
  // tfjs' GPU backends are chunks of their own, fetched only when tried: here the WebGPU adapter and the WebGL
  // renderer are software, so neither is (issue 11: the model worker's script is half the size).
  expect(s.requests.some((u) => /\/model\.worker-[\w-]+\.js$/.test(u))).toBe(true);
  expect(s.requests.filter((u) => /\/(webgl|webgpu)-[\w-]+\.js$/.test(u))).toEqual([]);
});

test('elephant.jpg → African_elephant in the top 3, with latency, backend and a heat map', async () => {
  const card = await classifyFiles(s.page, [elephantFile()]);
  const top = await topOf(card);
  expect(top).toHaveLength(5);
  expect(top.slice(0, 3).map((t) => t.index)).toContain(386);
  expect(top[0].index).toBe(386);
  await expect.poll(() => card.getByTestId('latency').textContent(), { timeout: 120_000 }).toMatch(/\d+ ms on wasm · Grad-CAM \d+ ms · source 700×466/);
  await expect.poll(() => card.getByRole('img').getAttribute('aria-label'), { timeout: 120_000 }).toMatch(/Grad-CAM heat map for class 386/);
  // Another class's heat map on click.
  await card.getByRole('button', { name: /tusker/ }).click();
  await expect.poll(() => card.getByRole('img').getAttribute('aria-label'), { timeout: 120_000 }).toMatch(/class 101/);
  await screenshot(s.page, 'classify-elephant');
});

test('bad images give a message each and the app keeps classifying', async () => {
  const jpeg = elephantFile().buffer;
  const bad = [
    { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('this is not an image at all') },
    { name: 'corrupt.jpg', mimeType: 'image/jpeg', buffer: Buffer.concat([jpeg.subarray(0, 600), Buffer.alloc(4000, 0x55)]) },
    { name: 'empty.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(0) },
    { name: 'huge.png', mimeType: 'image/png', buffer: hugePng() },
  ];
  await s.page.getByLabel('Images to classify').setInputFiles(bad);
  const msg = async (name: string) => {
    const card = s.page.getByRole('article', { name: `Result for ${name}` }).first();
    await expect.poll(() => card.getAttribute('aria-busy'), { timeout: 60_000 }).toBe('false');
    return card.getByRole('alert').textContent();
  };
  expect(await msg('notes.jpg')).toMatch(/notes.jpg is not an image we can read/);
  expect(await msg('corrupt.jpg')).toMatch(/corrupt.jpg could not be decoded: the file is corrupt/);
  expect(await msg('empty.jpg')).toMatch(/empty.jpg is empty \(0 bytes\)/);
  expect(await msg('huge.png')).toMatch(/huge.png is 12000×12000 \(144 megapixels\); the limit is 50 megapixels/);
  await screenshot(s.page, 'classify-bad-images');
  const card = await classifyFiles(s.page, [{ ...elephantFile(), name: 'elephant-again.jpg' }]);
  expect((await topOf(card))[0].index).toBe(386);
});

test('bad model sources give a message each and the previous model keeps working', async () => {
  const page = s.page;
  const panel = page.getByRole('region', { name: 'Model' }).or(page.locator('.cls-model'));
  const load = () => panel.getByRole('button', { name: 'Load', exact: true }).click();
  const alert = () => panel.getByRole('alert');

  // A URL that fails.
  await page.getByLabel('Weights source').selectOption('layers-url');
  await page.getByLabel('Weights URL').fill('https://127.0.0.1:9/model.json');
  await load();
  await expect.poll(() => alert().textContent(), { timeout: 30_000 }).toMatch(/could not fetch https:\/\/127.0.0.1:9\/model.json/);

  // A truncated model.json.
  await page.getByLabel('Weights source').selectOption('layers-files');
  await page.getByLabel('Weights files').setInputFiles([
    { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "layers-model", "modelTopology": {"class_name": "Model", "conf') },
  ]);
  await load();
  await expect.poll(() => alert().textContent(), { timeout: 30_000 }).toMatch(/model.json is not valid JSON .*truncated/);

  // An h5 file for another model (ResNet-20 weights into ResNet50).
  await tf.setBackend('cpu');
  const small = buildModel(getPreset('ResNet-20'));
  const h5 = Buffer.from(await writeKerasH5(modelToKerasWeights(small)));
  small.dispose();
  await page.getByLabel('Weights source').selectOption('h5-file');
  await page.getByLabel('Architecture').selectOption('ResNet50');
  await page.getByLabel('Weights files').setInputFiles([{ name: 'resnet20.h5', mimeType: 'application/octet-stream', buffer: h5 }]);
  await load();
  await expect.poll(() => alert().textContent(), { timeout: 60_000 }).toMatch(/resnet20.h5: Layer conv1_conv expects 2 weights \(kernel, bias\) but the file's layer conv1_conv has 1/);
  await screenshot(page, 'classify-bad-model');

  // Still the ImageNet model.
  expect(await page.getByTestId('model-info').textContent()).toMatch(/weights: ImageNet/);
  const card = await classifyFiles(page, [{ ...elephantFile(), name: 'elephant-after.jpg' }]);
  expect((await topOf(card))[0].index).toBe(386);
  expect(s.errors.filter((e) => !/Failed to load resource|net::ERR|Content Security Policy|Refused to connect/.test(e))).toEqual([]);
});

test('random weights are flagged; a tfjs model from a URL loads; the model downloads as one zip that loads back', async () => {
  const page = s.page;
  const panel = page.locator('.cls-model');
  const load = () => panel.getByRole('button', { name: 'Load', exact: true }).click();

  await page.getByLabel('Weights source').selectOption('random');
  await page.getByLabel('Architecture').selectOption('ResNet-20');
  await load();
  await expect.poll(() => page.getByTestId('model-info').textContent(), { timeout: 60_000 }).toMatch(/ResNet-20 · 271,098 parameters · weights: random/);
  await expect.poll(() => panel.getByRole('note').textContent()).toMatch(/random weights: its predictions mean nothing/);
  const card = await classifyFiles(page, [{ ...elephantFile(), name: 'elephant-random.jpg' }]);
  expect((await card.locator('.cls-bar-label').first().textContent()) ?? '').toMatch(/^(airplane|automobile|bird|cat|deer|dog|frog|horse|ship|truck) #\d/);

  // The same ImageNet weights as a tfjs layers model from a URL (legacy names detected, BN epsilon 1e-3).
  await page.getByLabel('Weights source').selectOption('layers-url');
  await page.getByLabel('Architecture').selectOption('ResNet50');
  await page.getByLabel('Weights URL').fill(`${new URL(page.url()).origin}/weights/resnet50-imagenet/model.json`);
  await load();
  await expect.poll(() => page.getByTestId('model-info').textContent(), { timeout: 120_000 }).toMatch(/weights: http.*model\.json/);
  expect(await panel.getByRole('note').count()).toBe(0);
  const again = await classifyFiles(page, [{ ...elephantFile(), name: 'elephant-url.jpg' }]);
  expect((await topOf(again))[0].index).toBe(386);

  // One file per click: a zip of model.json + weights. Picked as "tfjs model files", it loads back.
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByRole('button', { name: 'Download model' }).click()]);
  expect(download.suggestedFilename()).toBe('ResNet50.tfjs.zip');
  const dir = mkdtempSync(join(tmpdir(), 'classify-download-'));
  const zipPath = join(dir, download.suggestedFilename());
  await download.saveAs(zipPath);
  await page.getByLabel('Weights source').selectOption('layers-files');
  await page.getByLabel('Architecture').selectOption('ResNet50');
  await page.getByLabel('Weights files').setInputFiles(zipPath);
  await load();
  await expect.poll(() => page.getByTestId('model-info').textContent(), { timeout: 120_000 }).toMatch(/weights: ResNet50\.tfjs\.zip/);
  const fromZip = await classifyFiles(page, [{ ...elephantFile(), name: 'elephant-zip.jpg' }]);
  expect((await topOf(fromZip))[0].index).toBe(386);
  rmSync(dir, { recursive: true, force: true });
});

test('paste and drag-and-drop classify too; a dropped text file is reported, not classified', async () => {
  const page = s.page;
  await page.getByLabel('Weights source').selectOption('imagenet');
  await page.locator('.cls-model').getByRole('button', { name: 'Load', exact: true }).click();
  await expect.poll(() => page.getByTestId('model-info').textContent(), { timeout: 120_000 }).toMatch(/weights: ImageNet/);
  const b64 = elephantFile().buffer.toString('base64');
  await page.evaluate((data) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'pasted.jpg', { type: 'image/jpeg' }));
    window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt }));
  }, b64);
  const pasted = page.getByRole('article', { name: 'Result for pasted.jpg' });
  await expect.poll(() => pasted.getAttribute('aria-busy'), { timeout: 60_000 }).toBe('false');
  expect((await topOf(pasted))[0].index).toBe(386);

  const dataTransfer = await page.evaluateHandle((data) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'dropped.jpg', { type: 'image/jpeg' }));
    dt.items.add(new File(['just words'], 'notes.txt', { type: 'text/plain' }));
    return dt;
  }, b64);
  await page.getByRole('region', { name: 'Drop images here' }).dispatchEvent('drop', { dataTransfer });
  const dropped = page.getByRole('article', { name: 'Result for dropped.jpg' });
  await expect.poll(() => dropped.getAttribute('aria-busy'), { timeout: 60_000 }).toBe('false');
  expect((await topOf(dropped))[0].index).toBe(386);
  await expect.poll(() => page.locator('.cls > .cls-error').textContent()).toMatch(/Not images, skipped: notes.txt \(text\/plain\)/);
});

test('a reload takes the ImageNet weights from IndexedDB, not the network', async () => {
  const page = s.page;
  await page.goto(`${new URL(page.url()).origin}/?view=classify`);
  const before = s.requests.length;
  const info = await waitForModel(page);
  expect(info).toMatch(/weights: ImageNet .*\(from the browser cache\)/);
  expect(s.requests.slice(before).filter((u) => u.includes('/weights/'))).toEqual([]);
  const card = await classifyFiles(page, [{ ...elephantFile(), name: 'elephant-cached.jpg' }]);
  expect((await topOf(card))[0].index).toBe(386);
});
