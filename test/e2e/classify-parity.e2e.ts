/**
 * One preprocessing path: the same photo gives the same top-5 in the app (Chromium, model worker, wasm) and in the
 * command line (`classify --json`, Node, wasm), probabilities within 1e-3. Both photos are larger than the 224²
 * input, so the resize is exercised; cat.jpg's top-5 are close together, so a different decode or resize reorders them.
 * A PNG of the elephant's pixels checks the other decoders (the browser's and pngjs) too.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { expect, test } from 'vitest';
import { decodeImageRgba } from '../../src/tf/node-image';
import { FIXTURES } from '../helpers/fixtures';
import { classifyFiles, classifySession, type Top, topOf, waitForModel } from './helpers-classify';

const PHOTOS = ['elephant.jpg', 'cat.jpg', 'elephant.png'] as const;
const TOLERANCE = 1e-3;

const s = classifySession();

async function cli(files: readonly string[]): Promise<{ image: string; top: Top[] }[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['bin/resnet-explorer.mjs', 'classify', ...files, '--json', '--top', '5'],
    { maxBuffer: 1 << 24, timeout: 240_000 },
  );
  return JSON.parse(stdout);
}

/** The elephant's pixels, as the app's JPEG decoder gives them, as a PNG (lossless: every PNG decoder agrees). */
function elephantPng(dir: string): string {
  const img = decodeImageRgba(readFileSync(join(FIXTURES, 'imagenet', 'elephant.jpg')), 'elephant.jpg');
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.data);
  const file = join(dir, 'elephant.png');
  writeFileSync(file, PNG.sync.write(png));
  return file;
}

test('elephant.jpg, cat.jpg and a PNG: the same top-5 in the app and the CLI, probabilities within 1e-3', async () => {
  const png = elephantPng(mkdtempSync(join(tmpdir(), 'parity-')));
  const paths = PHOTOS.map((f) => (f.endsWith('.png') ? png : join(FIXTURES, 'imagenet', f)));
  const fromCli = cli(paths); // runs in parallel with the page
  await waitForModel(s.page);
  const fromApp: Top[][] = [];
  for (const f of PHOTOS) {
    const i = PHOTOS.indexOf(f);
    const card = await classifyFiles(s.page, [{ name: f, mimeType: f.endsWith('.png') ? 'image/png' : 'image/jpeg', buffer: readFileSync(paths[i]) }]);
    fromApp.push(await topOf(card));
  }
  const rows = await fromCli;
  let worst = 0;
  PHOTOS.forEach((f, i) => {
    const app = fromApp[i];
    const node = rows[i].top;
    expect(rows[i].image).toBe(paths[i]);
    expect(app).toHaveLength(5);
    // Compared class by class (a class missing from the app's top 5 counts as NaN, which fails).
    const diffs = node.map((p) => Math.abs(p.probability - (app.find((a) => a.index === p.index)?.probability ?? Number.NaN)));
    worst = Math.max(worst, ...diffs);
    console.log(`${f}: app ${JSON.stringify(app)} cli ${JSON.stringify(node.map(({ index, probability }) => ({ index, probability })))}`);
  });
  console.log(`largest probability difference app vs CLI: ${worst.toExponential(2)}`);
  PHOTOS.forEach((f, i) => {
    expect(fromApp[i].map((p) => p.index), f).toEqual(rows[i].top.map((p) => p.index));
  });
  expect(worst).toBeLessThan(TOLERANCE);
  // The classic checks still hold: the elephant first, the cat photo has cats in its top 5.
  expect(fromApp[0][0].index).toBe(386);
  // The PNG holds exactly the pixels the JPEG decoder gives for elephant.jpg: the browser's PNG decoder must agree.
  fromApp[2].forEach((p, k) => {
    expect(p.index).toBe(fromApp[0][k].index);
    expect(Math.abs(p.probability - fromApp[0][k].probability)).toBeLessThan(1e-6);
  });
});
