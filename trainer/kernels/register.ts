import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterViaConv } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputViaConv } from './conv2d-backprop-input.js';
import { tileOnWasmHeap } from './tile.js';

/**
 * slicewatch's kernels for the wasm backend: Conv2DBackpropFilter, which the backend lacks;
 * Conv2DBackpropInput, whose own version is several times slower than this one built on its
 * fast Conv2D; and Tile (the batch-norm gradient's), by block copies instead of element by element.
 */
const ours: tf.KernelConfig[] = [
  conv2dBackpropFilterViaConv('wasm'),
  conv2dBackpropInputViaConv('wasm'),
  tileOnWasmHeap('wasm'),
];
/** The backend's own kernels that ours replaced, kept so benchmarks can compare against them. */
const stock = new Map<string, tf.KernelConfig>();

function replace(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName) !== undefined) {
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}

/** Registers our wasm kernels (idempotent); call before the wasm backend starts. */
export function registerWasmKernels(): void {
  for (const config of ours) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing !== undefined && existing.kernelFunc !== config.kernelFunc && !stock.has(config.kernelName)) {
      stock.set(config.kernelName, existing);
    }
    replace(config);
  }
}

/**
 * Switches between our kernels and the stock ones they replaced, on a running wasm backend
 * (for benchmarks). Kernels the backend lacks stay ours either way.
 */
export function useStockWasmKernels(useStock: boolean): void {
  for (const config of ours) {
    const original = stock.get(config.kernelName);
    if (original === undefined) continue;
    if (useStock) {
      replace(original);
      original.setupFunc?.(tf.findBackend('wasm')!);
    } else {
      replace(config);
    }
  }
}
