/**
 * Vite (build) plugin: emits the service worker (src/sw/service-worker.ts) as `sw.js` at the app's root, with the
 * list of built files to cache when it installs and a version that changes with that list (so a new build installs
 * a new worker, which caches the new files and drops the old ones). Files larger than MAX_PRECACHE (onnxruntime's
 * 14 MB wasm, h5wasm's 4.8 MB chunks: optional features) are left out; the worker caches them when first used.
 * Source maps are left out too.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Plugin, transformWithEsbuild } from 'vite';

const MAX_PRECACHE = 4 << 20;

export function serviceWorker(root: string): Plugin {
  return {
    name: 'resnet-explorer-service-worker',
    apply: 'build',
    async generateBundle(_, bundle) {
      const assets = Object.values(bundle)
        .filter((f) => !f.fileName.endsWith('.map') && f.fileName !== 'index.html')
        .filter((f) => (f.type === 'chunk' ? f.code.length : typeof f.source === 'string' ? f.source.length : f.source.byteLength) <= MAX_PRECACHE)
        .map((f) => f.fileName)
        .sort();
      const version = createHash('sha256').update(assets.join('\n')).digest('hex').slice(0, 16);
      const file = join(root, 'src', 'sw', 'service-worker.ts');
      const { code } = await transformWithEsbuild(readFileSync(file, 'utf8'), file, { loader: 'ts', format: 'iife', target: 'es2022' });
      const source = `const ASSETS = ${JSON.stringify(assets)};\nconst VERSION = ${JSON.stringify(version)};\n${code}`;
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}
