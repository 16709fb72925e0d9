/**
 * Transfer learning end to end in real Chromium (wasm): pick a folder made from the fixture photos (two classes,
 * a few mislabelled crops, an identical copy, an unreadable file), train the Keras tutorial head
 * (Dense(2048, relu) + Dense(N)) with early stopping, read the confusion matrix (screenshot), open a
 * misclassified cell and see its thumbnails with their top-3, fine-tune conv5 for one epoch, use and keep the
 * model under a name, reload the page, load it back and classify: the same top class and probability.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { launch, open, type Session, screenshot } from './browser';
import { classifyFiles, topOf, waitForModel } from './helpers-classify';
import { crop } from './photo-crops';

let browser: Browser;
let s: Session;
let dir: string;


const BOXES = [
  [0, 0, 0.8, 0.8],
  [0.2, 0.2, 0.8, 0.8],
  [0, 0.2, 0.9, 0.7],
  [0.1, 0, 0.85, 0.75],
  [0.05, 0.1, 0.7, 0.9],
  [0.15, 0.15, 0.7, 0.7],
] as const;

const cellCounts = (page: Session['page'], scope: string) =>
  page
    .getByRole('region', { name: `${scope} evaluation` })
    .locator('[data-true][data-pred][data-count]')
    .evaluateAll((gs) => gs.map((g) => ({ t: Number(g.getAttribute('data-true')), p: Number(g.getAttribute('data-pred')), n: Number(g.getAttribute('data-count')) })));

beforeAll(async () => {
  vi.setConfig({ expect: { poll: { timeout: 60_000, interval: 100 } } });
  dir = mkdtempSync(join(tmpdir(), 'finetune-eval-e2e-'));
  for (const [cls, file] of [
    ['elephant', 'elephant.jpg'],
    ['cat', 'cat.jpg'],
  ] as const) {
    mkdirSync(join(dir, 'pets', cls), { recursive: true });
    BOXES.forEach((b, i) => {
      writeFileSync(join(dir, 'pets', cls, `${cls}-${i}.jpg`), crop(file, b, i % 2 === 1));
    });
  }
  // Mislabelled: elephant crops filed under cat (half of the class is held out, so some land in validation).
  BOXES.slice(0, 3).forEach((b, i) => {
    writeFileSync(join(dir, 'pets', 'cat', `zz-elephant-${i}.jpg`), crop('elephant.jpg', [b[0] + 0.05, b[1], b[2] - 0.05, b[3]], i % 2 === 0));
  });
  // An identical copy (same bytes) and a file that is no JPEG although it says so.
  writeFileSync(join(dir, 'pets', 'elephant', 'elephant-0-copy.jpg'), readFileSync(join(dir, 'pets', 'elephant', 'elephant-0.jpg')));
  writeFileSync(join(dir, 'pets', 'elephant', 'broken.jpg'), 'this is not a JPEG');
  browser = await launch();
  s = await open(browser, '/?view=classify');
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the 2048 head trains with early stopping; confusion matrix, cell images, conv5, keep, reload, load back', async () => {
  const { page } = s;
  await waitForModel(page);
  await page.getByText('a new head on your own images').click();
  await page.getByLabel('Folder of classes').setInputFiles(join(dir, 'pets'));
  const rows = page.getByRole('table', { name: 'Classes' }).locator('tbody tr');
  await expect
    .poll(() => rows.evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-class')}:${tr.getAttribute('data-count')}`)))
    .toEqual(['cat:9', 'elephant:8']);

  await page.getByLabel('Head', { exact: true }).selectOption('dense2048');
  expect(await page.getByLabel('Head', { exact: true }).locator('option:checked').textContent()).toMatch(/Dense\(2048, relu\) \+ Dense\(N, softmax\) — Keras tutorial head/);
  await page.getByLabel('Epochs', { exact: true }).fill('8');
  await page.getByLabel('Batch size').fill('8');
  await page.getByLabel('Validation %').fill('50');
  await page.getByLabel('Dropout %').fill('20');
  await page.getByLabel('Early stopping patience (0 = off)').fill('2');
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Train on 17 images' }).click();
  const result = page.getByTestId('finetune-result');
  await result.waitFor({ timeout: 300_000 });
  console.info(`[finetune-eval e2e] ${((Date.now() - t0) / 1000).toFixed(1)} s from Train to result; ${(await result.locator('p').first().textContent())?.trim()}`);

  // Data hygiene: the unreadable file is listed and skipped, the identical copy reported.
  expect(await page.getByTestId('finetune-skipped').textContent()).toMatch(/pets\/elephant\/broken\.jpg|elephant\/broken\.jpg/);
  expect(await page.getByTestId('finetune-warnings').textContent()).toMatch(/identical files in "elephant": .*elephant-0\.jpg.*elephant-0-copy\.jpg|elephant-0-copy\.jpg.*elephant-0\.jpg/);

  // The head and the epoch kept are stated and marked on the chart.
  expect(await page.getByTestId('finetune-head').textContent()).toMatch(/Keras tutorial head, dropout 20%\. Weights of epoch \d+ kept/);
  const best = Number(await page.getByTestId('best-epoch-mark').first().getAttribute('data-epoch'));
  const logs = await page
    .getByRole('table', { name: 'Training per epoch' })
    .first()
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-epoch'))));
  expect(logs.length).toBeGreaterThanOrEqual(best);
  expect(best).toBeGreaterThanOrEqual(1);

  // Confusion matrix: counts add up to the held-out images; row-normalised rows add up to 100 %.
  const held = Number((await result.textContent())?.match(/\((\d+) held out\)/)?.[1]);
  const cells = await cellCounts(page, 'Validation (head)');
  expect(cells).toHaveLength(4);
  expect(cells.reduce((a, c) => a + c.n, 0)).toBe(held);
  const matrix = page.getByRole('region', { name: 'Validation (head) evaluation' });
  await matrix.getByLabel(/row-normalised/).check();
  const shares = await matrix.locator('.ft-cell-text').allTextContents();
  expect(shares.every((t) => /^\d+%$/.test(t))).toBe(true);
  await matrix.scrollIntoViewIfNeeded();
  await screenshot(page, 'finetune-confusion');
  await matrix.getByLabel(/row-normalised/).uncheck();

  // Misclassified images are listed by default; clicking a cell lists exactly its images, with thumbnails and top-3.
  const wrong = cells.filter((c) => c.t !== c.p).reduce((a, c) => a + c.n, 0);
  const listed = matrix.getByRole('list', { name: 'Images of the chosen cell' }).locator(':scope > li');
  expect(await matrix.getByTestId('cell-title').textContent()).toBe(`Misclassified validation images (${wrong})`);
  expect(await listed.count()).toBe(wrong);
  const target = cells.find((c) => c.t !== c.p && c.n > 0) ?? cells.find((c) => c.n > 0)!;
  console.info(`[finetune-eval e2e] confusion ${JSON.stringify(cells)}; opening true ${target.t} → predicted ${target.p}`);
  await matrix.locator(`g.ft-cell[data-true="${target.t}"][data-pred="${target.p}"]`).click();
  await expect.poll(() => listed.count()).toBe(target.n);
  const shown = await listed.evaluateAll((lis) =>
    lis.map((li) => ({
      t: Number(li.getAttribute('data-true')),
      p: Number(li.getAttribute('data-pred')),
      top: li.querySelectorAll('.ft-top3 > li').length,
      img: (li.querySelector('img') as HTMLImageElement | null)?.src ?? '',
    })),
  );
  expect(shown.every((x) => x.t === target.t && x.p === target.p && x.top === 2 && x.img.startsWith('blob:'))).toBe(true);
  await expect.poll(() => listed.locator('img').evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0))).toBe(true);
  await screenshot(page, 'finetune-cell');

  // Second phase: conv5 for one epoch, with its time per epoch and the validation accuracy before → after.
  const t1 = Date.now();
  await page.getByRole('button', { name: 'Fine-tune conv5' }).click();
  const stage = page.getByTestId('stage-result');
  await stage.waitFor({ timeout: 540_000 });
  const stageText = (await stage.locator('p').first().textContent()) ?? '';
  console.info(`[finetune-eval e2e] conv5: ${((Date.now() - t1) / 1000).toFixed(1)} s; ${stageText}`);
  expect(stageText).toMatch(/[\d.]+ s per epoch \(learning rate 0\.0001\)\. Validation accuracy [\d.]+% → [\d.]+% \((gain|loss) [\d.]+%|no change\)/);
  expect(await cellCounts(page, 'Validation after conv5').then((c) => c.reduce((a, x) => a + x.n, 0))).toBe(held);

  // Use it, keep it, classify a new crop.
  await page.getByRole('button', { name: 'Use this model' }).click();
  await expect.poll(() => page.getByTestId('model-info').textContent(), { timeout: 120_000 }).toMatch(/ResNet50-finetuned .*fine-tuned \(head \+ conv5\) on 16 images/);
  await page.getByLabel('Name to keep the model under').fill('pets 2048');
  await page.getByRole('button', { name: 'Keep in browser' }).click();
  // ResNet50 without its classifier (23,587,712 weights) + fc1 (2048×2048 + 2048) + predictions (2048×2 + 2), float32.
  const mb = (((23_587_712 + 2048 * 2048 + 2048 + 2048 * 2 + 2) * 4) / 2 ** 20).toFixed(1);
  await expect.poll(() => page.getByTestId('kept-note').textContent(), { timeout: 120_000 }).toBe(`Kept as "pets 2048" (${mb} MB).`);
  // A clear cat, and an elephant crop the mislabelled training set leaves less certain (unsaturated probabilities).
  const probes = [
    { name: 'new-cat.jpg', mimeType: 'image/jpeg', buffer: crop('cat.jpg', [0.15, 0.05, 0.8, 0.9]) },
    { name: 'new-elephant.jpg', mimeType: 'image/jpeg', buffer: crop('elephant.jpg', [0.1, 0.1, 0.75, 0.75], true) },
  ];
  const classifyAll = async () => {
    const out = [];
    for (const p of probes) out.push(await topOf(await classifyFiles(page, [p])));
    return out;
  };
  const before = await classifyAll();
  expect(before.map((t) => t.length)).toEqual([2, 2]);

  // Reload: the kept model is listed, loads back, and predicts the same.
  await page.reload();
  await waitForModel(page);
  await page.getByText('a new head on your own images').click();
  await page.getByRole('button', { name: 'Load kept model pets 2048' }).click();
  await expect.poll(() => page.getByTestId('model-info').textContent(), { timeout: 180_000 }).toMatch(/ResNet50-finetuned .*weights: kept model "pets 2048"/);
  const after = await classifyAll();
  console.info(`[finetune-eval e2e] before reload ${JSON.stringify(before)}, after ${JSON.stringify(after)}`);
  // Same classes in the same order, every probability equal to 1e-5 of itself (same weights, same backend).
  expect(after.map((t) => t.map((p) => p.index))).toEqual(before.map((t) => t.map((p) => p.index)));
  before.flat().forEach((b, i) => {
    const a = after.flat()[i].probability;
    expect(Math.abs(a - b.probability)).toBeLessThanOrEqual(1e-5 * b.probability + 1e-30);
  });
  await screenshot(page, 'finetune-kept-loaded');

  // Deleting it empties the list.
  await page.getByRole('button', { name: 'Delete kept model pets 2048' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Load kept model pets 2048' }).count()).toBe(0);

  // The model in use, drawn: its spec carries the new head, so Explore shows fc1 → dropout → predictions.
  await page.getByRole('button', { name: 'See it in Explore' }).click();
  const node = (id: string) => page.locator(`svg.diagram-svg g.node[data-node-id="${id}"]`);
  await node('fc1').waitFor({ timeout: 60_000 });
  expect(await node('dropout').count()).toBe(1);
  expect(await node('predictions').getAttribute('aria-label')).toMatch(/output .*2\b/);
  await screenshot(page, 'finetune-explore-head');
  expect(s.errors.filter((e) => !/Failed to load resource|net::ERR/.test(e))).toEqual([]);
});
