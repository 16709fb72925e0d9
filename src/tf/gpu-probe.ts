/**
 * Whether this browser has a WebGPU adapter worth using, asked of `navigator.gpu` (no tfjs here). The model worker's
 * entry starts the question while tfjs loads (issue 11: `requestAdapter` took 70–95 ms of every start-up, in series
 * before the wasm backend could start); the backend choice takes that answer once, and asks again afterwards (a
 * later switch may find another adapter).
 */

interface GpuLike {
  requestAdapter(): Promise<{
    isFallbackAdapter?: boolean;
    info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  } | null>;
}

/** Software rasterisers that run "GPU" code on the CPU. */
export const SOFTWARE_RENDERER = /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/i;

/** What the adapter request found. */
export interface WebgpuAdapterFacts {
  /** Why there is no adapter at all. */
  readonly missing?: string;
  /** Vendor, architecture and description, as far as the adapter tells. */
  readonly detail?: string;
  /** A fallback (CPU) adapter. */
  readonly software: boolean;
}

export async function probeWebgpu(): Promise<WebgpuAdapterFacts> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return { missing: 'WebGPU is not available in this browser (navigator.gpu is missing)', software: false };
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return { missing: 'no WebGPU adapter (GPU blocklisted or disabled)', software: false };
  const info = adapter.info;
  const detail = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') || undefined;
  // Chrome moved isFallbackAdapter to adapter.info (and SwiftShader may not set it): check the name too.
  const software = Boolean(adapter.isFallbackAdapter || info?.isFallbackAdapter || (detail !== undefined && SOFTWARE_RENDERER.test(detail)));
  return { detail, software };
}

/** Why WebGPU cannot or should not be used; no reason when a hardware adapter exists (or a software one is allowed). */
export function webgpuProblem(facts: WebgpuAdapterFacts, allowSoftware: boolean): { reason?: string; detail?: string } {
  if (facts.missing) return { reason: facts.missing };
  if (facts.software && !allowSoftware) {
    return { reason: `only a software WebGPU adapter (${facts.detail ?? 'fallback adapter'}): slower than wasm`, detail: facts.detail };
  }
  return { detail: facts.detail };
}

let early: Promise<WebgpuAdapterFacts> | undefined;

/** Start asking for an adapter now; the next `takeWebgpuProbe` gets the answer (so does the caller). */
export function probeWebgpuEarly(): Promise<WebgpuAdapterFacts> {
  early ??= probeWebgpu();
  return early;
}

/** The answer started early, once; else a new question. */
export function takeWebgpuProbe(): Promise<WebgpuAdapterFacts> {
  const p = early ?? probeWebgpu();
  early = undefined;
  return p;
}
