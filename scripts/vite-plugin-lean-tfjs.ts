/**
 * Vite (build) plugin for the worker bundles: `@tensorflow/tfjs` resolves to src/tf/tfjs-lean.ts (core, layers
 * and the CPU backend), so the WebGL and WebGPU backends become chunks that `chooseBackend` imports only when it
 * tries them. Node (tests, the CLI) and the dev server keep the real union package.
 */
import { join } from 'node:path';
import type { Plugin } from 'vite';

export function leanTfjs(root: string): Plugin {
  const lean = join(root, 'src', 'tf', 'tfjs-lean.ts');
  return {
    name: 'lean-tfjs',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source !== '@tensorflow/tfjs' || importer === lean) return null;
      return lean;
    },
  };
}
