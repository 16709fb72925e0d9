import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { chooseBackend, setWasmThreads } from '../../src/tf/backend';

describe('backend choice', () => {
  it('in Node falls back from webgpu and webgl to wasm, giving a reason for each', async () => {
    const require = createRequire(import.meta.url);
    const wasmDir = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
    const choice = await chooseBackend({ wasmPaths: wasmDir });
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.attempts.map((a) => [a.name, a.ok])).toEqual([
      ['webgpu', false],
      ['webgl', false],
      ['wasm', true],
    ]);
    expect(choice.attempts[0].reason).toMatch(/navigator.gpu is missing/);
    expect(choice.attempts[1].reason).toMatch(/.+/);
    // Node has no wasm threads (tfjs keeps the single-threaded build there); the status bar says so.
    expect(choice.wasmThreads).toBe(1);
    expect(choice.attempts[2].detail).toBe('SIMD, 1 thread');
  });

  it('setWasmThreads refuses a count that is not a positive integer, naming it', () => {
    expect(() => setWasmThreads(0)).toThrow(/positive integer, got 0/);
    expect(() => setWasmThreads(1.5)).toThrow(/positive integer, got 1.5/);
  });

  it('an explicit preference is tried first', async () => {
    const choice = await chooseBackend({ prefer: 'cpu' });
    expect(choice.name).toBe('cpu');
    expect(choice.attempts).toHaveLength(1);
  });

  it('a backend refused by `accept` (e.g. missing training kernels) is skipped with that reason', async () => {
    const choice = await chooseBackend({ prefer: 'cpu', accept: (n) => (n === 'cpu' ? 'cannot train here: test' : undefined) });
    expect(choice.name).not.toBe('cpu');
    expect(choice.attempts.find((a) => a.name === 'cpu')).toEqual({ name: 'cpu', ok: false, reason: 'cannot train here: test', detail: undefined });
  });
});
