import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterViaConv } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputViaConv } from './conv2d-backprop-input.js';
import { maxPoolGradOnWasmHeap } from './max-pool-grad.js';
import { reduceLeadingAxesOnWasmHeap } from './reduce-leading-axes.js';
import { tileOnWasmHeap } from './tile.js';

/**
 * slicewatch's kernels for the wasm backend, each made from the backend's own (`stock`, absent
 * for Conv2DBackpropFilter, which the backend lacks):
 * - Conv2DBackpropFilter and Conv2DBackpropInput on the backend's fast Conv2D;
 * - Tile (the batch-norm gradient's) by block copies instead of element by element;
 * - Sum and Mean over leading axes (batch-norm statistics) without transposing first;
 * - MaxPoolGrad in one pass over the windows.
 */
const factories: Record<string, (stock: tf.KernelConfig) => tf.KernelConfig> = {
  [tf.Conv2DBackpropFilter]: () => conv2dBackpropFilterViaConv('wasm'),
  [tf.Conv2DBackpropInput]: () => conv2dBackpropInputViaConv('wasm'),
  [tf.Tile]: () => tileOnWasmHeap('wasm'),
  [tf.Sum]: (stock) => reduceLeadingAxesOnWasmHeap('Sum', stock),
  [tf.Mean]: (stock) => reduceLeadingAxesOnWasmHeap('Mean', stock),
  [tf.MaxPoolGrad]: () => maxPoolGradOnWasmHeap('wasm'),
};
/** Ours, and the backend's own kernels they replaced (kept so benchmarks can compare). */
const ours = new Map<string, tf.KernelConfig>();
const stock = new Map<string, tf.KernelConfig>();

function replace(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName) !== undefined) {
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}

/** Registers our wasm kernels (idempotent); call before the wasm backend starts. */
export function registerWasmKernels(): void {
  for (const [name, make] of Object.entries(factories)) {
    if (!ours.has(name)) {
      const existing = tf.getKernel(name, 'wasm');
      if (existing !== undefined) stock.set(name, existing);
      ours.set(name, make(existing ?? { kernelName: name, backendName: 'wasm', kernelFunc: missing(name) }));
    }
    replace(ours.get(name)!);
  }
}

function missing(name: string): tf.KernelFunc {
  return () => {
    throw new Error(`the wasm backend has no ${name} kernel of its own`);
  };
}

/**
 * Switches between our kernels and the stock ones they replaced, on a running wasm backend
 * (for benchmarks). Kernels the backend lacks stay ours either way.
 */
export function useStockWasmKernels(useStock: boolean): void {
  for (const [name, config] of ours) {
    const original = stock.get(name);
    if (original === undefined) continue;
    if (useStock) {
      replace(original);
      original.setupFunc?.(tf.findBackend('wasm')!);
    } else {
      replace(config);
      config.setupFunc?.(tf.findBackend('wasm')!);
    }
  }
}
