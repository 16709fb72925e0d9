import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { baseUrl, launch, open, screenshot } from './browser';

let browser: Browser;
beforeAll(async () => {
  // expect.poll gives up after 1 s by default: too short on a loaded machine (2 cores, many processes).
  vi.setConfig({ expect: { poll: { timeout: 30_000, interval: 50 } } });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const ARCS = 'svg.diagram-svg g.arc[data-shortcut-kind]';
const node = (id: string) => `svg.diagram-svg g.node[data-node-id="${id}"]`;
const count = (page: Page, sel: string) => page.locator(sel).count();
const timings: Record<string, number> = {};

function foreign(requests: string[]): string[] {
  const origin = new URL(baseUrl()).origin;
  return requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
}

test('ResNet50: 16 skip arcs (4 projections), plain twin 0, expand a block, reload keeps the view', async () => {
  const s = await open(browser, '/?view=explore');
  const { page } = s;
  const picker = page.locator('.model-picker select');
  await picker.selectOption('resnet18');
  await expect.poll(() => count(page, ARCS)).toBe(8);
  await picker.selectOption('ResNet50');
  await expect.poll(() => count(page, ARCS)).toBe(16);
  expect(await count(page, `${ARCS}[data-shortcut-kind="projection"]`)).toBe(4);
  expect(await count(page, `${ARCS}[data-shortcut-kind="identity"]`)).toBe(12);
  // The projection arc is labelled with the projected tensor (its BN's output), not the block's 56×56×64 input.
  const projected = page.locator('svg.diagram-svg text.edge-label.shortcut[data-tensor="conv2_block1_0_bn"]');
  expect(await projected.textContent()).toBe('56×56×256');
  expect(await count(page, 'svg.diagram-svg g.node[data-kind="block"]')).toBe(16);
  await expect.poll(() => page.locator('[data-anatomy="v1"]').getAttribute('aria-current')).toBe('true');
  // Where the stride sits, with the computed alternative.
  const note = await page.getByTestId('stride-note').textContent();
  expect(note).toContain('3.86 GMACs');
  expect(note).toContain('4.09 GMACs');
  await screenshot(page, 'explore-resnet50-blocks');
  await page.locator('.anatomy').scrollIntoViewIfNeeded();
  await screenshot(page, 'explore-anatomy');
  await page.evaluate(() => window.scrollTo(0, 0));

  await page.getByRole('button', { name: 'Show plain twin' }).click();
  await expect.poll(() => new URL(page.url()).searchParams.get('model')).toBe('plain-ResNet50');
  await expect.poll(() => count(page, 'svg.diagram-svg g.node[data-kind="block"]')).toBe(16);
  expect(await count(page, ARCS)).toBe(0);
  expect(await page.locator('[data-anatomy="plain"]').getAttribute('aria-current')).toBe('true');
  await screenshot(page, 'explore-plain-resnet50');

  await page.getByRole('button', { name: 'Show residual version' }).click();
  await expect.poll(() => count(page, ARCS)).toBe(16);
  // Expand conv2_block1 with the mouse and conv2_block2 with the keyboard.
  await page.locator(node('conv2_block1')).click();
  const conv = page.locator(node('conv2_block1_2_conv'));
  await expect.poll(() => conv.count()).toBe(1);
  expect(await conv.getAttribute('data-shape')).toBe('56×56×64');
  await page.locator(node('conv2_block2')).focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => count(page, node('conv2_block2_2_conv'))).toBe(1);
  // Focus follows to the expanded block's bracket; Enter there collapses it and focus returns to the block.
  expect(await page.evaluate(() => document.activeElement?.getAttribute('data-group'))).toBe('conv2_block2');
  await page.keyboard.press('Enter');
  await expect.poll(() => count(page, node('conv2_block2'))).toBe(1);
  expect(await page.evaluate(() => document.activeElement?.getAttribute('data-node-id'))).toBe('conv2_block2');
  await page.keyboard.press(' ');
  await expect.poll(() => count(page, node('conv2_block2_2_conv'))).toBe(1);
  // The projection is drawn with its layers in the side lane; still 16 arcs.
  expect(await count(page, node('conv2_block1_0_conv'))).toBe(1);
  expect(await count(page, ARCS)).toBe(16);
  // Select a layer: the side panel shows its Keras name, MACs and output shape.
  await page.locator(node('conv2_block1_2_conv')).click();
  const panel = page.locator('.selection [data-details-for="conv2_block1_2_conv"]');
  await expect.poll(() => panel.count()).toBe(1);
  const text = (await panel.textContent()) ?? '';
  expect(text).toContain('56×56×64');
  expect(text).toContain('3×3 / 1 / same');
  expect(text).toContain('115,605,504'); // 56·56·64 outputs × 3·3·64 MACs each
  await page.locator(node('conv2_block1_3_conv')).hover();
  await expect.poll(() => page.locator('.hover-card [data-details-for="conv2_block1_3_conv"]').count()).toBe(1);
  expect(await page.locator('.hover-card').textContent()).toContain('56×56×256');
  await screenshot(page, 'explore-block-expanded');

  const before = await page.locator('svg.diagram-svg g.node').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id')));
  await page.reload();
  await expect.poll(() => count(page, node('conv2_block1_2_conv'))).toBe(1);
  const after = await page.locator('svg.diagram-svg g.node').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id')));
  expect(after).toEqual(before);
  expect(await count(page, `${node('conv2_block1_2_conv')}.selected`)).toBe(1);
  expect(await count(page, ARCS)).toBe(16);

  // Collapse the block again with its bracket.
  await page.locator('svg.diagram-svg g.band[data-group="conv2_block1"]').click();
  await expect.poll(() => count(page, node('conv2_block1'))).toBe(1);

  // Tab reaches the diagram's nodes from the toolbar.
  await page.locator('.toolbar input[type="search"]').focus();
  let reached = '';
  for (let i = 0; i < 12 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.getAttribute('data-node-id') ?? document.activeElement?.getAttribute('data-group') ?? '');
  }
  expect(reached).not.toBe('');

  expect(foreign(s.requests)).toEqual([]);
  expect(s.errors).toEqual([]);
  await page.context().close();
});

test('block anatomy is read from the graph: plain-ResNet50V2 is pre-activation without an addition', async () => {
  const s = await open(browser, '/?view=explore&model=plain-ResNet50V2');
  const { page } = s;
  const blocks = page.locator('.anatomy-blocks [data-anatomy-block]');
  await expect.poll(() => blocks.count()).toBe(2);
  expect(await page.locator('.anatomy-blocks .anatomy-flow[data-activation="pre"]').count()).toBe(2);
  expect(await page.locator('.anatomy-blocks .add').count()).toBe(0);
  // The first layer of the block is its BN, named as Keras names it.
  const first = page.locator('[data-anatomy-block="conv2_block1"] .steps li').first();
  expect(await first.textContent()).toBe('BN');
  expect(await first.getAttribute('title')).toBe('conv2_block1_preact_bn → 56×56×64');
  expect(await page.locator('[data-anatomy="plain"]').getAttribute('aria-current')).toBe('true');
  // CIFAR option A: the downsampling block's shortcut is the zero-pad, drawn beside the main path.
  await page.locator('.model-picker select').selectOption('ResNet-20');
  const pad = page.locator('[data-anatomy-block="conv3_block1"] .anatomy-shortcut li');
  await expect.poll(() => pad.textContent()).toBe('subsample /2, zero-pad channels +8/+8');
  await page.locator('.anatomy').scrollIntoViewIfNeeded();
  await screenshot(page, 'explore-anatomy-resnet20');
  expect(s.errors).toEqual([]);
});

test('a garbage or hostile URL falls back to ResNet50 with a visible notice, rendered as text', async () => {
  const hostile = encodeURIComponent('<img src=x onerror="window.__pwned=1">');
  const s = await open(browser, `/?view=explore&model=${hostile}&x=%3Cb%3E,conv9&sel=%22%3E%3Cscript%3E`);
  const { page } = s;
  const notice = page.getByTestId('url-notice');
  await expect.poll(() => notice.count()).toBe(1);
  const text = (await notice.textContent()) ?? '';
  expect(text).toContain('Unknown model "<img src=x onerror=\\"window.__pwned=1\\">"');
  expect(text).toContain('Ignored');
  await expect.poll(() => count(page, ARCS)).toBe(16);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await count(page, 'img[src="x"]')).toBe(0);
  // The first view on load is framed: the whole spine width is inside the diagram.
  const inBox = (await page.locator(node('input_1')).boundingBox())!;
  const svgBox = (await page.locator('svg.diagram-svg').boundingBox())!;
  expect(inBox.x).toBeGreaterThanOrEqual(svgBox.x);
  expect(inBox.x + inBox.width).toBeLessThanOrEqual(svgBox.x + svgBox.width);
  await screenshot(page, 'explore-garbage-url');

  const bad = encodeURIComponent(JSON.stringify({ name: 'x', block: 'triple' }));
  await page.goto(`${baseUrl()}/?view=explore&spec=${bad}`);
  await expect.poll(() => page.getByTestId('url-notice').textContent()).toContain('custom model in the link is invalid');
  await expect.poll(() => count(page, ARCS)).toBe(16);

  // A path of "//" (a typo, a proxy): the view's URL writes must stay on this page, not make "//?…" a host.
  await page.goto(`${baseUrl()}//?view=explore&model=resnet18&sel=conv1_conv`);
  await expect.poll(() => count(page, ARCS)).toBe(8);
  await page.locator('.toolbar input[type="search"]').fill('conv3_block1_1_conv');
  await page.getByRole('button', { name: 'Find' }).click();
  await expect.poll(() => count(page, `${node('conv3_block1_1_conv')}.selected`)).toBe(1);
  await expect.poll(() => new URL(page.url()).searchParams.get('sel')).toBe('conv3_block1_1_conv');
  expect(s.errors).toEqual([]);
  await page.context().close();
});

test('export SVG parses and holds the same arcs; PNG export is a PNG', async () => {
  const s = await open(browser, '/?view=explore&model=ResNet50');
  const { page } = s;
  await expect.poll(() => count(page, ARCS)).toBe(16);
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByRole('button', { name: 'Export SVG' }).click()]);
  expect(dl.suggestedFilename()).toBe('ResNet50.svg');
  const svg = readFileSync((await dl.path())!, 'utf8');
  const parsed = await page.evaluate((src) => {
    const doc = new DOMParser().parseFromString(src, 'image/svg+xml');
    return {
      error: doc.getElementsByTagName('parsererror').length,
      root: doc.documentElement.nodeName,
      arcs: doc.querySelectorAll('[data-shortcut-kind]').length,
      projections: doc.querySelectorAll('[data-shortcut-kind="projection"]').length,
      nodes: doc.querySelectorAll('[data-node-id]').length,
    };
  }, svg);
  expect(parsed).toEqual({ error: 0, root: 'svg', arcs: 16, projections: 4, nodes: 19 });
  const outDir = join(process.cwd(), 'test-output');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'ResNet50-blocks.svg'), svg);

  const [png] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByRole('button', { name: 'Export PNG' }).click()]);
  const bytes = readFileSync((await png.path())!);
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.length).toBeGreaterThan(10_000);
  writeFileSync(join(outDir, 'ResNet50-blocks.png'), bytes);
  expect(s.errors).toEqual([]);
  await page.context().close();
});

test('custom builder: valid edits redraw, invalid ones are explained inline, the link reproduces it', async () => {
  const s = await open(browser, '/?view=explore&model=resnet18');
  const { page } = s;
  await expect.poll(() => count(page, ARCS)).toBe(8);
  await page.getByRole('button', { name: 'Customise…' }).click();
  const depths = page.getByLabel('Blocks per stage');
  await depths.fill('1, 1, 1');
  await expect.poll(() => count(page, 'svg.diagram-svg g.node[data-kind="block"]')).toBe(3);
  expect(new URL(page.url()).searchParams.get('spec')).toContain('"blocks":1');
  await depths.fill('1, x, 1');
  await expect.poll(() => page.locator('.field-error').first().textContent()).toContain('"x" is not a whole number');
  expect(await count(page, 'svg.diagram-svg g.node[data-kind="block"]')).toBe(3);
  await depths.fill('1, 1, 1');
  await page.getByLabel('Input height').fill('8');
  await expect.poll(() => page.locator('.field-error').first().textContent()).toContain('input height');
  await screenshot(page, 'explore-custom-builder');
  await page.getByLabel('Input height').fill('224');
  await depths.fill('2, 1, 1');
  await expect.poll(() => count(page, 'svg.diagram-svg g.node[data-kind="block"]')).toBe(4);
  await page.reload();
  await expect.poll(() => count(page, 'svg.diagram-svg g.node[data-kind="block"]')).toBe(4);
  expect(await page.locator('.model-picker select').inputValue()).toBe('__custom__');
  expect(s.errors).toEqual([]);
  await page.context().close();
});

test('ResNet152 expanded and ResNet-1202 render without freezing; timings recorded', async () => {
  const s = await open(browser, '/?view=explore&model=ResNet152');
  const { page } = s;
  await expect.poll(() => count(page, ARCS), { timeout: 120_000 }).toBe(50);
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Layers', exact: true }).click();
  await expect.poll(() => count(page, 'svg.diagram-svg g.node'), { timeout: 120_000 }).toBe(517);
  timings.resnet152ExpandAllWallMs = Date.now() - t0;
  timings.resnet152ExpandAllDrawMs = Number(await page.locator('svg.diagram-svg').getAttribute('data-draw-ms'));
  // The page stays responsive: a trivial round-trip comes back quickly.
  const r0 = Date.now();
  await page.evaluate(() => 1);
  timings.resnet152RoundTripMs = Date.now() - r0;
  // In-page: click → React render → layout → d3 draw → next frame painted.
  const clickToFrame = (label: string) =>
    page.evaluate(async (name) => {
      const b = [...document.querySelectorAll('.toolbar button')].find((x) => x.textContent === name) as HTMLButtonElement;
      const t = performance.now();
      b.click();
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      return performance.now() - t;
    }, label);
  timings.resnet152CollapseToStagesInPageMs = await clickToFrame('Stages');
  timings.resnet152ExpandAllInPageMs = await clickToFrame('Layers');
  expect(await count(page, 'svg.diagram-svg g.node')).toBe(517);
  const t3 = Date.now();
  await page.goto(`${baseUrl()}/?view=explore&model=ResNet152&x=all`);
  await expect.poll(() => count(page, 'svg.diagram-svg g.node'), { timeout: 120_000 }).toBe(517);
  timings.resnet152ExpandedFromUrlLoadWallMs = Date.now() - t3;
  await screenshot(page, 'explore-resnet152-expanded-top');
  await page.getByRole('button', { name: 'Fit' }).click();
  await screenshot(page, 'explore-resnet152-expanded-fit');

  const t1 = Date.now();
  await page.goto(`${baseUrl()}/?view=explore&model=ResNet-1202`);
  await expect.poll(() => count(page, 'svg.diagram-svg g.node[data-kind="stage"]'), { timeout: 120_000 }).toBe(3);
  timings.resnet1202CollapsedLoadWallMs = Date.now() - t1;
  await screenshot(page, 'explore-resnet1202-collapsed');
  const t2 = Date.now();
  timings.resnet1202ExpandAllInPageMs = await clickToFrame('Layers');
  await expect.poll(() => count(page, node('conv2_block1_2_conv')), { timeout: 120_000 }).toBe(1);
  timings.resnet1202ExpandAllWallMs = Date.now() - t2;
  timings.resnet1202ExpandAllDrawMs = Number(await page.locator('svg.diagram-svg').getAttribute('data-draw-ms'));
  timings.resnet1202DrawnNodes = Number(await page.locator('svg.diagram-svg').getAttribute('data-nodes'));
  expect(timings.resnet1202DrawnNodes).toBeLessThan(1200); // only what is in view
  await page.locator('.toolbar input[type="search"]').fill('conv4_block200_2_conv');
  await page.getByRole('button', { name: 'Find' }).click();
  await expect.poll(() => count(page, `${node('conv4_block200_2_conv')}.selected`), { timeout: 120_000 }).toBe(1);
  await screenshot(page, 'explore-resnet1202-search');
  const outDir = join(process.cwd(), 'test-output');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'diagram-timing.json'), JSON.stringify(timings, null, 2));
  console.log('diagram timings (ms)', timings);
  expect(s.errors).toEqual([]);
  await page.context().close();
});

test('phone width (390 px) and dark theme', async () => {
  const s = await open(browser, '/?view=explore&model=ResNet50V2', { width: 390, height: 844 });
  const { page } = s;
  await expect.poll(() => count(page, ARCS)).toBe(16);
  expect(await count(page, `${ARCS}[data-shortcut-kind="subsample"]`)).toBe(3);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await screenshot(page, 'explore-phone-390');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${baseUrl()}/?view=explore&model=ResNet-56&x=conv2,conv3,conv3_block1,conv4`);
  await expect.poll(() => count(page, `${ARCS}[data-shortcut-kind="zeropad"]`)).toBe(2);
  await screenshot(page, 'explore-dark-cifar');
  expect(s.errors).toEqual([]);
  await page.context().close();
});
