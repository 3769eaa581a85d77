/**
 * The order in which a plane-form walk (recorder/plane-cnn.ts) visits a slice's pixels. A step of
 * the walk costs about in proportion to how far it goes, so the walk goes from each pixel to the
 * nearest one not yet visited, and pixels with no other within `reach` (lone probes of a lattice)
 * are left out of it: one image costs less than walking there and back.
 */
export interface WalkOrder {
  /** The pixels to walk, in order. */
  walk: Int32Array;
  /** The pixels to evaluate image by image. */
  alone: Int32Array;
}

/**
 * Orders `pixels` (row-major indices into a width × height grid) for a walk starting next to
 * pixel `from` (where the walk stands, if anywhere): nearest first (by rings of growing Chebyshev
 * distance, the closest of the first ring that has one). Pixels with no other listed pixel within Chebyshev distance `reach` go to `alone`.
 */
export function walkOrder(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  from: number | undefined,
  reach: number,
): WalkOrder {
  const listed = new Uint8Array(width * height);
  for (let k = 0; k < pixels.length; k++) listed[pixels[k]!] = 1;
  const walk: number[] = [];
  const alone: number[] = [];
  for (let k = 0; k < pixels.length; k++) {
    const p = pixels[k]!;
    (nearest(listed, width, height, p, reach) === undefined ? alone : walk).push(p);
  }
  for (const p of alone) listed[p] = 0;
  const order = new Int32Array(walk.length);
  let at = from ?? walk[0];
  for (let k = 0; k < walk.length; k++) {
    const next = listed[at!] ? at! : nearest(listed, width, height, at!, Math.max(width, height))!;
    listed[next] = 0;
    order[k] = next;
    at = next;
  }
  return { walk: order, alone: Int32Array.from(alone) };
}

/**
 * A listed pixel other than p within Chebyshev distance `reach` of p: of the nearest ring that has
 * one, the one nearest p in straight-line distance.
 */
function nearest(listed: Uint8Array, width: number, height: number, p: number, reach: number): number | undefined {
  const x = p % width;
  const y = (p - x) / width;
  for (let r = 1; r <= reach; r++) {
    let best: number | undefined;
    let bestDistance = Infinity;
    const consider = (i: number, j: number) => {
      const q = j * width + i;
      const distance = (i - x) ** 2 + (j - y) ** 2;
      if (listed[q] && distance < bestDistance) [best, bestDistance] = [q, distance];
    };
    for (let i = Math.max(0, x - r); i <= Math.min(width - 1, x + r); i++) {
      if (y - r >= 0) consider(i, y - r);
      if (y + r < height) consider(i, y + r);
    }
    for (let j = Math.max(0, y - r + 1); j <= Math.min(height - 1, y + r - 1); j++) {
      if (x - r >= 0) consider(x - r, j);
      if (x + r < width) consider(x + r, j);
    }
    if (best !== undefined) return best;
  }
  return undefined;
}
