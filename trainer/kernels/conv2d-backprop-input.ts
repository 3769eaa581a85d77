import {
  backend_util,
  Conv2D,
  Conv2DBackpropInput,
  PadV2,
  Reshape,
  Reverse,
  Slice,
  Transpose,
  type Conv2DBackpropInputAttrs,
  type KernelBackend,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { KernelCalls } from './kernel-calls.js';

/**
 * The gradient of a 2-D convolution with respect to its input, as a stride-1 convolution on the
 * backend's fast Conv2D: dy is dilated by the forward stride (s − 1 zeros between samples), padded
 * by kh − 1 − padTop in front, and convolved with the filter rotated by 180° with its in and out
 * channels swapped:
 *
 *   dx[n, y, x, c] = Σ_{i, j, o} dyUp[n, y + i − (kh − 1 − padTop), x + j − (kw − 1 − padLeft), o] · W[kh − 1 − i, kw − 1 − j, c, o].
 */
export function conv2dBackpropInputViaConv(backendName: string): KernelConfig {
  return {
    kernelName: Conv2DBackpropInput,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
      const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
      if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropInput supports only NHWC, received ${dataFormat}`);
      const info = backend_util.computeConv2DInfo(
        inputShape,
        filter.shape as [number, number, number, number],
        strides,
        1,
        pad,
        dimRoundingMode,
      );
      const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
      const [n, inH, inW] = inputShape;
      const [, outH, outW, co] = dy.shape as [number, number, number, number];
      const calls = new KernelCalls(backend as KernelBackend, backendName);

      let up = dy;
      let upH = outH;
      let upW = outW;
      if (sh > 1 || sw > 1) {
        // Zero-insertion: [n, oh, ow, co] → [n, oh, 1, ow, 1, co] → pad to [n, oh, sh, ow, sw, co] → [n, oh·sh, ow·sw, co].
        const r = calls.run(Reshape, { x: dy }, { shape: [n, outH, 1, outW, 1, co] });
        const padded = calls.run(
          PadV2,
          { x: r },
          {
            paddings: [
              [0, 0],
              [0, 0],
              [0, sh - 1],
              [0, 0],
              [0, sw - 1],
              [0, 0],
            ],
            constantValue: 0,
          },
        );
        upH = outH * sh;
        upW = outW * sw;
        up = calls.run(Reshape, { x: padded }, { shape: [n, upH, upW, co] });
      }
      const top = kh - 1 - padInfo.top;
      const left = kw - 1 - padInfo.left;
      // Rows after the last real sample of dyUp that the result needs; trailing zeros of the
      // zero-insertion beyond them are cut off.
      let bottom = inH + kh - 1 - top - upH;
      let right = inW + kw - 1 - left - upW;
      if (bottom < 0 || right < 0) {
        upH += Math.min(0, bottom);
        upW += Math.min(0, right);
        up = calls.run(Slice, { x: up }, { begin: [0, 0, 0, 0], size: [n, upH, upW, co] });
        bottom = Math.max(0, bottom);
        right = Math.max(0, right);
      }
      const flipped = calls.run(Reverse, { x: filter }, { dims: [0, 1] });
      const rotated = calls.run(Transpose, { x: flipped }, { perm: [0, 1, 3, 2] });
      const dx = calls.run(
        Conv2D,
        { x: up, filter: rotated },
        {
          strides: [1, 1],
          pad: [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ],
          dataFormat: 'NHWC',
          dilations: [1, 1],
        },
      );
      return calls.finish(dx);
    },
  };
}
