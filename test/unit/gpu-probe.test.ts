/**
 * The WebGPU adapter question (src/tf/gpu-probe.ts): what each kind of answer means for the backend choice, and the
 * early question asked while tfjs loads, taken once.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { probeWebglEarly, probeWebglRenderer, probeWebgpu, probeWebgpuEarly, takeWebglProbe, takeWebgpuProbe, webgpuProblem } from '../../src/tf/gpu-probe';

type Adapter = { isFallbackAdapter?: boolean; info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean } } | null;

/** A navigator.gpu answering `adapter`, counting the questions. */
function withGpu(adapter: Adapter | Error) {
  const requestAdapter = vi.fn(() => (adapter instanceof Error ? Promise.reject(adapter) : Promise.resolve(adapter)));
  vi.stubGlobal('navigator', { gpu: { requestAdapter } });
  return requestAdapter;
}

afterEach(() => {
  vi.unstubAllGlobals();
  takeWebgpuProbe(); // no early answers left over for the next test
  void takeWebglProbe();
});

describe('probeWebgpu and webgpuProblem', () => {
  it('no navigator.gpu, no adapter, a failed request: a reason whatever is allowed', async () => {
    vi.stubGlobal('navigator', {});
    expect(webgpuProblem(await probeWebgpu(), true).reason).toMatch(/navigator.gpu is missing/);
    withGpu(null);
    expect(webgpuProblem(await probeWebgpu(), true).reason).toMatch(/no WebGPU adapter/);
    withGpu(new Error('GPU process crashed'));
    expect(webgpuProblem(await probeWebgpu(), true).reason).toMatch(/no WebGPU adapter/);
  });

  it('a software adapter (flagged, or named SwiftShader) is refused unless asked for', async () => {
    withGpu({ info: { vendor: 'google', architecture: '', description: 'SwiftShader Device (Subzero)' } });
    const named = await probeWebgpu();
    expect(named.software).toBe(true);
    expect(webgpuProblem(named, false)).toEqual({
      reason: 'only a software WebGPU adapter (google SwiftShader Device (Subzero)): slower than wasm',
      detail: 'google SwiftShader Device (Subzero)',
    });
    expect(webgpuProblem(named, true)).toEqual({ detail: 'google SwiftShader Device (Subzero)' });
    withGpu({ info: { isFallbackAdapter: true } });
    expect(webgpuProblem(await probeWebgpu(), false).reason).toMatch(/software WebGPU adapter \(fallback adapter\)/);
  });

  it('a hardware adapter: no reason, its name as the detail', async () => {
    withGpu({ info: { vendor: 'nvidia', architecture: 'hopper', description: '' } });
    expect(webgpuProblem(await probeWebgpu(), false)).toEqual({ detail: 'nvidia hopper' });
  });
});

describe('the early question', () => {
  it('is asked once and taken once; the next take asks again', async () => {
    const ask = withGpu({ info: { vendor: 'nvidia' } });
    const asked = probeWebgpuEarly();
    expect(probeWebgpuEarly()).toBe(asked); // still one question
    expect(ask).toHaveBeenCalledTimes(1);
    expect((await asked).detail).toBe('nvidia'); // the caller has the answer too (the entry lets the heap go on it)
    expect(await takeWebgpuProbe()).toBe(await asked);
    expect(ask).toHaveBeenCalledTimes(1);
    await takeWebgpuProbe();
    expect(ask).toHaveBeenCalledTimes(2);
  });
});

/** An OffscreenCanvas whose WebGL context names `renderer`, counting the contexts made. */
function withWebgl(renderer: string) {
  const made = vi.fn();
  vi.stubGlobal(
    'OffscreenCanvas',
    class {
      getContext() {
        made();
        return { RENDERER: 1, getExtension: (n: string) => (n === 'WEBGL_debug_renderer_info' ? { UNMASKED_RENDERER_WEBGL: 2 } : null), getParameter: (k: number) => (k === 2 ? renderer : 'masked') };
      }
    },
  );
  return made;
}

describe('the WebGL renderer question', () => {
  it('here: the unmasked renderer, or undefined without OffscreenCanvas', () => {
    expect(probeWebglRenderer()).toBeUndefined(); // Node has no OffscreenCanvas
    withWebgl('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)');
    expect(probeWebglRenderer()).toMatch(/SwiftShader/);
  });

  it('asked early elsewhere: that answer is taken once, then the question is asked here', async () => {
    const made = withWebgl('here');
    probeWebglEarly(() => Promise.resolve('NVIDIA GeForce RTX 4090'));
    expect(await takeWebglProbe()).toBe('NVIDIA GeForce RTX 4090');
    expect(made).not.toHaveBeenCalled(); // not asked on this thread
    expect(await takeWebglProbe()).toBe('here'); // the next question is this thread's own
    expect(made).toHaveBeenCalledTimes(1);
    probeWebglEarly(() => Promise.resolve(undefined)); // no WebGL there: not asked again here
    expect(await takeWebglProbe()).toBeUndefined();
    expect(made).toHaveBeenCalledTimes(1);
  });

  it('an early question that fails, or cannot be asked: asked on this thread instead', async () => {
    withWebgl('fallback answer');
    probeWebglEarly(() => Promise.reject(new Error('the helper ended')));
    expect(await takeWebglProbe()).toBe('fallback answer');
    probeWebglEarly(() => {
      throw new Error('worker-src refused');
    });
    expect(await takeWebglProbe()).toBe('fallback answer');
  });
});
