/**
 * Fast training kernels for tfjs-backend-wasm, built on wasm's own Conv2D (XNNPACK):
 * Conv2DBackpropFilter (missing in 4.22) and Conv2DBackpropInput (shipped as a naive loop), and a block-copy
 * Tile (the BatchNorm gradient's hot spot).
 *
 * Call after `@tensorflow/tfjs-layers` (or `@tensorflow/tfjs`) is imported: that import registers the
 * gradient functions, and these are kernels, which it leaves alone. Idempotent.
 */
import { getKernel, type KernelConfig, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input';
import { makeTileConfig } from './tile';

let configs: KernelConfig[] | undefined;

/** The kernels, made once: Tile keeps the shipped kernel as its fallback for strings. */
export function wasmTrainingKernels(): readonly KernelConfig[] {
  configs ??= [conv2DBackpropFilterConfig, conv2DBackpropInputConfig, makeTileConfig(getKernel('Tile', 'wasm')?.kernelFunc)];
  return configs;
}

export function registerWasmTrainingKernels(): void {
  for (const config of wasmTrainingKernels()) {
    const existing = getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (existing) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
}
