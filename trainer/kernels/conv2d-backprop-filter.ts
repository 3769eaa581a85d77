import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  Slice,
  Transpose,
  type Conv2DBackpropFilterAttrs,
  type KernelBackend,
  type KernelConfig,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { KernelCalls } from './kernel-calls.js';

/** What both ways of computing a filter gradient read from the kernel's inputs and attributes. */
export interface FilterGradientGeometry {
  x: TensorInfo;
  dy: TensorInfo;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  padInfo: { top: number; left: number };
  /**
   * Trailing zero rows and columns so that every output position's last tap is inside x; input
   * rows that no output reads (VALID padding with a stride) are not counted.
   */
  bottom: number;
  right: number;
}

/** Reads a Conv2DBackpropFilter call (NHWC only). */
export function filterGradientGeometry(
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap | undefined,
): FilterGradientGeometry {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter supports only NHWC, received ${dataFormat}`);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const [, inH, inW] = x.shape as [number, number, number, number];
  const [, outH, outW] = dy.shape as [number, number, number, number];
  const bottom = Math.max(0, kh + (outH - 1) * sh - inH - padInfo.top);
  const right = Math.max(0, kw + (outW - 1) * sw - inW - padInfo.left);
  return { x, dy, kh, kw, sh, sw, padInfo, bottom, right };
}

/**
 * The gradient of a 2-D convolution with respect to its filter, for backends that lack the
 * kernel (the wasm backend). With x of shape [N, H, W, Ci] and dy of shape [N, OH, OW, Co],
 *
 *   dW[i, j, c, o] = Σ_{n, p, q} x[n, p·sh + i − padTop, q·sw + j − padLeft, c] · dy[n, p, q, o],
 *
 * which is itself a stride-1 convolution of x (channels as batch, batch as channels) with dy
 * (batch as input channels) dilated by the forward stride. So it runs on the backend's own fast
 * Conv2D, between two transposes.
 */
export function conv2dBackpropFilterViaConv(backendName: string): KernelConfig {
  return {
    kernelName: Conv2DBackpropFilter,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy, kh, kw, sh, sw, padInfo, bottom, right } = filterGradientGeometry(inputs, attrs);

      const calls = new KernelCalls(backend as KernelBackend, backendName);
      const xT = calls.run(Transpose, { x }, { perm: [3, 1, 2, 0] });
      const dyT = calls.run(Transpose, { x: dy }, { perm: [1, 2, 0, 3] });
      let dw = calls.run(
        Conv2D,
        { x: xT, filter: dyT },
        {
          strides: [1, 1],
          pad: [
            [0, 0],
            [padInfo.top, bottom],
            [padInfo.left, right],
            [0, 0],
          ],
          dataFormat: 'NHWC',
          dilations: [sh, sw],
        },
      );
      const [ci, convH, convW, co] = dw.shape as [number, number, number, number];
      if (convH !== kh || convW !== kw)
        dw = calls.run(Slice, { x: dw }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
      return calls.finish(calls.run(Transpose, { x: dw }, { perm: [1, 2, 0, 3] }));
    },
  };
}
