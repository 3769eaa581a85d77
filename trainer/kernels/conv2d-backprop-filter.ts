import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  getKernel,
  Slice,
  Transpose,
  type Conv2DBackpropFilterAttrs,
  type KernelBackend,
  type KernelConfig,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs';

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
export function conv2dBackpropFilterViaConv(
  backendName: string,
): KernelConfig {
  const run = (name: string, backend: KernelBackend, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap): TensorInfo => {
    const kernel = getKernel(name, backendName);
    if (kernel === undefined) throw new Error(`kernel ${name} is not registered for backend ${backendName}`);
    return kernel.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
  };

  return {
    kernelName: Conv2DBackpropFilter,
    backendName,
    kernelFunc: ({ inputs, backend: anyBackend, attrs }) => {
      const backend = anyBackend as KernelBackend;
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
      // Trailing padding so the result has at least kh × kw positions; a negative need (input rows
      // that no output reads, from VALID padding with a stride) is met by slicing the result instead.
      const bottom = Math.max(0, kh + (outH - 1) * sh - inH - padInfo.top);
      const right = Math.max(0, kw + (outW - 1) * sw - inW - padInfo.left);

      const xT = run(Transpose, backend, { x }, { perm: [3, 1, 2, 0] });
      const dyT = run(Transpose, backend, { x: dy }, { perm: [1, 2, 0, 3] });
      const conv = run(
        Conv2D,
        backend,
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
          dimRoundingMode: undefined,
        } as unknown as NamedAttrMap,
      );
      backend.disposeData(xT.dataId);
      backend.disposeData(dyT.dataId);
      const [ci, convH, convW, co] = conv.shape as [number, number, number, number];
      let cropped = conv;
      if (convH !== kh || convW !== kw) {
        cropped = run(Slice, backend, { x: conv }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
        backend.disposeData(conv.dataId);
      }
      const dw = run(Transpose, backend, { x: cropped }, { perm: [1, 2, 0, 3] });
      backend.disposeData(cropped.dataId);
      return dw;
    },
  };
}
