import {
  BatchMatMul,
  Transpose,
  type BatchMatMulAttrs,
  type KernelBackend,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { KernelCalls } from './kernel-calls.js';

/**
 * BatchMatMul with transposed operands as an explicit Transpose followed by the backend's own
 * kernel (`stock`) on untransposed ones. On wasm the own kernel is fast only without transposes;
 * a dense layer's gradients (xᵀ·dy and dy·Wᵀ) were 5 to 10 times slower than transposing first.
 */
export function batchMatMulViaTranspose(stock: KernelConfig): KernelConfig {
  return {
    kernelName: BatchMatMul,
    backendName: stock.backendName,
    setupFunc: stock.setupFunc,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
      if (!transposeA && !transposeB) return stock.kernelFunc(args);
      const calls = new KernelCalls(args.backend as KernelBackend, stock.backendName);
      const swapLast = (t: TensorInfo) => {
        const perm = t.shape.map((_, i) => i);
        perm.splice(-2, 2, perm.length - 1, perm.length - 2);
        return calls.run(Transpose, { x: t }, { perm });
      };
      const attrs = { ...args.attrs, transposeA: false, transposeB: false };
      const inputs = { a: transposeA ? swapLast(a) : a, b: transposeB ? swapLast(b) : b };
      return calls.finish(calls.runKernel(stock, inputs, attrs));
    },
  };
}
