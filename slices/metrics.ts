import { INFEASIBLE } from './grid.js';

/** What a frame measures about its decision regions. */
export interface FrameMetrics {
  /** Fraction of the feasible pixels in each class's region. */
  area: number[];
  /** Connected components of each class's region (4-connectivity); Fawzi et al. find one per class. */
  components: number[];
  /** Feasible pixels with a feasible 4-neighbour of another class. */
  boundary: number;
  /** Feasible pixels whose class differs from the previous frame's (0 for the first frame). */
  flipped: number;
}

/** Area, components, boundary and flips of a label image (row-major, 255 = infeasible). */
export function frameMetrics(
  labels: Uint8Array,
  width: number,
  height: number,
  classes: number,
  previous?: Uint8Array,
): FrameMetrics {
  const counts = new Array<number>(classes).fill(0);
  let feasible = 0;
  let boundary = 0;
  let flipped = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const label = labels[p]!;
      if (label === INFEASIBLE) continue;
      feasible++;
      if (label < classes) counts[label]!++;
      if (previous && previous[p] !== label) flipped++;
      const differs = (q: number) => labels[q] !== INFEASIBLE && labels[q] !== label;
      if (
        (x > 0 && differs(p - 1)) ||
        (x < width - 1 && differs(p + 1)) ||
        (y > 0 && differs(p - width)) ||
        (y < height - 1 && differs(p + width))
      ) {
        boundary++;
      }
    }
  }
  return {
    area: counts.map((c) => (feasible ? c / feasible : 0)),
    components: connectedComponents(labels, width, classes),
    boundary,
    flipped,
  };
}

/** Number of 4-connected components of each class's pixels, by flood fill with an explicit stack. */
export function connectedComponents(labels: Uint8Array, width: number, classes: number): number[] {
  const seen = new Uint8Array(labels.length);
  const components = new Array<number>(classes).fill(0);
  const stack: number[] = [];
  for (let start = 0; start < labels.length; start++) {
    const label = labels[start]!;
    if (seen[start] || label === INFEASIBLE || label >= classes) continue;
    components[label]!++;
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      const x = p % width;
      const neighbours = [x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1, p - width, p + width];
      for (const q of neighbours) {
        if (q < 0 || q >= labels.length || seen[q] || labels[q] !== label) continue;
        seen[q] = 1;
        stack.push(q);
      }
    }
  }
  return components;
}
