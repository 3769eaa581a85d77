import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterViaMatMul } from './conv2d-backprop-filter.js';

/**
 * slicewatch's kernels for the webgpu backend: Conv2DBackpropFilter as one im2col matrix product
 * (the stock kernel took 335 of a WRN-16-2 step's 397 ms on an H200).
 */
const ours: tf.KernelConfig[] = [conv2dBackpropFilterViaMatMul('webgpu')];
/** The stock kernels ours replaced, kept so benchmarks can compare against them. */
const stock = new Map<string, tf.KernelConfig>();

function replace(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName) !== undefined)
    tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

/** Registers our webgpu kernels over the stock ones (idempotent); call after importing the backend's package. */
export function registerWebgpuKernels(): void {
  for (const config of ours) {
    const existing = tf.getKernel(config.kernelName, 'webgpu');
    if (existing !== undefined && existing.kernelFunc !== config.kernelFunc && !stock.has(config.kernelName))
      stock.set(config.kernelName, existing);
    replace(config);
  }
}

/** Switches between our webgpu kernels and the stock ones they replaced (for benchmarks). */
export function useStockWebgpuKernels(useStock: boolean): void {
  for (const config of ours) {
    const original = stock.get(config.kernelName);
    if (original !== undefined) replace(useStock ? original : config);
  }
}
