import { getKernel, type KernelConfig, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { resizeNearestNeighborGradConfig } from './resize-nearest-grad.js';
import { splitVConfig } from './split-v.js';
import { originals } from './wasm-calls.js';

/** Training kernels the engine supplies to the wasm backend (missing there, or much slower than they need be). */
export const wasmTrainingKernels: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  batchMatMulConfig,
  maxPoolGradConfig,
  resizeNearestNeighborGradConfig,
  splitVConfig,
];

let registered = false;

/** Register every engine kernel for 'wasm' once; a replaced wasm kernel is kept aside for the engine's own use. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  for (const config of wasmTrainingKernels) {
    const existing = getKernel(config.kernelName, config.backendName);
    if (existing) {
      originals.set(config.kernelName, existing);
      unregisterKernel(config.kernelName, config.backendName);
    }
    registerKernel(config);
  }
  registered = true;
}
