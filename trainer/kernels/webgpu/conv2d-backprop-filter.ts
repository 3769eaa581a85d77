import {
  AddN,
  BatchMatMul,
  Concat,
  Conv2DBackpropFilter,
  PadV2,
  Reshape,
  Slice,
  StridedSlice,
  type KernelBackend,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { filterGradientGeometry } from '../conv2d-backprop-filter.js';
import { KernelCalls } from '../kernel-calls.js';

/**
 * Floats in one chunk's patch matrix (64 MiB): under WebGPU's guaranteed 128 MiB storage binding,
 * and a bound on the extra memory; larger batches are cut into chunks whose products are summed.
 */
export const MAX_PATCH_FLOATS = 1 << 24;

/**
 * The gradient of a 2-D convolution with respect to its filter as one matrix product (im2col).
 * With x of shape [N, H, W, Ci] zero-padded, dy of shape [N, OH, OW, Co] and strides (sh, sw),
 *
 *   dW[i, j, c, o] = Σ_{n, p, q} x[n, p·sh + i, q·sw + j, c] · dy[n, p, q, o],
 *
 * so with P[(n, p, q), (i, j, c)] = x[n, p·sh + i, q·sw + j, c] (the kh·kw strided shifts of x side by
 * side), dW = Pᵀ · dy, read as [kh, kw, Ci, Co] without a transpose. The product has a short output
 * (kh·kw·Ci × Co) and a long inner dimension (N·OH·OW), which the webgpu backend's BatchMatMul
 * splits across workgroups (its split-K program); its stock kernel gives each output one thread
 * that walks the whole inner dimension. `maxPatchFloats` bounds one chunk's patch matrix.
 */
export function conv2dBackpropFilterViaMatMul(backendName: string, maxPatchFloats = MAX_PATCH_FLOATS): KernelConfig {
  return {
    kernelName: Conv2DBackpropFilter,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy, kh, kw, sh, sw, padInfo, bottom, right } = filterGradientGeometry(inputs, attrs);
      const [n, , , ci] = x.shape as [number, number, number, number];
      const [, outH, outW, co] = dy.shape as [number, number, number, number];

      const calls = new KernelCalls(backend as KernelBackend, backendName);
      const padded =
        padInfo.top + bottom + padInfo.left + right === 0
          ? x
          : calls.run(
              PadV2,
              { x },
              {
                paddings: [
                  [0, 0],
                  [padInfo.top, bottom],
                  [padInfo.left, right],
                  [0, 0],
                ],
                constantValue: 0,
              },
            );
      const rows = outH * outW;
      const cols = kh * kw * ci;
      const chunk = Math.max(1, Math.floor(maxPatchFloats / (rows * cols)));
      const partials: TensorInfo[] = [];
      for (let b0 = 0; b0 < n; b0 += chunk) {
        const nb = Math.min(chunk, n - b0);
        const shifts: TensorInfo[] = [];
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++)
            shifts.push(
              calls.run(
                StridedSlice,
                { x: padded },
                {
                  begin: [b0, i, j, 0],
                  end: [b0 + nb, i + (outH - 1) * sh + 1, j + (outW - 1) * sw + 1, ci],
                  strides: [1, sh, sw, 1],
                  beginMask: 0,
                  endMask: 0,
                  ellipsisMask: 0,
                  newAxisMask: 0,
                  shrinkAxisMask: 0,
                },
              ),
            );
        const patches =
          shifts.length === 1
            ? shifts[0]!
            : calls.run(Concat, shifts as unknown as Record<string, TensorInfo>, { axis: 3 });
        const a = calls.run(Reshape, { x: patches }, { shape: [1, nb * rows, cols] });
        const dyChunk =
          nb === n ? dy : calls.run(Slice, { x: dy }, { begin: [b0, 0, 0, 0], size: [nb, outH, outW, co] });
        const b = calls.run(Reshape, { x: dyChunk }, { shape: [1, nb * rows, co] });
        partials.push(calls.run(BatchMatMul, { a, b }, { transposeA: true, transposeB: false }));
      }
      const sum =
        partials.length === 1 ? partials[0]! : calls.run(AddN, partials as unknown as Record<string, TensorInfo>);
      return calls.finish(calls.run(Reshape, { x: sum }, { shape: [kh, kw, ci, co] }));
    },
  };
}
