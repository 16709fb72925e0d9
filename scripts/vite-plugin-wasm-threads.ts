/**
 * Vite (build) plugin: tfjs-backend-wasm's threaded build loads its pthread scripts from our origin instead of
 * blob: URLs, so it runs under the app's CSP (`script-src 'self'`) and survives minification.
 *
 * tfjs-backend-wasm 4.22 (dist/backend_wasm.js, `init()`) starts each pthread as `new Worker(blob:…)` whose
 * script is the string `wasmWorkerContents`, and that worker then `importScripts` a second blob holding
 * `'var WasmBackendModuleThreadedSimd = ' + factory.toString()`. Two problems in a built app:
 * - the CSP: a blob: worker inherits the creator's policy, and `importScripts(blob:)` needs `blob:` in
 *   script-src (Chromium: "Failed to execute 'importScripts' … failed to load");
 * - minification: `factory.toString()` drops the closure the factory reads (`_scriptDir`, renamed `e`), so
 *   every pthread dies with "ReferenceError: e is not defined" and the backend never starts.
 * Both go away when the two scripts are real files: the emscripten factory file as shipped (a classic script that
 * declares `WasmBackendModuleThreadedSimd`) and the worker script text.
 *
 * Third, the pool: the threaded build was compiled with a pool of 8 pthreads (wasm-out/…-threaded-simd.js,
 * `PThread.initMainThread`: `var pthreadPoolSize=8`) and starts all 8 — each loading the factory and instantiating
 * the module — before the backend is ready, whatever `setThreadsCount` asked for. On a 2-core machine that was
 * 0.55 s of every start (issue 11; the single-threaded build starts in 0.05 s). XNNPACK's pool runs on the
 * calling thread plus `threads − 1` pthreads, so the pool is sized to the threads asked for (8 when none were).
 *
 * Fourth, the memory: the factory takes `Module.wasmMemory` when given one instead of making its own; it is given
 * the heap the model worker prepared and had touched in advance, if any (src/tf/wasm-memory.ts).
 * Every replacement is checked: the build fails if a tfjs upgrade changes that code.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

const BACKEND = /@tensorflow[\\/]tfjs-backend-wasm[\\/]dist[\\/]backend_wasm\.js$/;
const THREADED_FACTORY = /@tensorflow[\\/]tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/;

/** The pool size the factory reads from its module config (set in backend_wasm.js below). */
const POOL = { find: /var pthreadPoolSize=8;/, replace: 'var pthreadPoolSize=Module["pthreadPoolSize"]||8;' };

/** The code in backend_wasm.js that builds the two blobs, and what replaces it (FACTORY / WORKER: file URLs). */
const PATCHES: readonly { readonly find: RegExp; readonly replace: string }[] = [
  {
    // locateFile('…worker.js') → a blob of wasmWorkerContents
    find: /const response = wasmWorkerContents\.replace\([^;]*;\s*const blob = new Blob\(\[response\][^;]*;\s*return URL\.createObjectURL\(blob\);/,
    replace: 'return WORKER;',
  },
  {
    // the factory's source as a blob, for the pthreads' importScripts
    find: /factoryConfig\.mainScriptUrlOrBlob = new Blob\(\[`var WasmBackendModuleThreadedSimd = ` \+\s*wasmFactoryThreadedSimd\.toString\(\)\], \{ type: 'text\/javascript' \}\);/,
    replace:
      'factoryConfig.mainScriptUrlOrBlob = FACTORY; if (threadsCount > 0) factoryConfig.pthreadPoolSize = threadsCount; ' +
      '{ const memory = takePreparedWasmMemory(); if (memory) factoryConfig.wasmMemory = memory; }',
  },
];

/** src/tf/wasm-memory.ts: the memory the model worker prepared, if any. */
const MEMORY_MODULE = join(import.meta.dirname, '..', 'src', 'tf', 'wasm-memory.ts');

export function wasmThreadsFromOrigin(): Plugin {
  const require = createRequire(import.meta.url);
  const out = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  return {
    name: 'tfjs-wasm-threads-from-origin',
    apply: 'build',
    transform(code, id) {
      if (THREADED_FACTORY.test(id)) {
        if (!POOL.find.test(code)) throw new Error(`${id}: tfjs-backend-wasm changed; the pthread pool patch ${POOL.find} no longer matches`);
        return { code: code.replace(POOL.find, POOL.replace), map: null };
      }
      if (!BACKEND.test(id)) return undefined;
      const factory = this.emitFile({
        type: 'asset',
        name: 'tfjs-backend-wasm-threaded-simd.js',
        source: readFileSync(join(out, 'tfjs-backend-wasm-threaded-simd.js'), 'utf8'),
      });
      const { wasmWorkerContents } = require(join(out, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
      // As tfjs does before making its blob: the template literal turned the source's "\n" escapes into newlines.
      const source = wasmWorkerContents.replace(/\n/g, '\\n');
      const worker = this.emitFile({ type: 'asset', name: 'tfjs-backend-wasm-threaded-simd.worker.js', source });
      let patched = code;
      for (const p of PATCHES) {
        if (!p.find.test(patched)) throw new Error(`${id}: tfjs-backend-wasm changed; the pthread patch ${p.find} no longer matches`);
        patched = patched.replace(p.find, p.replace);
      }
      const urls =
        `import { takePreparedWasmMemory } from ${JSON.stringify(MEMORY_MODULE)};\n` +
        `const FACTORY = new URL(import.meta.ROLLUP_FILE_URL_${factory}, self.location.href).href;\n` +
        `const WORKER = new URL(import.meta.ROLLUP_FILE_URL_${worker}, self.location.href).href;\n`;
      return { code: urls + patched, map: null };
    },
  };
}
