import type { PlanePoint, PlaneRect } from './clip.js';

/** The label of a pixel outside the hypercube H (Definition 2's infeasible points). */
export const INFEASIBLE = 255;

/**
 * A raster over a plane rectangle with square pixels in (s, t) units: the longer side has
 * `resolution` pixels and the grid is centred on the rectangle. Row 0 is at the top (largest t),
 * column 0 at the left (smallest s).
 */
export interface Grid {
  width: number;
  height: number;
  /** Side length of a pixel in plane units. */
  pixelSize: number;
  /** Plane coordinates of the grid's left edge and top edge. */
  sLeft: number;
  tTop: number;
}

export function makeGrid(rect: PlaneRect, resolution: number): Grid {
  const spanS = rect.sMax - rect.sMin;
  const spanT = rect.tMax - rect.tMin;
  const pixelSize = Math.max(spanS, spanT) / resolution;
  // The small relative slack keeps an exact multiple (e.g. a square slice) from gaining a pixel.
  const width = Math.max(1, Math.ceil(spanS / pixelSize - 1e-9));
  const height = Math.max(1, Math.ceil(spanT / pixelSize - 1e-9));
  return {
    width,
    height,
    pixelSize,
    sLeft: (rect.sMin + rect.sMax) / 2 - (width * pixelSize) / 2,
    tTop: (rect.tMin + rect.tMax) / 2 + (height * pixelSize) / 2,
  };
}

/** Plane coordinates of the centre of pixel (x, y). */
export function pixelCentre(grid: Grid, x: number, y: number): PlanePoint {
  return [grid.sLeft + (x + 0.5) * grid.pixelSize, grid.tTop - (y + 0.5) * grid.pixelSize];
}

/** A pixel's column x (0 at the left) and row y (0 at the top). */
export interface PixelIndex {
  x: number;
  y: number;
}

/**
 * How far outside the grid, in pixels, a point still counts as on its edge. Projections of points
 * that lie on a face of H (dataset images with black or white pixels) land on the rectangle's edge
 * only up to rounding: about 1e-13 pixels on MNIST slices.
 */
export const EDGE_TOLERANCE = 1e-6;

/**
 * The pixel that holds plane point (s, t), on the closed grid: a point on the right or bottom edge
 * (sMax or tMin of a slice's rectangle) belongs to the last column or row, and one within
 * EDGE_TOLERANCE pixels outside to the nearest edge pixel. Undefined for a point farther outside.
 */
export function pixelAt(grid: Grid, s: number, t: number): PixelIndex | undefined {
  const fx = (s - grid.sLeft) / grid.pixelSize;
  const fy = (grid.tTop - t) / grid.pixelSize;
  const inside = (f: number, n: number) => f >= -EDGE_TOLERANCE && f <= n + EDGE_TOLERANCE;
  if (!inside(fx, grid.width) || !inside(fy, grid.height)) return undefined;
  return {
    x: Math.min(grid.width - 1, Math.max(0, Math.floor(fx))),
    y: Math.min(grid.height - 1, Math.max(0, Math.floor(fy))),
  };
}

/**
 * The feasibility mask (Definition 2): 1 where the pixel centre lies in the convex polygon, row
 * by row from the polygon's s-interval at the row's t. Row-major, row 0 at the top.
 */
export function feasibleMask(grid: Grid, polygon: PlanePoint[]): Uint8Array {
  const mask = new Uint8Array(grid.width * grid.height);
  const n = polygon.length;
  for (let y = 0; y < grid.height; y++) {
    const t = grid.tTop - (y + 0.5) * grid.pixelSize;
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < n; k++) {
      const [s0, t0] = polygon[k]!;
      const [s1, t1] = polygon[(k + 1) % n]!;
      if ((t0 <= t && t <= t1) || (t1 <= t && t <= t0)) {
        const s = t1 === t0 ? Math.min(s0, s1) : s0 + ((t - t0) / (t1 - t0)) * (s1 - s0);
        const sOther = t1 === t0 ? Math.max(s0, s1) : s;
        lo = Math.min(lo, s, sOther);
        hi = Math.max(hi, s, sOther);
      }
    }
    if (lo > hi) continue;
    const first = Math.max(0, Math.ceil((lo - grid.sLeft) / grid.pixelSize - 0.5));
    const last = Math.min(grid.width - 1, Math.floor((hi - grid.sLeft) / grid.pixelSize - 0.5));
    mask.fill(1, y * grid.width + first, y * grid.width + last + 1);
  }
  return mask;
}
