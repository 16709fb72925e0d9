/** Shared helpers for the bench scripts. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Median wall time of `runs` calls of `f` (each output read back, then freed), after `warmUps` calls that are not
 * timed. Takes any tensor-like output, so this file stays free of tfjs.
 */
export function medianMs(f: () => { dataSync(): unknown; dispose(): void }, runs: number, warmUps = 1): number {
  for (let i = 0; i < warmUps; i++) f().dispose();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    const y = f();
    y.dataSync();
    t.push(performance.now() - s);
    y.dispose();
  }
  return median(t);
}

export function report(name: string, value: number, unit: string, target?: string): void {
  const v = value >= 100 ? value.toFixed(0) : value.toFixed(2);
  console.log(`${name.padEnd(52)} ${v.padStart(9)} ${unit}${target ? `   (target ${target})` : ''}`);
}

/**
 * The built app served by vite preview (with its CSP and cross-origin isolation headers), as a person gets it;
 * dist/ is built first when it is missing or BENCH_BUILD=1.
 */
export async function previewBuiltApp(root: string, outDir = 'dist'): Promise<{ readonly url: string; readonly close: () => Promise<void> }> {
  const { execSync } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { preview } = await import('vite');
  if (outDir === 'dist' && (!existsSync(join(root, 'dist', 'index.html')) || process.env.BENCH_BUILD === '1')) {
    execSync('npx vite build', { cwd: root, stdio: 'ignore' });
  }
  // Another built copy (bench-startup BENCH_DISTS) is served as it is.
  if (!existsSync(join(root, outDir, 'index.html'))) throw new Error(`no built app in ${outDir}/`);
  const server = await preview({ root, logLevel: 'silent', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  return { url, close: () => server.close() };
}

/**
 * Waits until Chromium's own processes are nearly idle (under a tenth of a core for three 100 ms windows in a row,
 * at most `maxMs`). A new window starts browser UI of its own: Chromium 156 loads its omnibox popup WebUI
 * (chrome://omnibox-popup.top-chrome) in a renderer of its own, 0.8–1.5 s of CPU that ran beside the first visit
 * and slowed it on two cores — work a person's already open browser has long done. Returns the ms waited.
 */
export async function settleBrowser(browser: import('playwright-core').Browser, maxMs = 15_000): Promise<number> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const cpu = async () => {
      const info = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { cpuTime: number }[] };
      return info.processInfo.reduce((a, p) => a + p.cpuTime, 0); // seconds
    };
    const t0 = performance.now();
    let last = await cpu();
    let lastAt = performance.now();
    let quiet = 0;
    while (quiet < 3 && performance.now() - t0 < maxMs) {
      await new Promise((r) => setTimeout(r, 100));
      const now = await cpu();
      const at = performance.now();
      quiet = (now - last) / ((at - lastAt) / 1000) < 0.1 ? quiet + 1 : 0;
      last = now;
      lastAt = at;
    }
    return performance.now() - t0;
  } finally {
    await cdp.detach();
  }
}

/**
 * Page script (for an init script) that records the first prediction in the page's own time on `target` (an object
 * expression in that script): `pickedAt`, the file input's change event, and `shownAt`, the first result's latency
 * line visible. Playwright's own wait saw the result ≈ 0.4 s late (the time `setInputFiles` takes to return).
 */
export function recordFirstPrediction(target: string): string {
  return `{
    const into = ${target};
    document.addEventListener('change', (e) => {
      if (e.target && e.target.type === 'file' && into.pickedAt === undefined) into.pickedAt = performance.now();
    }, true);
    new MutationObserver(() => {
      const el = into.shownAt === undefined && document.querySelector('[data-testid=latency]');
      if (el && el.checkVisibility()) into.shownAt = performance.now();
    }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  }`;
}
