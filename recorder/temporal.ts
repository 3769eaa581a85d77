import { createRng, mixSeed } from '../core/rng.js';
import type { SliceGeometry } from '../slices/geometry.js';
import type { PixelEvaluation, PixelSource } from './pixel-evaluation.js';

/** How a temporal frame looks for changes away from the previous frame's boundaries. */
export interface TemporalChecks {
  /** Lattice points along the slice's longer side (spacing = longer side / lattice, at least 1). */
  lattice: number;
  /** Random feasible pixels checked besides, drawn anew every frame. */
  sample: number;
  /** Pixels whose confidence (0–255) is below this are checked too: where new regions start. */
  uncertain: number;
  /** Pixels within this many pixels (8-neighbour steps) of a previous boundary are checked too. */
  band: number;
}

/** The previous frame of the same slice that a temporal frame starts from. */
export interface PreviousPixels {
  labels: Uint8Array;
  confidence: Uint8Array;
}

/**
 * The pixels a temporal frame checks first: both sides of every class boundary of the previous
 * frame (feasible pixels with a feasible 4-neighbour of another class) widened by `band` pixels, a lattice whose offset
 * rotates with `frame` so that every pixel is a lattice point once in spacing² frames,
 * `sample` random feasible pixels seeded by `frame`, and the pixels whose previous confidence is
 * below `uncertain`. Sorted, without repeats.
 */
export function temporalSeeds(
  geometry: Pick<SliceGeometry, 'width' | 'height' | 'feasible'>,
  previous: PreviousPixels,
  frame: number,
  checks: TemporalChecks,
): Int32Array {
  const { width, height, feasible } = geometry;
  const { labels, confidence } = previous;
  const chosen = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (!feasible[p]) continue;
      const differs = (q: number) => feasible[q] === 1 && labels[q] !== labels[p];
      if (
        (x > 0 && differs(p - 1)) ||
        (x < width - 1 && differs(p + 1)) ||
        (y > 0 && differs(p - width)) ||
        (y < height - 1 && differs(p + width))
      )
        chosen[p] = 1;
    }
  }
  for (let r = 0; r < checks.band; r++) dilate(chosen, feasible, width, height);
  for (let p = 0; p < chosen.length; p++) if (feasible[p] && confidence[p]! < checks.uncertain) chosen[p] = 1;
  const spacing = Math.max(1, Math.round(Math.max(width, height) / checks.lattice));
  // spacing + 1 is coprime to spacing², so the offsets visit the whole spacing × spacing cell.
  const offset = (frame * (spacing + 1)) % (spacing * spacing);
  for (let y = Math.floor(offset / spacing); y < height; y += spacing)
    for (let x = offset % spacing; x < width; x += spacing) chosen[y * width + x] = feasible[y * width + x]!;
  const rng = createRng(mixSeed(frame, width, height));
  for (let k = 0; k < checks.sample; k++) {
    const p = rng.int(width * height);
    chosen[p] = feasible[p]!;
  }
  const pixels: number[] = [];
  chosen.forEach((c, p) => {
    if (c) pixels.push(p);
  });
  return Int32Array.from(pixels);
}

/**
 * Temporal evaluation (a level-set style update of the previous frame): the model runs on the
 * temporalSeeds, then, round after round, on the unchecked feasible 8-neighbours of every pixel
 * whose class changed, until a round changes nothing. Pixels never checked keep the previous
 * frame's label and confidence; checked pixels whose class did not change keep the previous
 * confidence too, so that confidence is refreshed only where the class changed (and everywhere on
 * the full or adaptive frames between which temporal frames run).
 */
export async function evaluateTemporal(
  geometry: SliceGeometry,
  source: PixelSource,
  previous: PreviousPixels,
  frame: number,
  checks: TemporalChecks,
): Promise<PixelEvaluation> {
  const { width, height, feasible } = geometry;
  const fresh: PixelEvaluation = {
    labels: previous.labels.slice(),
    confidence: previous.confidence.slice(),
    evaluated: 0,
  };
  const out: PixelEvaluation = {
    labels: previous.labels.slice(),
    confidence: previous.confidence.slice(),
    evaluated: 0,
  };
  const checked = new Uint8Array(width * height);
  let pixels = temporalSeeds(geometry, previous, frame, checks);
  while (pixels.length > 0) {
    await source(pixels, fresh);
    const next: number[] = [];
    for (const p of pixels) checked[p] = 1;
    for (const p of pixels) {
      if (fresh.labels[p] === previous.labels[p]) continue;
      out.labels[p] = fresh.labels[p]!;
      out.confidence[p] = fresh.confidence[p]!;
      const x = p % width;
      const y = (p - x) / width;
      for (let qy = Math.max(0, y - 1); qy <= Math.min(height - 1, y + 1); qy++)
        for (let qx = Math.max(0, x - 1); qx <= Math.min(width - 1, x + 1); qx++) {
          const q = qy * width + qx;
          if (!feasible[q] || checked[q]) continue;
          checked[q] = 1;
          next.push(q);
        }
    }
    pixels = Int32Array.from(next);
  }
  out.evaluated = fresh.evaluated;
  return out;
}

/** Marks the feasible 8-neighbours of every marked pixel. */
function dilate(marked: Uint8Array, feasible: Uint8Array, width: number, height: number): void {
  const before = marked.slice();
  for (let p = 0; p < before.length; p++) {
    if (!before[p]) continue;
    const x = p % width;
    const y = (p - x) / width;
    for (let qy = Math.max(0, y - 1); qy <= Math.min(height - 1, y + 1); qy++)
      for (let qx = Math.max(0, x - 1); qx <= Math.min(width - 1, x + 1); qx++)
        marked[qy * width + qx] = feasible[qy * width + qx]!;
  }
}
