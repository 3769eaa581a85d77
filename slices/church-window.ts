import { createRng, mixSeed, normal } from '../core/rng.js';
import { feasiblePolygon } from './clip.js';
import { geometryOver, type SliceGeometry } from './geometry.js';
import { SliceDegenerateError } from './errors.js';
import { addScaled, dot, norm, scale, type Vector } from './vector.js';

/**
 * A local slice, the "church window plot" of prior work (the paper's Figure 4): the square
 * window [−h, h]² around `centre` in the plane spanned by `along` (the s axis) and `across`
 * (made orthogonal to it), not stretched to the hypercube; pixels outside H are infeasible.
 */
export function windowGeometry(
  centre: Vector,
  along: Vector,
  across: Vector,
  halfWidth: number,
  resolution: number,
): SliceGeometry {
  const u = scale(along, 1 / norm(along));
  const rest = addScaled(across, -dot(across, u), u);
  if (!(norm(along) > 0) || !(norm(rest) > 1e-9 * norm(across))) {
    throw new SliceDegenerateError('the two directions of a window must be non-zero and not parallel');
  }
  const basis = { origin: Float64Array.from(centre), u, w: scale(rest, 1 / norm(rest)) };
  return geometryOver(
    basis,
    feasiblePolygon(basis),
    { sMin: -halfWidth, sMax: halfWidth, tMin: -halfWidth, tMax: halfWidth },
    resolution,
  );
}

/** A seeded random direction of R^d, uniform on the sphere. */
export function randomDirection(d: number, seed: number): Float64Array {
  const rng = createRng(mixSeed(seed, 0x64697265));
  const v = Float64Array.from({ length: d }, () => normal(rng));
  return scale(v, 1 / norm(v));
}

/**
 * The windows of Figure 4 for one image: `count` windows of the adversarial direction against
 * random directions, then `count` of random against random, with random seeds 1, 2, ….
 */
export function churchWindows(
  centre: Vector,
  adversarialDirection: Vector,
  options: { halfWidth: number; resolution: number; count: number },
): { geometry: SliceGeometry; along: string; across: string }[] {
  const d = centre.length;
  const windows = [];
  for (let k = 1; k <= options.count; k++) {
    windows.push({
      geometry: windowGeometry(
        centre,
        adversarialDirection,
        randomDirection(d, k),
        options.halfWidth,
        options.resolution,
      ),
      along: 'adversarial',
      across: `random:${k}`,
    });
  }
  for (let k = 1; k <= options.count; k++) {
    windows.push({
      geometry: windowGeometry(
        centre,
        randomDirection(d, 1000 + k),
        randomDirection(d, 2000 + k),
        options.halfWidth,
        options.resolution,
      ),
      along: `random:${1000 + k}`,
      across: `random:${2000 + k}`,
    });
  }
  return windows;
}
