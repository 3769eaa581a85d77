import { boundingRect, feasiblePolygon, type PlanePoint, type PlaneRect } from './clip.js';
import { SliceInputError } from './errors.js';
import { feasibleMask, makeGrid, pixelAt, pixelCentre, type Grid, type PixelIndex } from './grid.js';
import { planeBasis, type PlaneBasis } from './plane.js';
import { dot, sub, type Vector } from './vector.js';

/** A slice of the hypercube H = [0,1]^d on the plane through a, b, c, rasterised (Definitions 1 and 2). */
export interface SliceGeometry extends PlaneBasis, Grid {
  /** Dimension of the input space. */
  d: number;
  /** The feasible set L ∩ H as a convex polygon, vertices [s, t] counter-clockwise. */
  polygon: PlanePoint[];
  /** The rectangle the grid covers: the polygon's bounding rectangle for a slice. */
  rect: PlaneRect;
  /** 1 where the pixel centre is feasible, row-major, row 0 at tMax. */
  feasible: Uint8Array;
  feasibleCount: number;
}

export interface SliceOptions {
  /** Orientation vector in the plane, along the s axis (default b − a). */
  v?: Vector;
  /** Pixels along the longer side (default 128). */
  resolution?: number;
}

/** Rasterises a plane over a given rectangle of its coordinates. */
export function geometryOver(
  basis: PlaneBasis,
  polygon: PlanePoint[],
  rect: PlaneRect,
  resolution: number,
): SliceGeometry {
  if (!Number.isInteger(resolution) || resolution < 1) {
    throw new RangeError(`expected resolution to be a positive integer, received ${resolution}`);
  }
  const grid = makeGrid(rect, resolution);
  const feasible = feasibleMask(grid, polygon);
  let feasibleCount = 0;
  for (const f of feasible) feasibleCount += f;
  return { ...basis, ...grid, d: basis.origin.length, polygon, rect, feasible, feasibleCount };
}

/**
 * The slice of H through points a, b and c (Definition 1): plane basis u = v/|v|, w by
 * Gram–Schmidt from c − a, the exact feasible polygon, its bounding rectangle along u and w, and
 * a grid of square pixels with the longer side at `resolution` and its feasibility mask.
 */
export function sliceGeometry(a: Vector, b: Vector, c: Vector, options: SliceOptions = {}): SliceGeometry {
  const basis = planeBasis(a, b, c, options.v);
  const polygon = feasiblePolygon(basis);
  return geometryOver(basis, polygon, boundingRect(polygon), options.resolution ?? 128);
}

/** Plane coordinates of the centre of pixel (x, y). */
export function pixelToPlane(g: SliceGeometry, x: number, y: number): PlanePoint {
  return pixelCentre(g, x, y);
}

/** The input-space point at the centre of pixel (x, y): a + s·u + t·w. */
export function pixelToPoint(g: SliceGeometry, x: number, y: number): Float64Array {
  const [s, t] = pixelCentre(g, x, y);
  return planeToPoint(g, s, t);
}

export function planeToPoint(g: PlaneBasis, s: number, t: number): Float64Array {
  const out = new Float64Array(g.origin.length);
  for (let i = 0; i < out.length; i++) out[i] = g.origin[i]! + s * g.u[i]! + t * g.w[i]!;
  return out;
}

/** Plane coordinates of the orthogonal projection of an input-space point on the plane. */
export function pointToPlane(g: PlaneBasis, point: Vector): PlanePoint {
  const rel = sub(point, g.origin);
  return [dot(rel, g.u), dot(rel, g.w)];
}

/**
 * The pixel holding a point's projection on the plane, on the closed grid (a point on the
 * rectangle's edge gets the edge pixel), or undefined when the projection is outside the grid.
 */
export function pointToPixel(g: SliceGeometry, point: Vector): PixelIndex | undefined {
  const [s, t] = pointToPlane(g, point);
  return pixelAt(g, s, t);
}

/**
 * The pixel of one of the points a slice was made from. Points of H project into the slice's
 * rectangle, so a miss means the point is not in H; it throws SliceInputError naming the point.
 */
export function slicePointPixel(g: SliceGeometry, name: string, point: Vector): PixelIndex {
  const pixel = pointToPixel(g, point);
  if (pixel) return pixel;
  const [s, t] = pointToPlane(g, point);
  const { sMin, sMax, tMin, tMax } = g.rect;
  throw new SliceInputError(
    `point ${name} projects to (s, t) = (${s}, ${t}), outside the slice's rectangle ` +
      `[${sMin}, ${sMax}] × [${tMin}, ${tMax}]; the points of a slice must lie in [0,1]^d`,
  );
}
