import { getKernel, registerKernel } from '@tensorflow/tfjs';
import { conv2dBackpropFilterViaConv } from './conv2d-backprop-filter.js';

/**
 * Registers slicewatch's own kernels for the wasm backend, once. Only kernels the backend lacks
 * are added; the others stay the backend's.
 */
export function registerWasmKernels(): void {
  const config = conv2dBackpropFilterViaConv('wasm');
  if (getKernel(config.kernelName, 'wasm') === undefined) registerKernel(config);
}
