/**
 * Browser speed, one run (issue 11): headless Debian Chromium against the built app (vite preview, with its
 * CSP and cross-origin isolation), the Keras elephant, the ImageNet ResNet50 weights.
 * - The app as a person uses it: cold page → model ready, reload → ready (IndexedDB), cold → first prediction,
 *   and the load phases the Model panel shows.
 * - Per-image medians: more copies of the app's own model worker (the built file, in the same page) answer the
 *   worker's `bench` request: the current model, the same preprocessed image (batch of copies), probabilities
 *   read back, with tfjs wasm and with onnxruntime-web wasm running our ONNX export of that same model. tfjs and
 *   onnxruntime runs alternate, so a busy machine slows both alike. tfjs is timed as Classify runs it (the fused
 *   runner, src/tf/fused) and, in the same alternation, unfused (the LayersModel) for comparison. onnxruntime fixes its thread count when its
 *   wasm starts, so 1 thread runs in a second worker.
 * - tfjs webgl / webgpu here run on SwiftShader (a CPU): their times say nothing about a GPU; only the
 *   agreement with wasm is checked.
 * Prints `ratio resnet50-b1 chromium tfjs-wasm / ort-web-2t  R` (R = tfjs median / onnxruntime median).
 * `npx tsx scripts/bench-browser.ts` (builds dist/ first; BENCH_BUILD=0 reuses it); BENCH_QUICK=1: ResNet50 batch 1 only;
 * BENCH_RUNS=n alternations for ResNet50 batch 1; BENCH_SWIFTSHADER=0 skips webgl / webgpu.
 */
import { execSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import type { Page } from 'playwright-core';
import { median, recordFirstPrediction, report, settleBrowser } from './bench-util';
import { waitForWeightsRow } from './weights-row';

const REPO_ROOT = join(import.meta.dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const fixtures = process.env.RESNET_FIXTURES ?? join(REPO_ROOT, '..', 'shared', 'fixtures');
const elephantPath = join(fixtures, 'imagenet', 'elephant.jpg');
const QUICK = process.env.BENCH_QUICK === '1';
/** Alternations for ResNet50 batch 1 (more give steadier medians on a busy machine). */
const RUNS_B1 = Number(process.env.BENCH_RUNS ?? (QUICK ? 5 : 10));
/** BENCH_SWIFTSHADER=0 skips the (slow, correctness-only) webgl / webgpu runs. */
const SWIFTSHADER = process.env.BENCH_SWIFTSHADER !== '0';
const AFRICAN_ELEPHANT = 386;

if (!existsSync(CHROMIUM)) {
  console.log(`bench-browser: skipped (no Chromium at ${CHROMIUM})`);
  process.exit(0);
}
if (!existsSync(join(REPO_ROOT, 'public', 'weights', 'resnet50-imagenet', 'model.json'))) {
  console.error('ImageNet weights missing: run `node scripts/setup-weights.mjs` first.');
  process.exit(1);
}

const { preview } = await import('vite');
const { chromium } = await import('playwright-core');
// Build unless told not to: a dist/ left from an older checkout (or an e2e build with NODE_ENV=test) would be
// measured instead of this code.
if (process.env.BENCH_BUILD !== '0' || !existsSync(join(REPO_ROOT, 'dist', 'index.html'))) {
  execSync('npx vite build', { cwd: REPO_ROOT, stdio: 'ignore', env: { ...process.env, NODE_ENV: 'production' } });
}
const server = await preview({ root: REPO_ROOT, logLevel: 'silent', preview: { port: 0, host: '127.0.0.1' } });
const url = server.resolvedUrls!.local[0];
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--enable-unsafe-webgpu', '--enable-unsafe-swiftshader'],
});
const jpg = readFileSync(elephantPath);
const started = performance.now();
const log = (s: string) => console.log(s);

interface BenchAnswer {
  label: string;
  ms: number[];
  top: { index: number; label: string; probability: number }[];
  probs: number[];
}

/** The page's RPC to extra copies of the app's model worker (same file, same origin, same CSP). */
async function installRpc(page: Page, workerUrl: string) {
  const img = jpeg.decode(jpg, { useTArray: true, formatAsRGBA: true });
  // tsx (esbuild keepNames) wraps named functions in `__name(…)`, which the page does not define.
  await page.evaluate('globalThis.__name = (f) => f');
  await page.evaluate(
    ({ workerUrl, width, height, b64 }) => {
      const bin = atob(b64);
      const data = new Uint8ClampedArray(bin.length);
      for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i);
      const interim = new Set(['progress', 'finetune-progress', 'finetune-epoch', 'export-progress']);
      const workers = new Map<string, Worker>();
      let nextId = 1;
      (globalThis as unknown as { __bench: unknown }).__bench = {
        call(key: string, body: Record<string, unknown>) {
          let w = workers.get(key);
          if (!w) {
            w = new Worker(workerUrl, { type: 'module', name: `bench-${key}` });
            workers.set(key, w);
          }
          const worker = w;
          const id = nextId++;
          const msg = { ...body, id, ...(body.image === 'elephant' ? { image: { width, height, data } } : {}) };
          return new Promise((resolve, reject) => {
            const on = (e: MessageEvent) => {
              const m = e.data;
              if (m.id !== id || interim.has(m.type)) return;
              worker.removeEventListener('message', on);
              if (m.type === 'error') reject(new Error(`${m.error.name}: ${m.error.message}`));
              else resolve(m.type === 'bench' ? { ...m, probs: Array.from(m.probs as Float32Array) } : JSON.parse(JSON.stringify(m)));
            };
            worker.addEventListener('message', on);
            worker.postMessage(msg);
          });
        },
        stop(key: string) {
          workers.get(key)?.terminate();
          workers.delete(key);
        },
      };
    },
    { workerUrl, width: img.width, height: img.height, b64: Buffer.from(img.data).toString('base64') },
  );
  const call = <T>(key: string, body: Record<string, unknown>) =>
    page.evaluate(({ key, body }) => (globalThis as unknown as { __bench: { call(k: string, b: unknown): Promise<unknown> } }).__bench.call(key, body), {
      key,
      body,
    }) as Promise<T>;
  const stop = (key: string) => page.evaluate((key) => (globalThis as unknown as { __bench: { stop(k: string): void } }).__bench.stop(key), key);
  return { call, stop };
}

type Rpc = Awaited<ReturnType<typeof installRpc>>;

const maxDiff = (a: readonly number[], b: readonly number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

/**
 * Alternate tfjs (the fused runner Classify uses), tfjs unfused (the LayersModel) and onnxruntime runs (one
 * warm-up each, not counted); medians per engine.
 */
async function sideBySide(rpc: Rpc, key: string, batch: number, runs: number, threads: number) {
  const one = (engine: string, fused = true) => rpc.call<BenchAnswer>(key, { type: 'bench', image: 'elephant', engine, batch, runs: 1, threads, fused });
  const tfjsWarm = await one('tfjs');
  const unfusedWarm = await one('tfjs', false);
  const ortWarm = await one('onnxruntime-web');
  const tfjs: number[] = [];
  const unfused: number[] = [];
  const ort: number[] = [];
  for (let i = 0; i < runs; i++) {
    tfjs.push((await one('tfjs')).ms[0]);
    unfused.push((await one('tfjs', false)).ms[0]);
    ort.push((await one('onnxruntime-web')).ms[0]);
  }
  return {
    tfjs: median(tfjs),
    unfused: median(unfused),
    unfusedDiff: maxDiff(tfjsWarm.probs, unfusedWarm.probs),
    ort: median(ort),
    tfjsLabel: tfjsWarm.label,
    ortLabel: ortWarm.label,
    diff: maxDiff(tfjsWarm.probs, ortWarm.probs),
    sameTop: tfjsWarm.top.map((p) => p.index).join() === ortWarm.top.map((p) => p.index).join(),
    top: ortWarm.top[0],
    tfjsProbs: tfjsWarm.probs,
  };
}

async function loadIn(rpc: Rpc, key: string, source: Record<string, unknown>) {
  const t = performance.now();
  await rpc.call(key, { type: 'load', source });
  return performance.now() - t;
}

try {
  // ── The app as a person uses it (tfjs engine, auto backend) ──
  const context = await browser.newContext();
  await context.addInitScript(`globalThis.__first = {}; ${recordFirstPrediction('globalThis.__first')}`);
  const page = await context.newPage();
  // Warnings and errors from the page and its workers (ort falling back to 1 thread would say so here).
  const notes = new Set<string>();
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') notes.add(`${m.type()}: ${m.text().slice(0, 200)}`);
  });
  page.on('pageerror', (e) => notes.add(`pageerror: ${String(e).slice(0, 200)}`));
  // The new window's own start-up is not the app's (bench-util.ts settleBrowser).
  await settleBrowser(browser);
  const t0 = performance.now();
  await page.goto(`${url}?view=classify`);
  await page.getByTestId('model-info').waitFor({ timeout: 600_000 });
  report('browser: cold page → ResNet50 ready (default float16 weights, 49 MiB, no cache)', performance.now() - t0, 'ms', '≤ 3000 ms');
  log(`  phases: ${await page.getByTestId('load-phases').textContent()}`);
  await page.getByLabel('Images to classify').setInputFiles([{ name: 'e0.jpg', mimeType: 'image/jpeg', buffer: jpg }]);
  const card = page.getByRole('article', { name: 'Result for e0.jpg' });
  await card.getByTestId('latency').waitFor({ timeout: 600_000 });
  // In the page's time (from its navigation start), as bench-startup.ts times it.
  const shownAt = await page.evaluate(() => (globalThis as unknown as { __first: { shownAt?: number } }).__first.shownAt);
  if (shownAt === undefined) throw new Error('the page did not record when the first result was shown');
  report('browser: cold page → first prediction shown', shownAt, 'ms');
  log(`  first prediction: ${await card.getByTestId('latency').textContent()}`);
  log(`  ${await page.getByTestId('backend-status').textContent()}; ${await page.getByTestId('engine-status').textContent()}`);
  const workerUrl = page.workers().find((w) => /model\.worker/.test(w.url()))?.url();
  if (!workerUrl) throw new Error(`the app's model worker was not found among ${page.workers().map((w) => w.url()).join(', ')}`);
  // The cache write runs after ready (in the background): wait for its IndexedDB row, or the reload downloads again.
  await waitForWeightsRow(page);
  // The service worker installs after the first result (it caches the app's files): the reload measured is a next
  // visit's, once that background work is over, as in bench-startup.ts.
  if (existsSync(join(REPO_ROOT, 'dist', 'sw.js'))) await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));

  const t1 = performance.now();
  await page.reload();
  await page.getByTestId('model-info').waitFor({ timeout: 600_000 });
  report('browser: reload → ResNet50 ready (IndexedDB)', performance.now() - t1, 'ms', '≤ 1500 ms');
  log(`  phases: ${await page.getByTestId('load-phases').textContent()}`);
  // Free the app's own worker's cores for the side-by-side runs: leave Classify.
  await page.goto(`${url}?view=explore`);

  const rpc = await installRpc(page, workerUrl);

  // ── ResNet50, batch 1: tfjs wasm vs onnxruntime-web wasm 2 threads, same worker, same model ──
  const wasm = await rpc.call<{ choice: { name: string; attempts: { detail?: string }[] } }>('a', { type: 'init', backend: 'wasm' });
  const wasmDetail = wasm.choice.attempts.at(-1)?.detail;
  await loadIn(rpc, 'a', { kind: 'imagenet' });
  const b1 = await sideBySide(rpc, 'a', 1, RUNS_B1, 2);
  if (b1.top.index !== AFRICAN_ELEPHANT) throw new Error(`onnxruntime-web ranked ${b1.top.label} first, not African_elephant`);
  log(`  tfjs: ${b1.tfjsLabel}${wasmDetail ? ` — ${wasmDetail}` : ''}; onnxruntime: ${b1.ortLabel}`);
  report(`browser ResNet50 b1: tfjs wasm, per image (median)`, b1.tfjs, 'ms');
  report(`browser ResNet50 b1: tfjs wasm unfused (LayersModel) (median)`, b1.unfused, 'ms');
  report(`browser ResNet50 b1: ort-web wasm 2 threads (median)`, b1.ort, 'ms');
  log(`  same top-5: ${b1.sameTop}; max |Δp| ${b1.diff.toExponential(1)}; African_elephant ${b1.top.probability.toFixed(4)}`);
  log(`  tfjs fused vs unfused: max |Δp| ${b1.unfusedDiff.toExponential(1)}; fused / unfused ${(b1.tfjs / b1.unfused).toFixed(2)}`);

  const ratios: string[] = [
    `ratio resnet50-b1 chromium tfjs-wasm / ort-web-2t  ${(b1.tfjs / b1.ort).toFixed(2)}`,
    `(unfused LayersModel, same run: ratio resnet50-b1 chromium tfjs-wasm-unfused / ort-web-2t  ${(b1.unfused / b1.ort).toFixed(2)})`,
  ];
  if (!QUICK) {
    const b8 = await sideBySide(rpc, 'a', 8, 3, 2);
    report('browser ResNet50 b8: tfjs wasm, per batch (median of 3)', b8.tfjs, 'ms');
    report('browser ResNet50 b8: ort-web wasm 2t, per batch (median of 3)', b8.ort, 'ms');
    log(`  same top-5: ${b8.sameTop}; max |Δp| ${b8.diff.toExponential(1)}`);
    ratios.push(`ratio resnet50-b8 chromium tfjs-wasm / ort-web-2t  ${(b8.tfjs / b8.ort).toFixed(2)}`);
    for (const [preset, runs] of [
      ['ResNet18', 7],
      ['ResNet152', 3],
    ] as const) {
      const loadMs = await loadIn(rpc, 'a', { kind: 'random', preset });
      const r = await sideBySide(rpc, 'a', 1, runs, 2);
      report(`browser ${preset} (random) b1: build + init`, loadMs, 'ms');
      report(`browser ${preset} (random) b1: tfjs wasm (median of ${runs})`, r.tfjs, 'ms');
      report(`browser ${preset} (random) b1: ort-web wasm 2t (median of ${runs})`, r.ort, 'ms');
      log(`  same top-5: ${r.sameTop}; max |Δp| ${r.diff.toExponential(1)}`);
      ratios.push(`ratio ${preset.toLowerCase()}-b1 chromium tfjs-wasm / ort-web-2t  ${(r.tfjs / r.ort).toFixed(2)}`);
    }
  }
  await rpc.stop('a');

  // ── onnxruntime-web with 1 thread (its own worker: ort's thread count is fixed once started) ──
  await rpc.call('b', { type: 'init', backend: 'wasm' });
  await loadIn(rpc, 'b', { kind: 'imagenet' });
  const t = performance.now();
  const prepared = await rpc.call<{ label: string; session: { onnxBytes: number; exportMs: number; sessionMs: number } }>('b', {
    type: 'engine',
    engine: 'onnxruntime-web',
    threads: 1,
  });
  log(
    `  ${prepared.label}: ONNX export in the worker ${prepared.session.exportMs.toFixed(0)} ms (${(prepared.session.onnxBytes / 1e6).toFixed(1)} MB), ` +
      `session ${prepared.session.sessionMs.toFixed(0)} ms (total ${(performance.now() - t).toFixed(0)} ms)`,
  );
  const ort1 = await rpc.call<BenchAnswer>('b', { type: 'bench', image: 'elephant', engine: 'onnxruntime-web', batch: 1, runs: QUICK ? 5 : 9, threads: 1 });
  report(`browser ResNet50 b1: ort-web wasm 1 thread (median)`, median(ort1.ms.slice(1)), 'ms');
  await rpc.stop('b');

  // ── tfjs on SwiftShader (CPU) webgl / webgpu: correctness against wasm; times are not a GPU's ──
  for (const backend of SWIFTSHADER ? ['webgl', 'webgpu'] : []) {
    try {
      const init = await rpc.call<{ choice: { name: string } }>(backend, { type: 'init', backend });
      if (init.choice.name !== backend) {
        log(`  tfjs ${backend}: not available here (got ${init.choice.name})`);
        continue;
      }
      await loadIn(rpc, backend, { kind: 'imagenet' });
      // One run (shader compilation included): SwiftShader takes 30–80 s per ResNet50 pass here.
      const r = await rpc.call<BenchAnswer>(backend, { type: 'bench', image: 'elephant', engine: 'tfjs', batch: 1, runs: 1 });
      const diff = maxDiff(r.probs, b1.tfjsProbs);
      report(`browser ResNet50 b1: tfjs ${backend} SwiftShader, 1st run`, r.ms[0], 'ms');
      log(`  correctness only (SwiftShader is a CPU): top-1 ${r.top[0].label}, max |Δp| vs wasm ${diff.toExponential(1)}`);
    } catch (e) {
      log(`  tfjs ${backend}: failed — ${(e as Error).message}`);
    } finally {
      await rpc.stop(backend);
    }
  }
  if (notes.size > 0) log(`  page warnings/errors:\n    ${[...notes].join('\n    ')}`);
  for (const line of ratios) log(line);
  report('browser bench: total', performance.now() - started, 'ms');
} finally {
  await browser.close();
  await server.close();
}

