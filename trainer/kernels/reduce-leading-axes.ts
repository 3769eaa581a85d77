import { backend_util, util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Σ over the leading axes of a row-major array: `rows` rows of `width` values summed into one
 * row, accumulated in double precision.
 */
export function sumRows(x: Float32Array, rows: number, width: number, out: Float32Array, scale: number): void {
  const total = new Float64Array(width);
  for (let r = 0, at = 0; r < rows; r++) for (let j = 0; j < width; j++, at++) total[j] = total[j]! + x[at]!;
  for (let j = 0; j < width; j++) out[j] = total[j]! * scale;
}

/**
 * Sum or Mean for the wasm backend when the reduced axes are the leading ones (the batch-norm
 * statistics and gradients reduce an NHWC tensor over N, H and W). The backend's own kernels
 * first transpose those axes to the end, copying the whole tensor; this sums rows in place.
 * Every other reduction goes to the backend's own kernel, `stock`.
 */
export function reduceLeadingAxesOnWasmHeap(kind: 'Sum' | 'Mean', stock: KernelConfig): KernelConfig {
  return {
    kernelName: kind,
    backendName: stock.backendName,
    setupFunc: stock.setupFunc,
    kernelFunc: (args) => {
      const x = args.inputs['x'] as TensorInfo;
      const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
      const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
      const leading = axes.every((a, i) => a === i) && axes.length < x.shape.length;
      if (!leading || x.dtype !== 'float32' || util.sizeFromShape(x.shape) === 0) return stock.kernelFunc(args);
      const wasm = args.backend as BackendWasm;
      const rowShape = x.shape.slice(axes.length);
      const rows = util.sizeFromShape(x.shape.slice(0, axes.length));
      const shape = keepDims ? backend_util.expandShapeToKeepDim(rowShape, axes) : rowShape;
      const out = wasm.makeOutput(shape, 'float32');
      const heap = (t: TensorInfo) => wasm.typedArrayFromHeap(t) as Float32Array;
      sumRows(heap(x), rows, util.sizeFromShape(rowShape), heap(out), kind === 'Mean' ? 1 / rows : 1);
      return out;
    },
  };
}
