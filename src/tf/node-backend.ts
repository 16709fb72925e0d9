/**
 * tfjs backends in Node (CLI, tests, benchmarks): wasm (SIMD, one thread here, ≈30× faster than cpu for
 * ResNet50) or cpu. tfjs-node is not used (it downloads a native binary at install).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { nodeConvEngineSource } from './node-conv-engine';
import { setConvEngineSource, startConvEngine } from './wasm-convs';

export type NodeBackend = 'wasm' | 'cpu';

/**
 * tfjs prints a "Hi there 👋 … tfjs-node" banner with console.warn the first time a backend is chosen in Node;
 * silence exactly that line so stdout/stderr stay clean for machine-readable output.
 */
function silenceBanner(): () => void {
  const orig = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('tfjs-node')) return;
    orig(...args);
  };
  return () => {
    console.warn = orig;
  };
}

export async function initNodeBackend(name: NodeBackend = 'wasm'): Promise<string> {
  if (tf.getBackend() === name) return name;
  const restore = silenceBanner();
  try {
    if (name === 'wasm') {
      const require = createRequire(import.meta.url);
      // setWasmPaths takes a prefix: the trailing slash is required.
      setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
    }
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tfjs backend "${name}" failed to initialise`);
    await tf.ready();
    if (name === 'wasm') {
      setConvEngineSource(nodeConvEngineSource);
      const { engine, note } = await startConvEngine(1);
      if (!engine) throw new Error(note);
    }
    // The cpu backend prints its banner on its first tensor write, outside this window: mark it as used.
    if (name === 'cpu') (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
    return tf.getBackend();
  } finally {
    restore();
  }
}
