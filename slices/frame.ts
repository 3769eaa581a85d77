import type { FrameMetrics } from './metrics.js';

/** One slice at one model state: what the recorder stores and the dashboard shows. */
export interface Frame {
  width: number;
  height: number;
  /** Class of every pixel, row-major from the top row, 255 = infeasible. */
  labels: Uint8Array;
  /** Top-class probability quantised to 0–255. */
  confidence: Uint8Array;
  classes: number;
  /** Class probabilities at a, b and c: 3 × classes. */
  pointProbabilities: Float32Array;
  /** Samples per segment of the profiles. */
  profileSamples: number;
  /** Class probabilities along a→b, b→c and c→a (the paper's Figure 7): 3 × samples × classes. */
  profiles: Float32Array;
  metrics: FrameMetrics;
  /** Pixels the model actually ran on (fewer than the feasible ones in adaptive and temporal mode). */
  evaluated: number;
  /**
   * Frames since the confidence was last computed at every pixel (absent or 0: all of it is this
   * frame's). A temporally evaluated frame refreshes the confidence only where a pixel's class
   * changed and carries the rest over from the frame this many frames back.
   */
  confidenceAge?: number;
  /**
   * Frames since the profiles and point probabilities were evaluated (absent or 0: on this
   * frame's model); temporal recording evaluates them every few frames and carries them between.
   */
  profileAge?: number;
}

/** Points along the segment p→q at `samples` evenly spaced fractions 0, 1/(n−1), …, 1. */
export function segmentPoints(p: ArrayLike<number>, q: ArrayLike<number>, samples: number): Float32Array[] {
  return Array.from({ length: samples }, (_, k) => {
    const f = samples === 1 ? 0 : k / (samples - 1);
    return Float32Array.from({ length: p.length }, (_, i) => (1 - f) * p[i]! + f * q[i]!);
  });
}
