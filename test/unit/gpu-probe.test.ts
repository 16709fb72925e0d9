/**
 * The WebGPU adapter question (src/tf/gpu-probe.ts): what each kind of answer means for the backend choice, and the
 * early question asked while tfjs loads, taken once.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { probeWebgpu, probeWebgpuEarly, takeWebgpuProbe, webgpuProblem } from '../../src/tf/gpu-probe';

type Adapter = { isFallbackAdapter?: boolean; info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean } } | null;

/** A navigator.gpu answering `adapter`, counting the questions. */
function withGpu(adapter: Adapter | Error) {
  const requestAdapter = vi.fn(() => (adapter instanceof Error ? Promise.reject(adapter) : Promise.resolve(adapter)));
  vi.stubGlobal('navigator', { gpu: { requestAdapter } });
  return requestAdapter;
}

afterEach(() => {
  vi.unstubAllGlobals();
  takeWebgpuProbe(); // no early answer left over for the next test
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
