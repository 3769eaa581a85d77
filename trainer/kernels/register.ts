import { registerKernel, unregisterKernel, getKernel, type KernelConfig } from '@tensorflow/tfjs';
import { conv2dBackpropFilterViaConv } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputViaConv } from './conv2d-backprop-input.js';

/**
 * slicewatch's kernels for the wasm backend: Conv2DBackpropFilter, which the backend lacks, and
 * Conv2DBackpropInput, whose own version is several times slower than this one built on its
 * fast Conv2D. Registering is idempotent.
 */
export function wasmKernels(): KernelConfig[] {
  return [conv2dBackpropFilterViaConv('wasm'), conv2dBackpropInputViaConv('wasm')];
}

export function registerWasmKernels(): void {
  for (const config of wasmKernels()) {
    if (getKernel(config.kernelName, config.backendName) !== undefined) unregisterKernel(config.kernelName, config.backendName);
    registerKernel(config);
  }
}
