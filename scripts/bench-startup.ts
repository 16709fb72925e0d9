/**
 * Start-up of the Classify view in headless Debian Chromium (issue 11): cold page → ImageNet ResNet50 ready
 * (no cache; weights from the local preview server, with its CSP and cross-origin isolation) and reload → ready
 * (IndexedDB), per phase. Each run uses a fresh browser profile.
 *
 * Two views of the phases:
 * - as the page sees them: the time from page start to each phase's first `progress` message and to `loaded`
 *   (read by wrapping the page's Worker constructor before the app starts);
 * - as the worker measured them (`ModelInfo.phases`, when present): fetch, parse, build, assign, warm-up, …
 * Also: the longest main-thread task during the load (the UI must never freeze > 200 ms) and when the IndexedDB
 * row appeared (the cache write runs after ready).
 *
 * Then the first prediction (the elephant picked as soon as the model is ready): ready → its result shown, and the
 * photo picked → its result shown, both timed in the page.
 *
 * `npx tsx scripts/bench-startup.ts [runs=3]`; BENCH_BUILD=1 rebuilds dist/. The machine may be busy: medians.
 * BENCH_DISTS=dir1,dir2 (built app folders, relative to the repository) compares builds in one run: their
 * visits alternate (dir1, dir2, dir1, …) so a busy machine slows each alike; medians per build and the median of
 * the per-run ratios dir2 / dir1.
 * Each visit starts once Chromium's processes are idle (BENCH_SETTLE=0: at once; see settleBrowser).
 * BENCH_QUERY=&backend=wasm adds to each visit's query (here: the wasm backend asked for, no automatic choice).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { median, previewBuiltApp, recordFirstPrediction, report, settleBrowser } from './bench-util';
import { waitForWeightsRow } from './weights-row';

const REPO_ROOT = join(import.meta.dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RUNS = Number(process.argv[2] ?? 3);
const DISTS = (process.env.BENCH_DISTS ?? 'dist').split(',');
/** More of the page's query, e.g. `&backend=wasm` (skips the automatic choice's GPU probes). */
const QUERY = process.env.BENCH_QUERY ?? '';
/** BENCH_SETTLE=0 starts each visit as soon as its window exists, beside the window's own start-up work. */
const SETTLE = process.env.BENCH_SETTLE !== '0';
const fixtures = process.env.RESNET_FIXTURES ?? join(REPO_ROOT, '..', 'shared', 'fixtures');
const jpg = readFileSync(join(fixtures, 'imagenet', 'elephant.jpg'));

if (!existsSync(CHROMIUM)) {
  console.log(`bench-startup: skipped (no Chromium at ${CHROMIUM})`);
  process.exit(0);
}
const { chromium } = await import('playwright-core');
const servers = await Promise.all(DISTS.map((outDir) => previewBuiltApp(REPO_ROOT, outDir)));
const urls = servers.map((s) => s.url);

/** Runs in the page before the app: records worker messages with their times, and long main-thread tasks. */
const INIT = `(() => {
  globalThis.__name = (f) => f; // tsx (esbuild keepNames) wraps functions passed to evaluate()
  const rec = (globalThis.__startup = { msgs: [], longest: 0 });
  const W = globalThis.Worker;
  globalThis.Worker = class extends W {
    constructor(...a) {
      super(...a);
      // When the page started the model worker (its script then loads and runs before the first message).
      if (String(a[0]).includes('model.worker')) rec.msgs.push({ t: performance.now(), type: 'worker' });
      this.addEventListener('message', (e) => {
        const m = e.data;
        if (m && (m.type === 'progress' || m.type === 'loaded' || m.type === 'backend'))
          rec.msgs.push({ t: performance.now(), type: m.type, phase: m.phase, phases: m.info?.phases ?? m.phases });
      });
    }
  };
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) rec.longest = Math.max(rec.longest, e.duration); })
      .observe({ type: 'longtask', buffered: true });
  } catch {}
  ${recordFirstPrediction('rec')}
})();`;

interface Msg {
  t: number;
  type: string;
  phase?: string;
  phases?: { phase: string; ms: number }[];
}
interface Visit {
  ready: number;
  /** Page-side: ms from navigation start to each phase's first message. */
  firstAt: Record<string, number>;
  worker?: { phase: string; ms: number }[];
  longest: number;
  /** When the IndexedDB row was seen (ms from navigation start). */
  cachedAt: number;
  /** Ready → the first prediction's result shown (the elephant picked at ready), and its own latency line. */
  firstPrediction: number;
  /** The file picked → its result shown, in the page's time. */
  pickToShown: number;
  latency: string;
}

async function visit(browser: Browser, url: string, reload: boolean, serviceWorker: boolean): Promise<{ cold: Visit; warm?: Visit }> {
  const context = await browser.newContext();
  await context.addInitScript(INIT);
  const page = await context.newPage();
  // The new window's own start-up (browser UI) finishes first: it is not the app's (bench-util.ts settleBrowser).
  if (SETTLE) await settleBrowser(browser);
  const one = async (): Promise<Visit> => {
    const failed = page.locator('.cls-model [role=alert]');
    await page.getByTestId('model-info').or(failed).first().waitFor({ timeout: 600_000 });
    if (await failed.count()) throw new Error(`the load failed: ${await failed.first().textContent()}`);
    const name = `e${Math.random().toString(36).slice(2, 8)}.jpg`;
    await page.getByLabel('Images to classify').setInputFiles([{ name, mimeType: 'image/jpeg', buffer: jpg }]);
    const latency = page.getByRole('article', { name: `Result for ${name}` }).getByTestId('latency');
    await latency.waitFor({ timeout: 600_000 });
    const latencyText = (await latency.textContent()) ?? '';
    // The cache write runs after ready: wait for the row (a fresh profile: the one row is this load's), so a reload
    // finds the weights; when it was seen, in the page's time.
    await waitForWeightsRow(page, 60_000);
    const rec = await page.evaluate(() => {
      const r = (globalThis as unknown as { __startup: { msgs: Msg[]; longest: number; cachedAt?: number; pickedAt?: number; shownAt?: number } }).__startup;
      r.cachedAt = performance.now();
      return r;
    });
    // A build with a service worker: it installs after the first result (caching the app's files); the reload
    // measured is the next visit's, once that background work is over — as the IndexedDB row above.
    if (serviceWorker) await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    const loaded = rec.msgs.find((m) => m.type === 'loaded')!;
    const firstAt: Record<string, number> = {};
    for (const m of rec.msgs) {
      const k = m.type === 'progress' ? m.phase! : m.type;
      if (!(k in firstAt)) firstAt[k] = m.t;
    }
    if (rec.pickedAt === undefined || rec.shownAt === undefined) throw new Error('the page did not record the pick or the shown result');
    const firstPrediction = rec.shownAt - loaded.t;
    const pickToShown = rec.shownAt - rec.pickedAt;
    return { ready: loaded.t, firstAt, worker: loaded.phases, longest: rec.longest, cachedAt: rec.cachedAt!, firstPrediction, pickToShown, latency: latencyText };
  };
  await page.goto(`${url}?view=classify${QUERY}`);
  const cold = await one();
  let warm: Visit | undefined;
  if (reload) {
    await page.reload();
    warm = await one();
  }
  await context.close();
  return { cold, warm };
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
});
try {
  const colds: Visit[][] = DISTS.map(() => []);
  const warms: Visit[][] = DISTS.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [d, dist] of DISTS.entries()) {
      const { cold, warm } = await visit(browser, urls[d], true, existsSync(join(REPO_ROOT, dist, 'sw.js')));
      colds[d].push(cold);
      if (warm) warms[d].push(warm);
      const fmt = (v: Visit) =>
        `ready ${v.ready.toFixed(0)} ms; first prediction +${v.firstPrediction.toFixed(0)} ms (picked → shown ${v.pickToShown.toFixed(0)} ms; ${v.latency}); first message at ${Object.entries(v.firstAt)
          .map(([k, t]) => `${k} ${t.toFixed(0)}`)
          .join(', ')}; worker ${v.worker?.map((p) => `${p.phase} ${p.ms.toFixed(0)}`).join(', ') ?? '-'}; cache row at ${v.cachedAt.toFixed(0)}; longest task ${v.longest.toFixed(0)} ms`;
      const tag = DISTS.length > 1 ? ` [${dist}]` : '';
      console.log(`run ${i + 1}${tag} cold:   ${fmt(cold)}`);
      if (warm) console.log(`run ${i + 1}${tag} reload: ${fmt(warm)}`);
    }
  }
  const summary = (name: string, vs: Visit[], target: string) => {
    report(`${name} → ImageNet ResNet50 ready (median of ${vs.length})`, median(vs.map((v) => v.ready)), 'ms', target);
    report(`${name} → first prediction shown`, median(vs.map((v) => v.ready + v.firstPrediction)), 'ms');
    report('  photo picked → its result shown', median(vs.map((v) => v.pickToShown)), 'ms');
    const phases = new Set(vs.flatMap((v) => v.worker?.map((p) => p.phase) ?? []));
    for (const p of phases) {
      report(`  worker ${p}`, median(vs.map((v) => v.worker?.find((x) => x.phase === p)?.ms ?? 0)), 'ms');
    }
    report('  longest main-thread task', median(vs.map((v) => v.longest)), 'ms', '< 200 ms');
  };
  for (const [d, dist] of DISTS.entries()) {
    if (DISTS.length > 1) console.log(`── ${dist}`);
    summary('cold page (no cache)', colds[d], '≤ 3000 ms');
    summary('reload (IndexedDB)', warms[d], '≤ 1500 ms');
  }
  if (DISTS.length > 1) {
    // Paired per run: each visit of the last build against the first build's visit just before it.
    const ratio = (vs: Visit[][], f: (v: Visit) => number) => median(vs[0].map((v, i) => f(vs[vs.length - 1][i]) / f(v)));
    const ready = (v: Visit) => v.ready;
    const first = (v: Visit) => v.ready + v.firstPrediction;
    console.log(`ratio ${DISTS.at(-1)} / ${DISTS[0]} (median of per-run ratios): cold ready ${ratio(colds, ready).toFixed(2)}, cold first prediction ${ratio(colds, first).toFixed(2)}, reload ready ${ratio(warms, ready).toFixed(2)}, reload first prediction ${ratio(warms, first).toFixed(2)}`);
  }
} finally {
  await browser.close();
  await Promise.all(servers.map((s) => s.close()));
}
