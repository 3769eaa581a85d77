import { Tile, type KernelConfig, type TensorInfo, type TileAttrs } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The typed arrays of the heap: Float32Array, Int32Array or Uint8Array. */
interface Flat {
  copyWithin(target: number, start: number, end: number): unknown;
  set(source: ArrayLike<number>, offset: number): void;
  subarray(begin: number, end: number): ArrayLike<number>;
}

/**
 * Tile (repeat x `reps[d]` times along every axis d) for the wasm backend, by block copies on
 * its heap. The batch-norm gradient tiles a per-channel [1, 1, 1, C] vector to the whole
 * activation shape; the backend's own kernel does that element by element (a third of a
 * WRN-10-1 training step), this one in about log2(N·H·W) copies.
 *
 * Axis by axis from the innermost: the block of one index prefix holds `reps[d]` copies of its
 * first `shape[d]` sub-blocks, made by doubling the filled part.
 */
export function tileOnHeap(input: Flat, shape: readonly number[], reps: readonly number[], output: Flat): void {
  const rank = shape.length;
  const outShape = shape.map((n, d) => n * reps[d]!);
  // outBlock[d]: elements of one output block spanning axes d … rank−1.
  const outBlock = new Array<number>(rank + 1).fill(1);
  for (let d = rank - 1; d >= 0; d--) outBlock[d] = outBlock[d + 1]! * outShape[d]!;
  const rowLength = rank === 0 ? 1 : shape[rank - 1]!;

  // Visits, in row-major order, the output offset of every index prefix over axes 0 … upTo−1
  // that lies inside the input's extent.
  const prefixes = (upTo: number, visit: (outOffset: number) => void): void => {
    const walk = (axis: number, offset: number): void => {
      if (axis === upTo) return visit(offset);
      for (let i = 0; i < shape[axis]!; i++) walk(axis + 1, offset + i * outBlock[axis + 1]!);
    };
    walk(0, 0);
  };
  // Input rows to their places: output indices equal to input indices on every leading axis.
  let inOffset = 0;
  prefixes(Math.max(rank - 1, 0), (offset) => {
    output.set(input.subarray(inOffset, inOffset + rowLength), offset);
    inOffset += rowLength;
  });
  for (let d = rank - 1; d >= 0; d--) {
    const filled = shape[d]! * outBlock[d + 1]!;
    const total = outBlock[d]!;
    if (filled === total) continue;
    prefixes(d, (start) => {
      for (let done = filled; done < total;) {
        const n = Math.min(done, total - done);
        output.copyWithin(start + done, start, start + n);
        done += n;
      }
    });
  }
}

/** The Tile kernel of `tileOnHeap` for the wasm backend (needs its heap: makeOutput, typedArrayFromHeap). */
export function tileOnWasmHeap(backendName: string): KernelConfig {
  return {
    kernelName: Tile,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x } = inputs as { x: TensorInfo };
      const { reps } = attrs as unknown as TileAttrs;
      const wasm = backend as BackendWasm;
      const out = wasm.makeOutput(
        x.shape.map((n, d) => n * reps[d]!),
        x.dtype,
      );
      if (x.shape.every((n) => n > 0) && reps.every((r) => r > 0))
        tileOnHeap(wasm.typedArrayFromHeap(x), x.shape, reps, wasm.typedArrayFromHeap(out));
      return out;
    },
  };
}
