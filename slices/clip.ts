import type { PlaneBasis } from './plane.js';

/** A point of the plane in plane coordinates. */
export type PlanePoint = [s: number, t: number];

/** The slice rectangle in plane coordinates (Definition 1), sides parallel to u and w. */
export interface PlaneRect {
  sMin: number;
  sMax: number;
  tMin: number;
  tMax: number;
}

/** Keeps the part of a convex polygon where α·s + β·t ≤ γ (one Sutherland–Hodgman pass). */
function clipHalfPlane(polygon: PlanePoint[], alpha: number, beta: number, gamma: number): PlanePoint[] {
  const out: PlanePoint[] = [];
  const n = polygon.length;
  for (let k = 0; k < n; k++) {
    const p = polygon[k]!;
    const q = polygon[(k + 1) % n]!;
    const fp = alpha * p[0] + beta * p[1] - gamma;
    const fq = alpha * q[0] + beta * q[1] - gamma;
    if (fp <= 0) out.push(p);
    if ((fp < 0 && fq > 0) || (fp > 0 && fq < 0)) {
      const r = fp / (fp - fq);
      out.push([p[0] + r * (q[0] - p[0]), p[1] + r * (q[1] - p[1])]);
    }
  }
  return out;
}

/**
 * The feasible set L ∩ H of the plane, exactly (Definition 2): the convex polygon of (s, t) with
 * 0 ≤ origin_i + s·u_i + t·w_i ≤ 1 for every coordinate i, vertices counter-clockwise. It replaces
 * the paper's flood fill. Starts from a square that contains every point of H (all within √d
 * of the origin) and clips by the 2d half-planes.
 */
export function feasiblePolygon(basis: PlaneBasis): PlanePoint[] {
  const { origin, u, w } = basis;
  const d = origin.length;
  const r = Math.sqrt(d) + 1;
  let polygon: PlanePoint[] = [
    [-r, -r],
    [r, -r],
    [r, r],
    [-r, r],
  ];
  for (let i = 0; i < d && polygon.length > 0; i++) {
    const alpha = u[i]!;
    const beta = w[i]!;
    if (alpha === 0 && beta === 0) continue;
    polygon = clipHalfPlane(polygon, alpha, beta, 1 - origin[i]!);
    polygon = clipHalfPlane(polygon, -alpha, -beta, origin[i]!);
  }
  // Drop vertices that coincide with their predecessor (clipping through a vertex repeats it).
  return polygon.filter((p, k) => {
    const q = polygon[(k + polygon.length - 1) % polygon.length]!;
    return polygon.length === 1 || Math.hypot(p[0] - q[0], p[1] - q[1]) > 1e-12;
  });
}

/** The smallest rectangle with sides along u and w that holds the polygon (Definition 1). */
export function boundingRect(polygon: PlanePoint[]): PlaneRect {
  const s = polygon.map((p) => p[0]);
  const t = polygon.map((p) => p[1]);
  return { sMin: Math.min(...s), sMax: Math.max(...s), tMin: Math.min(...t), tMax: Math.max(...t) };
}
