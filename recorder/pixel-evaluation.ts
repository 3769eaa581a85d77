import { INFEASIBLE } from '../slices/grid.js';

export { INFEASIBLE };

/** The model's decision on a slice's pixels. */
export interface PixelEvaluation {
  /** Class of each pixel, row-major, INFEASIBLE (255) outside H. */
  labels: Uint8Array;
  /** Top-class probability quantised to 0–255 (0 outside H). */
  confidence: Uint8Array;
  /** Pixels the model actually ran on. */
  evaluated: number;
}

/**
 * Runs the model on the listed pixels (row-major indices), writes their label and confidence into
 * `out`, counting them as evaluated, and resolves to their class log-probabilities
 * [pixels × classes].
 */
export type PixelSource = (pixels: Int32Array, out: PixelEvaluation) => Promise<Float32Array>;

/** Every pixel infeasible-labelled, zero confidence, none evaluated. */
export function emptyEvaluation(pixelCount: number): PixelEvaluation {
  return { labels: new Uint8Array(pixelCount).fill(INFEASIBLE), confidence: new Uint8Array(pixelCount), evaluated: 0 };
}

/**
 * Writes class log-probabilities [pixels × classes] into `out`: the arg-max class as label and its
 * probability, quantised to 0–255, as confidence.
 */
export function writeDecisions(out: PixelEvaluation, pixels: ArrayLike<number>, logProbabilities: Float32Array): void {
  const classes = logProbabilities.length / Math.max(1, pixels.length);
  for (let k = 0; k < pixels.length; k++) {
    const best = argMax(logProbabilities, k * classes, classes);
    out.labels[pixels[k]!] = best;
    out.confidence[pixels[k]!] = Math.round(Math.exp(logProbabilities[k * classes + best]!) * 255);
  }
  out.evaluated += pixels.length;
}

/** Index (0 … count − 1) of the largest of values[offset … offset + count − 1]. */
export function argMax(values: ArrayLike<number>, offset: number, count: number): number {
  let best = 0;
  for (let c = 1; c < count; c++) if (values[offset + c]! > values[offset + best]!) best = c;
  return best;
}
