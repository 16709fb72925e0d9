/**
 * What the workers' bundles get for `@tensorflow/tfjs` (scripts/vite-plugin-lean-tfjs.ts): the union package
 * without its WebGL backend, converter and data packages. Our code never loads graph models or uses tf.data, and
 * the GPU backends are imported by `chooseBackend` only when it tries them (src/tf/backend.ts), so a machine
 * that ends up on wasm does not download, parse and run ~40 % of tfjs before its first message (issue 11).
 * Mirrors @tensorflow/tfjs/dist/index.js otherwise: same side-effect imports, same `version` keys we read.
 */
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { version_core } from '@tensorflow/tfjs-core';
import { version_layers } from '@tensorflow/tfjs-layers';

export * from '@tensorflow/tfjs-backend-cpu';
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';

export const version = { 'tfjs-core': version_core, 'tfjs-backend-cpu': version_cpu, 'tfjs-layers': version_layers, tfjs: version_core };
