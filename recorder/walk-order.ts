/**
 * The order in which a plane-form walk (recorder/plane-cnn.ts) visits a slice's pixels. A step of
 * the walk costs about in proportion to how far it goes, so the walk goes from each pixel to the
 * nearest one not yet visited. Lone pixels (the probes of a lattice) are walked too: a jump of a
 * lattice spacing costs less than running the pixel's image through the model (BENCHMARKS.md).
 */

/**
 * Orders `pixels` (row-major indices into a width × height grid) for a walk starting next to
 * pixel `from` (where the walk stands, if anywhere): nearest first, by rings of growing Chebyshev
 * distance, the closest in straight-line distance of the first ring that has one.
 */
export function walkOrder(pixels: ArrayLike<number>, width: number, height: number, from?: number): Int32Array {
  const listed = new Uint8Array(width * height);
  for (let k = 0; k < pixels.length; k++) listed[pixels[k]!] = 1;
  const order = new Int32Array(pixels.length);
  let at = from ?? pixels[0];
  for (let k = 0; k < order.length; k++) {
    const next = listed[at!] ? at! : nearest(listed, width, height, at!);
    listed[next] = 0;
    order[k] = next;
    at = next;
  }
  return order;
}

/**
 * The listed pixel nearest p other than p (there must be one): of the nearest ring of pixels
 * around p that has one, the one nearest p in straight-line distance.
 */
function nearest(listed: Uint8Array, width: number, height: number, p: number): number {
  const x = p % width;
  const y = (p - x) / width;
  for (let r = 1; ; r++) {
    let best = -1;
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
    if (best >= 0) return best;
    if (r > width && r > height) throw new Error('walkOrder: no listed pixel left');
  }
}
