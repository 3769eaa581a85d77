import { backend_util, MaxPoolGrad, type KernelConfig, type MaxPoolGradAttrs, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * The gradient of 2-D max pooling (NHWC): each output's gradient goes to the first largest input
 * of its window, in window order, as on the cpu backend. Written on the wasm heap in one pass
 * over the windows; the backend's own kernel was the largest item of an MNIST CNN step.
 */
export function maxPoolGradOnHeap(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  info: backend_util.Conv2DInfo,
): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { dilationHeight, dilationWidth, effectiveFilterHeight, effectiveFilterWidth, padInfo } = info;
  dx.fill(0);
  let out = 0;
  for (let b = 0; b < batchSize; b++) {
    const image = b * inHeight * inWidth * channels;
    for (let oy = 0; oy < outHeight; oy++) {
      const top = oy * strideHeight - padInfo.top;
      for (let ox = 0; ox < outWidth; ox++) {
        const left = ox * strideWidth - padInfo.left;
        for (let c = 0; c < channels; c++, out++) {
          let best = -Infinity;
          let at = -1;
          for (let fy = 0; fy < effectiveFilterHeight; fy += dilationHeight) {
            const y = top + fy;
            if (y < 0 || y >= inHeight) continue;
            for (let fx = 0; fx < effectiveFilterWidth; fx += dilationWidth) {
              const px = left + fx;
              if (px < 0 || px >= inWidth) continue;
              const index = image + (y * inWidth + px) * channels + c;
              if (x[index]! > best) {
                best = x[index]!;
                at = index;
              }
            }
          }
          if (at >= 0) dx[at] = dx[at]! + dy[out]!;
        }
      }
    }
  }
}

/** The MaxPoolGrad kernel of `maxPoolGradOnHeap` for the wasm backend. */
export function maxPoolGradOnWasmHeap(backendName: string): KernelConfig {
  return {
    kernelName: MaxPoolGrad,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
      const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
      const info = backend_util.computePool2DInfo(
        input.shape as [number, number, number, number],
        filterSize,
        strides,
        1,
        pad,
        dimRoundingMode,
      );
      const wasm = backend as BackendWasm;
      const dx = wasm.makeOutput(input.shape, 'float32');
      const heap = (t: TensorInfo) => wasm.typedArrayFromHeap(t) as Float32Array;
      maxPoolGradOnHeap(heap(input), heap(dy), heap(dx), info);
      return dx;
    },
  };
}
