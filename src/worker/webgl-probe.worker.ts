/// <reference lib="webworker" />
/**
 * Makes a throwaway WebGL context on its own thread, posts the renderer's name and ends: the backend choice's
 * question, asked off the model worker's thread while its code loads (src/tf/gpu-probe.ts).
 */
import { probeWebglRenderer, type WebglProbeAnswer } from '../tf/gpu-probe';

declare const self: DedicatedWorkerGlobalScope;

self.postMessage({ renderer: probeWebglRenderer() } satisfies WebglProbeAnswer);
self.close();
