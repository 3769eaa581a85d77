import { SliceDegenerateError, SliceInputError } from './errors.js';
import { addScaled, dot, norm, scale, sub, type Vector } from './vector.js';

/** An orthonormal basis (u, w) of a plane through `origin`: the point origin + s·u + t·w has plane coordinates (s, t). */
export interface PlaneBasis {
  origin: Float64Array;
  u: Float64Array;
  w: Float64Array;
}

/** Relative size below which a difference of points counts as zero (coincident or collinear). */
const DEGENERATE = 1e-9;

/** Throws SliceInputError unless every point has `d` coordinates, all finite and in [0,1]. */
export function checkPointsInCube(points: Record<string, ArrayLike<number>>): number {
  const entries = Object.entries(points);
  const d = entries[0]![1].length;
  for (const [name, p] of entries) {
    if (p.length !== d)
      throw new SliceInputError(`point ${name} has ${p.length} values but point ${entries[0]![0]} has ${d}`);
    for (let i = 0; i < d; i++) {
      const v = p[i]!;
      if (!(v >= 0 && v <= 1)) {
        throw new SliceInputError(
          `point ${name} has value ${v} at index ${i}; points must lie in [0,1]^d (pixels scaled to [0,1])`,
        );
      }
    }
  }
  if (d < 2) throw new SliceInputError(`points need at least 2 coordinates, received ${d}`);
  return d;
}

/**
 * The plane through a, b and c with one axis along v (default b − a): u = v/|v| and w the
 * normalised part of c − a orthogonal to u (Gram–Schmidt; b − a when c − a is along v).
 * Throws SliceDegenerateError for coincident or collinear points, or a v outside the plane.
 */
export function planeBasis(a: Vector, b: Vector, c: Vector, v?: Vector): PlaneBasis {
  const d = checkPointsInCube({ a, b, c });
  if (v && v.length !== d)
    throw new SliceInputError(`orientation vector v has ${v.length} values but the points have ${d}`);
  const ab = sub(b, a);
  const ac = sub(c, a);
  const size = Math.max(norm(ab), norm(ac), 1e-300);
  if (norm(ab) <= DEGENERATE * Math.max(size, 1))
    throw new SliceDegenerateError('points a and b coincide; a slice needs three distinct points');
  if (norm(ac) <= DEGENERATE * Math.max(size, 1))
    throw new SliceDegenerateError('points a and c coincide; a slice needs three distinct points');
  // An orthonormal basis of span(b − a, c − a) first: it decides collinearity and checks v.
  const e1 = scale(ab, 1 / norm(ab));
  const acPerp = addScaled(ac, -dot(ac, e1), e1);
  if (norm(acPerp) <= DEGENERATE * norm(ac)) {
    throw new SliceDegenerateError(
      'points a, b and c are collinear; choose a third point off the line through a and b',
    );
  }
  const e2 = scale(acPerp, 1 / norm(acPerp));
  if (v === undefined) return { origin: Float64Array.from(a), u: e1, w: e2 };
  const vNorm = norm(v);
  if (!(vNorm > 0)) throw new SliceDegenerateError('orientation vector v is zero');
  const inPlane = addScaled(scale(e1, dot(v, e1)), dot(v, e2), e2);
  if (norm(sub(v, inPlane)) > 1e-6 * vNorm) {
    throw new SliceDegenerateError('orientation vector v does not lie in the plane through a, b and c');
  }
  const u = scale(inPlane, 1 / norm(inPlane));
  // w: the in-plane unit vector orthogonal to u, oriented towards c (Gram–Schmidt of c − a, or of b − a when c − a is along v).
  const towardsC = addScaled(ac, -dot(ac, u), u);
  const towardsB = addScaled(ab, -dot(ab, u), u);
  const r = norm(towardsC) / norm(ac) >= norm(towardsB) / norm(ab) ? towardsC : towardsB;
  const w = scale(r, 1 / norm(r));
  return { origin: Float64Array.from(a), u, w };
}
