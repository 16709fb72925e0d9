/**
 * The wasm heap the model worker prepares before tfjs-backend-wasm starts (src/tf/wasm-memory.ts): made only where
 * shared memory is allowed, handed to the touching helper, taken once by the backend or let go, and touched without
 * changing a value.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { analyze, expand } from '../../src/core';
import { imagenetResNet50Spec } from '../../src/tf/imagenet';

type MemoryModule = typeof import('../../src/tf/wasm-memory');

/** A fresh copy of the module: its prepared memory is module state. */
const fresh = async (): Promise<MemoryModule> => {
  vi.resetModules();
  return import('../../src/tf/wasm-memory');
};

const helper = () => ({ postMessage: vi.fn(), terminate: vi.fn() });
const MiB = 2 ** 20;

describe('prepareWasmMemory', () => {
  const g = globalThis as { crossOriginIsolated?: boolean };
  let was: boolean | undefined;
  beforeEach(() => {
    was = g.crossOriginIsolated;
  });
  afterEach(() => {
    if (was === undefined) delete g.crossOriginIsolated;
    else g.crossOriginIsolated = was;
  });

  it('does nothing without cross-origin isolation (no shared memory: the backend makes its own)', async () => {
    const m = await fresh();
    g.crossOriginIsolated = false;
    const h = helper();
    expect(m.prepareWasmMemory(8 * MiB, () => h)).toBe(false);
    expect(h.postMessage).not.toHaveBeenCalled();
    expect(m.takePreparedWasmMemory()).toBeUndefined();
    expect(m.preparedWasmMemoryUsed()).toBe(0);
  });

  it('makes a shared memory of at least the bytes asked, hands it to the helper, and gives it to one taker', async () => {
    const m = await fresh();
    g.crossOriginIsolated = true;
    const h = helper();
    expect(m.prepareWasmMemory(8 * MiB + 1, () => h)).toBe(true);
    const posted = h.postMessage.mock.calls[0][0] as WebAssembly.Memory;
    expect(posted).toBeInstanceOf(WebAssembly.Memory);
    expect(posted.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(posted.buffer.byteLength).toBe(8 * MiB + 65536); // whole 64 KiB wasm pages
    // The threaded build's import: up to 4 GiB, growable to it.
    expect(() => posted.grow(1)).not.toThrow();
    expect(m.prepareWasmMemory(MiB, () => helper())).toBe(false); // one per worker
    expect(m.wasmHeapBytes()).toBeUndefined(); // no backend on it yet
    const taken = m.takePreparedWasmMemory();
    expect(taken).toBe(posted);
    expect(m.takePreparedWasmMemory()).toBeUndefined();
    const used = taken!.buffer.byteLength;
    expect(m.preparedWasmMemoryUsed()).toBe(used);
    expect(m.wasmHeapBytes()).toBe(used);
    taken!.grow(2); // the heap outgrew what was prepared: seen now, the prepared size stays
    expect(m.wasmHeapBytes()).toBe(used + 2 * 65536);
    expect(m.preparedWasmMemoryUsed()).toBe(used);
    m.discardPreparedWasmMemory(); // after the take: the helper finishes its touching
    expect(h.terminate).not.toHaveBeenCalled();
  });

  it('lets the memory go when no backend took it: the helper stops', async () => {
    const m = await fresh();
    g.crossOriginIsolated = true;
    const h = helper();
    expect(m.prepareWasmMemory(MiB, () => h)).toBe(true);
    m.discardPreparedWasmMemory();
    expect(h.terminate).toHaveBeenCalledOnce();
    expect(m.takePreparedWasmMemory()).toBeUndefined();
    expect(m.preparedWasmMemoryUsed()).toBe(0);
  });

  it('keeps the memory when the helper cannot start', async () => {
    const m = await fresh();
    g.crossOriginIsolated = true;
    expect(
      m.prepareWasmMemory(MiB, () => {
        throw new Error('worker-src');
      }),
    ).toBe(true);
    expect(m.takePreparedWasmMemory()?.buffer.byteLength).toBe(MiB);
  });
});

describe('the sizes', () => {
  it("IMAGENET_RESNET50_PARAMS is the ImageNet ResNet50 graph's parameter count", async () => {
    const m = await fresh();
    expect(m.IMAGENET_RESNET50_PARAMS).toBe(analyze(expand(imagenetResNet50Spec())).params.total);
    // Whether IMAGENET_HEAP_BYTES holds what a warm-up fills: test/unit/wasm-heap.test.ts.
  });
});

describe('touchPages', () => {
  it('changes no value, on the pages it touches or between them', async () => {
    const { touchPages } = await fresh();
    const buffer = new SharedArrayBuffer(MiB + 4096 * 3 + 8);
    const words = new Int32Array(buffer);
    for (let i = 0; i < words.length; i++) words[i] = (i * 2654435761) | 0 || 1;
    const before = words.slice();
    touchPages(buffer);
    const changed = words.findIndex((w, i) => w !== before[i]);
    expect(changed).toBe(-1);
  });
});
