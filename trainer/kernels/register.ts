import * as tf from '@tensorflow/tfjs';
import { batchMatMulViaTranspose } from './batch-mat-mul.js';
import { conv2dBackpropFilterViaConv } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputViaConv } from './conv2d-backprop-input.js';
import { maxPoolGradOnWasmHeap } from './max-pool-grad.js';
import { tileOnWasmHeap } from './tile.js';

/**
 * slicewatch's kernels for the wasm backend, made once from its registry:
 * - Conv2DBackpropFilter (the backend lacks it) and Conv2DBackpropInput on its fast Conv2D;
 * - Tile (the batch-norm gradient's) by block copies instead of element by element;
 * - MaxPoolGrad in one pass over the windows;
 * - BatchMatMul with transposed operands as Transpose + its own untransposed BatchMatMul.
 */
function makeOurs(): tf.KernelConfig[] {
  const own = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (own === undefined) throw new Error('the wasm backend registered no BatchMatMul kernel');
  return [
    conv2dBackpropFilterViaConv('wasm'),
    conv2dBackpropInputViaConv('wasm'),
    tileOnWasmHeap('wasm'),
    maxPoolGradOnWasmHeap('wasm'),
    batchMatMulViaTranspose(own),
  ];
}
let ours: tf.KernelConfig[] = [];
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
  if (ours.length === 0) ours = makeOurs();
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
