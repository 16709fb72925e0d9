/**
 * Fast training kernels for tfjs-backend-wasm, built on wasm's own Conv2D (XNNPACK):
 * Conv2DBackpropFilter (missing in 4.22) and Conv2DBackpropInput (shipped as a naive loop).
 *
 * Call after `@tensorflow/tfjs-layers` (or `@tensorflow/tfjs`) is imported: that import registers the
 * gradient functions, and these are kernels, which it leaves alone. Idempotent.
 */
import { getKernel, type KernelConfig, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input';

export const WASM_TRAINING_KERNELS: readonly KernelConfig[] = [conv2DBackpropFilterConfig, conv2DBackpropInputConfig];

export function registerWasmTrainingKernels(): void {
  for (const config of WASM_TRAINING_KERNELS) {
    const existing = getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (existing) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
}
