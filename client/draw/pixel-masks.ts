/**
 * Which pixels of a slice to point at: those whose class changed since another frame, those where
 * the compared runs disagree, and the share they make of the feasible pixels. Masks are 1 per
 * flagged pixel, row-major like the frame's labels; infeasible pixels (label 255) are never flagged.
 */
import { INFEASIBLE_LABEL } from './frame-image.js';

/** An RGBA colour as bytes, alpha 0 (transparent) to 255. */
export type Rgba = readonly [number, number, number, number];

function checkSameSize(sizes: number[]): void {
  if (sizes.some((n) => n !== sizes[0]))
    throw new RangeError(`expected frames of the same size, received ${sizes.join(', ')} pixels`);
}

/** 1 where a feasible pixel of `labels` has another class in `before` (the pinned or previous frame). */
export function changedMask(labels: Uint8Array, before: Uint8Array): Uint8Array {
  checkSameSize([labels.length, before.length]);
  const mask = new Uint8Array(labels.length);
  for (let p = 0; p < labels.length; p++) {
    const label = labels[p]!;
    mask[p] = label !== INFEASIBLE_LABEL && label !== before[p] ? 1 : 0;
  }
  return mask;
}

/**
 * 1 where the frames of the compared runs (the same slice, so the same feasible pixels) do not all
 * give a feasible pixel the same class. One frame never disagrees with itself: all 0.
 */
export function disagreeMask(labelSets: readonly Uint8Array[]): Uint8Array {
  const first = labelSets[0];
  if (first === undefined) return new Uint8Array(0);
  checkSameSize(labelSets.map((l) => l.length));
  const mask = new Uint8Array(first.length);
  for (let p = 0; p < first.length; p++) {
    const label = first[p]!;
    if (label === INFEASIBLE_LABEL) continue;
    for (let k = 1; k < labelSets.length; k++) {
      if (labelSets[k]![p] !== label) {
        mask[p] = 1;
        break;
      }
    }
  }
  return mask;
}

/** The flagged share of the feasible pixels, 0 to 1 (0 when no pixel is feasible). */
export function maskShare(mask: Uint8Array, labels: Uint8Array): number {
  checkSameSize([mask.length, labels.length]);
  let flagged = 0;
  let feasible = 0;
  for (let p = 0; p < labels.length; p++) {
    if (labels[p] === INFEASIBLE_LABEL) continue;
    feasible++;
    flagged += mask[p]!;
  }
  return feasible === 0 ? 0 : flagged / feasible;
}

/**
 * Writes a mask into `out` (RGBA, 4 bytes a pixel): `on` where it is 1, `off` at the other feasible
 * pixels, transparent outside H (`labels` 255), so the grey outside stays as it is. Returns `out`.
 */
export function paintMask(
  out: Uint8ClampedArray,
  mask: Uint8Array,
  labels: Uint8Array,
  on: Rgba,
  off: Rgba,
): Uint8ClampedArray {
  checkSameSize([out.length, mask.length * 4, labels.length * 4]);
  const outside: Rgba = [0, 0, 0, 0];
  for (let p = 0; p < mask.length; p++)
    out.set(labels[p] === INFEASIBLE_LABEL ? outside : mask[p] === 1 ? on : off, p * 4);
  return out;
}
