/**
 * The backend choice's two questions about the GPU, asked without tfjs so the model worker's entry can start them
 * while tfjs loads (issue 11: each sat in series before the wasm backend could start):
 * - whether a WebGPU adapter worth using exists (`navigator.gpu.requestAdapter`, 70–95 ms here);
 * - which WebGL renderer a context gets (a software one is skipped). Making a WebGL context blocks the thread that
 *   makes it (18–170 ms here, on SwiftShader); the model worker's entry asks it while its own code loads.
 * The backend choice takes each early answer once, and asks again afterwards (a later switch may find another GPU).
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

/**
 * The WebGL renderer string from a throwaway context (undefined: no WebGL here, or no OffscreenCanvas). Blocks its
 * thread while the context is made.
 */
export function probeWebglRenderer(): string | undefined {
  try {
    const Canvas = (globalThis as { OffscreenCanvas?: new (w: number, h: number) => { getContext(kind: string): unknown } }).OffscreenCanvas;
    const gl = Canvas ? (new Canvas(1, 1).getContext('webgl2') as WebGL2RenderingContext | null) : null;
    if (!gl) return undefined;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return renderer;
  } catch {
    return undefined;
  }
}

let earlyWebgl: Promise<string | undefined> | undefined;

/**
 * Start the WebGL question now, asked by `ask` (in a microtask: after the caller's script has run); the next
 * `takeWebglProbe` gets the answer. When `ask` fails, the question is asked on the taker's thread after all.
 */
export function probeWebglEarly(ask: () => Promise<string | undefined>): void {
  // Through a promise, so that `ask` throwing is a failure like its promise rejecting.
  earlyWebgl ??= Promise.resolve()
    .then(ask)
    .catch(() => probeWebglRenderer());
}

/** The renderer asked for early, once; else asked here and now. */
export function takeWebglProbe(): Promise<string | undefined> {
  const p = earlyWebgl ?? Promise.resolve(probeWebglRenderer());
  earlyWebgl = undefined;
  return p;
}
