import type { SliceGeometry } from '../slices/geometry.js';
import { emptyEvaluation, type PixelEvaluation, type PixelSource } from './pixel-evaluation.js';

const QUADRANTS = [
  [0, 0],
  [1, 0],
  [0, 1],
  [1, 1],
] as const;

/**
 * Spatially adaptive evaluation: the model runs on a lattice of spacing `coarse` (a power of two),
 * then, halving the spacing, only on cells whose corners disagree, are infeasible or fall outside
 * the grid; a cell whose four corners agree takes their label and the bilinear interpolation of
 * their confidence. `coarse` is the knob against missing small islands.
 */
export async function evaluateAdaptive(
  geometry: SliceGeometry,
  source: PixelSource,
  coarse: number,
): Promise<PixelEvaluation> {
  if (!Number.isInteger(Math.log2(coarse)) || coarse < 1) {
    throw new RangeError(`expected coarse spacing to be a power of two, received ${coarse}`);
  }
  const { width, height, feasible } = geometry;
  const out = emptyEvaluation(width * height);
  const known = new Uint8Array(width * height);
  const pending = new Set<number>();
  const want = (x: number, y: number) => {
    if (x >= width || y >= height) return;
    const p = y * width + x;
    if (feasible[p] && !known[p]) pending.add(p);
  };
  const flush = async () => {
    const pixels = Int32Array.from(pending);
    pending.clear();
    await source(pixels, out);
    for (const p of pixels) known[p] = 1;
  };
  // Cells (x0, y0) still to decide at the current spacing.
  let cells: [number, number][] = [];
  for (let y = 0; y < height; y += coarse)
    for (let x = 0; x < width; x += coarse) {
      want(x, y);
      cells.push([x, y]);
    }
  await flush();
  for (let size = coarse; size >= 1 && cells.length > 0; size /= 2) {
    const undecided: [number, number][] = [];
    for (const [x0, y0] of cells) {
      const x1 = x0 + size;
      const y1 = y0 + size;
      const corners = [y0 * width + x0, y0 * width + x1, y1 * width + x0, y1 * width + x1];
      const inside = x1 < width && y1 < height && corners.every((p) => feasible[p] && known[p]);
      const label = out.labels[corners[0]!]!;
      if (size > 1 && inside && corners.every((p) => out.labels[p] === label)) {
        fillCell(out, width, x0, y0, size, corners, known);
      } else {
        undecided.push([x0, y0]);
      }
    }
    if (size === 1) {
      for (const [x0, y0] of undecided) for (const [dx, dy] of QUADRANTS) want(x0 + dx, y0 + dy);
      await flush();
      break;
    }
    const half = size / 2;
    cells = [];
    for (const [x0, y0] of undecided) {
      for (const [dx, dy] of QUADRANTS) {
        cells.push([x0 + dx * half, y0 + dy * half]);
        for (const [ex, ey] of QUADRANTS) want(x0 + (dx + ex) * half, y0 + (dy + ey) * half);
      }
      want(x0 + size, y0 + half);
      want(x0 + half, y0 + size);
      want(x0 + size, y0 + size);
    }
    await flush();
  }
  return out;
}

/** Gives a uniform cell's unevaluated pixels its label and the bilinear confidence of its corners. */
function fillCell(
  out: PixelEvaluation,
  width: number,
  x0: number,
  y0: number,
  size: number,
  corners: number[],
  known: Uint8Array,
): void {
  const [c00, c10, c01, c11] = corners.map((p) => out.confidence[p]!) as [number, number, number, number];
  const label = out.labels[corners[0]!]!;
  for (let y = y0; y <= y0 + size; y++) {
    for (let x = x0; x <= x0 + size; x++) {
      const p = y * width + x;
      if (known[p]) continue;
      const fx = (x - x0) / size;
      const fy = (y - y0) / size;
      out.labels[p] = label;
      out.confidence[p] = Math.round((1 - fy) * ((1 - fx) * c00 + fx * c10) + fy * ((1 - fx) * c01 + fx * c11));
      known[p] = 1;
    }
  }
}
