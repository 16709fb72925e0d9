/**
 * The layers of the code, checked on its static imports: src/core is pure TypeScript (no tfjs, React or d3),
 * and the UI (main thread) never reaches tfjs or onnxruntime through a static import chain; those load in
 * the workers (or in chunks imported on demand). One value import of a tfjs module from a panel put all of
 * tfjs (~0.9 MB) into the Classify view's chunk, parsed before the model worker even started (issue 11).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', '..', 'src');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Specifiers of the static imports that load code at run time (not `import type` / `export type`, not `import()`). */
function valueImports(source: string): string[] {
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?([^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(re)) {
    if (m[2]) continue;
    if (m[1] === 'export' && !m[3]) continue;
    out.push(m[4]);
  }
  return out;
}

function resolveLocal(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Every package reached from `roots` through static imports, with one import chain that reaches it. */
function packagesReached(roots: readonly string[]): Map<string, string[]> {
  const reached = new Map<string, string[]>();
  const seen = new Set<string>();
  const walk = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    const here = [...chain, relative(SRC, file)];
    for (const spec of valueImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) {
        const target = resolveLocal(file, spec);
        if (target) walk(target, here);
        // Assets (CSS, ?url, ?worker) are not modules with imports of their own.
      } else {
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!reached.has(pkg)) reached.set(pkg, here);
      }
    }
  };
  for (const r of roots) walk(r, []);
  return reached;
}

const heavy = (pkg: string) => pkg.startsWith('@tensorflow/') || pkg.startsWith('onnxruntime') || pkg === 'h5wasm';

describe('layering', () => {
  it('finds value imports and skips type-only ones (the checker itself)', () => {
    const src = `import type { A } from './a';\nimport { type B, c } from './b';\nexport type { D } from './d';\nexport { e } from './e';\nimport './f.css';\nexport const x = 1;\n`;
    expect(valueImports(src)).toEqual(['./b', './e', './f.css']);
  });

  it('the UI reaches neither tfjs nor onnxruntime nor h5wasm through static imports', () => {
    const reached = packagesReached(filesUnder(join(SRC, 'ui')));
    const bad = [...reached].filter(([pkg]) => heavy(pkg)).map(([pkg, chain]) => `${pkg} via ${chain.join(' → ')}`);
    expect(bad).toEqual([]);
    expect(reached.has('react')).toBe(true); // the walk does follow the UI's imports
  });

  it('src/core imports no tfjs, React or d3', () => {
    const reached = packagesReached(filesUnder(join(SRC, 'core')));
    const bad = [...reached].filter(([pkg]) => heavy(pkg) || pkg === 'react' || pkg.startsWith('d3')).map(([pkg, chain]) => `${pkg} via ${chain.join(' → ')}`);
    expect(bad).toEqual([]);
  });

  it("the model worker's entry reaches no tfjs statically (it reads the weights cache while tfjs loads)", () => {
    const entry = join(SRC, 'worker', 'model.worker.ts');
    const reached = packagesReached([entry]);
    expect([...reached].filter(([pkg]) => heavy(pkg)).map(([pkg, chain]) => `${pkg} via ${chain.join(' → ')}`)).toEqual([]);
    // The host it imports on demand does reach tfjs (the walk would see a static import of it).
    expect(packagesReached([join(SRC, 'worker', 'model-worker-host.ts')]).has('@tensorflow/tfjs')).toBe(true);
  });
});
