/**
 * Classification speed (ResNet50, real ImageNet weights, the Keras elephant, batch 1):
 * - Node: time to first prediction from a cold process (wasm), per-image latency on wasm and cpu, Grad-CAM cost;
 * - Chromium (the built app via vite preview, as a person uses it): time to the model being ready and to the
 *   first prediction on a cold page, per-image latency on wasm, webgl and webgpu (SwiftShader here).
 * `npx tsx scripts/bench-classify.ts`; BENCH_BROWSER=0 skips Chromium, BENCH_CPU=0 skips the 10 s cpu run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, previewBuiltApp, report } from './bench-util';
import { chromiumPath, fixturesDir } from './paths.mjs';

const t0 = performance.now();
const tf = await import('@tensorflow/tfjs');
const { initNodeBackend } = await import('../src/tf/node-backend');
const { IMAGENET_RESNET50_JSON, readLayersModel, REPO_ROOT } = await import('../src/tf/node-io');
const { imagenetResNet50, imagenetResNet50Spec } = await import('../src/tf/imagenet');
const { decodeImage } = await import('../src/tf/node-image');
const { preprocess } = await import('../src/tf/preprocess');
const { classify } = await import('../src/tf/classify');
const { modelPredictor, runInference } = await import('../src/tf/inference');

if (!existsSync(IMAGENET_RESNET50_JSON)) {
  console.error('ImageNet weights missing: run `node scripts/setup-weights.mjs` first.');
  process.exit(1);
}
const fixtures = fixturesDir();
const elephantPath = join(fixtures, 'imagenet', 'elephant.jpg');
const spec = imagenetResNet50Spec();

await initNodeBackend('wasm');
const model = imagenetResNet50(await readLayersModel(IMAGENET_RESNET50_JSON));
const bytes = new Uint8Array(readFileSync(elephantPath));
const img = decodeImage(bytes, 'elephant.jpg');
const x0 = preprocess(img, spec);
const first = await classify(model, x0, 5);
x0.dispose();
report('classify Node wasm: cold process → first prediction', performance.now() - t0, 'ms');
if (first.top[0].index !== 386) throw new Error(`unexpected top class ${first.top[0].label}`);

const times = { predict: [] as number[], pipeline: [] as number[], gradcam: [] as number[] };
for (let i = 0; i < 8; i++) {
  const s = performance.now();
  const pixels = decodeImage(bytes, 'elephant.jpg');
  const r = await runInference(modelPredictor(model), spec, pixels, { gradcam: true });
  pixels.dispose();
  times.pipeline.push(performance.now() - s);
  times.predict.push(r.timing.predict);
  times.gradcam.push(r.timing.gradcam);
}
report('classify Node wasm: per image, predict (median of 8)', median(times.predict), 'ms');
report('classify Node wasm: per image, decode→top-5+Grad-CAM', median(times.pipeline), 'ms');
report('classify Node wasm: Grad-CAM from the kept features', median(times.gradcam), 'ms');

if (process.env.BENCH_CPU !== '0') {
  await initNodeBackend('cpu');
  const x = preprocess(img, spec);
  await classify(model, x, 5); // moves the weights to cpu
  const r = await classify(model, x, 5);
  x.dispose();
  report('classify Node cpu: per image, predict (1 run)', r.ms, 'ms');
}
img.dispose();
model.dispose();
void tf;

if (process.env.BENCH_BROWSER !== '0' && existsSync(chromiumPath())) {
  await browserBench();
}

async function browserBench() {
  const { chromium } = await import('playwright-core');
  const server = await previewBuiltApp(REPO_ROOT);
  const { url } = server;
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-quic', '--enable-unsafe-webgpu', '--enable-unsafe-swiftshader'],
  });
  const file = { name: 'elephant.jpg', mimeType: 'image/jpeg', buffer: readFileSync(elephantPath) };
  try {
    const page = await (await browser.newContext()).newPage();
    const start = performance.now();
    await page.goto(`${url}?view=classify`);
    await page.getByTestId('model-info').waitFor({ timeout: 300_000 });
    report('classify Chromium wasm: cold page → model ready (98 MB)', performance.now() - start, 'ms');
    const status = (await page.getByTestId('backend-status').textContent()) ?? '';
    const threads = /(\d+) threads?/.exec(status);
    report('classify Chromium wasm: threads used (status bar)', threads ? Number(threads[1]) : Number.NaN, 'threads');
    let n = 0;
    const classifyOnce = async () => {
      n++;
      await page.getByLabel('Images to classify').setInputFiles([{ ...file, name: `e${n}.jpg` }]);
      const card = page.getByRole('article', { name: `Result for e${n}.jpg` });
      await card.getByTestId('latency').waitFor({ timeout: 300_000 });
      const text = (await card.getByTestId('latency').textContent()) ?? '';
      const m = /^(\d+) ms on (\w+)/.exec(text);
      if (!m) throw new Error(`no latency in "${text}"`);
      return { ms: Number(m[1]), backend: m[2] };
    };
    await classifyOnce();
    report('classify Chromium wasm: cold page → first prediction', performance.now() - start, 'ms');
    const wasm: number[] = [];
    for (let i = 0; i < 5; i++) wasm.push((await classifyOnce()).ms);
    report('classify Chromium wasm: per image, predict (median of 5)', median(wasm), 'ms');
    // Reload warm: weights come from IndexedDB.
    const warm = performance.now();
    await page.reload();
    await page.getByTestId('model-info').waitFor({ timeout: 300_000 });
    report('classify Chromium wasm: reload → model ready (IndexedDB)', performance.now() - warm, 'ms');
    for (const backend of ['webgl', 'webgpu'] as const) {
      await page.getByLabel('Backend').selectOption(backend);
      await page.getByTestId('backend-status').filter({ hasText: `Backend: ${backend}` }).waitFor({ timeout: 120_000 });
      const runs = backend === 'webgl' ? 3 : 2; // the first run compiles shaders
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) {
        const r = await classifyOnce();
        if (r.backend !== backend) throw new Error(`ran on ${r.backend}, not ${backend}`);
        ms.push(r.ms);
      }
      report(`classify Chromium ${backend} (SwiftShader): per image, warm`, ms.at(-1)!, 'ms');
    }
  } finally {
    await browser.close();
    await server.close();
  }
}
