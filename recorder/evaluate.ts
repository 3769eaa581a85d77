import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../trainer/models/classifier.js';
import type { SliceGeometry } from '../slices/geometry.js';
import { pixelToPlane } from '../slices/geometry.js';
import { segmentPoints, type Frame } from '../slices/frame.js';
import { frameMetrics, type FrameMetrics } from '../slices/metrics.js';
import { evaluateAdaptive } from './adaptive.js';
import { ModelBatch } from './model-batch.js';
import { emptyEvaluation, writeDecisions, type PixelEvaluation, type PixelSource } from './pixel-evaluation.js';
import { evaluateTemporal, type TemporalChecks } from './temporal.js';

export { INFEASIBLE, type PixelEvaluation } from './pixel-evaluation.js';

/**
 * How a frame's pixels are evaluated: `full` runs the model on every feasible pixel; `adaptive`
 * on a lattice of spacing `coarse` refined where labels differ (evaluateAdaptive); `temporal`
 * re-checks the previous frame of the slice around its boundaries, on a rotating lattice and a
 * random sample, refining wherever a class changed (evaluateTemporal), with a full frame every
 * `every`-th frame, on every key frame, whenever there is no previous
 * frame, and after a frame in which more than the fraction `restless` of the feasible pixels
 * changed class (early training, where re-checking would cost more than adaptive evaluation), so
 * that errors never accumulate.
 */
export type EvaluationMode =
  | { kind: 'full' }
  | { kind: 'adaptive'; coarse: number }
  | ({ kind: 'temporal'; every: number; restless: number } & TemporalChecks);

/**
 * Temporal mode's settings: a full frame every 16th frame; otherwise
 * the previous boundaries widened by one pixel, the pixels below 63% confidence (160/255), a
 * lattice of 16 points along the longer side and 16 random pixels; and a full frame after one in
 * which over 5% of the pixels flipped.
 */
export const TEMPORAL_DEFAULTS = {
  kind: 'temporal',
  every: 16,
  lattice: 16,
  sample: 16,
  uncertain: 160,
  band: 1,
  restless: 0.05,
} as const satisfies EvaluationMode;

/**
 * Evaluates a classifier on one slice, again and again (once per training step): the slice's
 * basis and its feasible pixels' plane coordinates stay on the backend between calls, and each
 * batch of images is made there as coords · [u; w] + a, so nothing of size d crosses to JavaScript.
 */
export class SliceEvaluator {
  private readonly basis: tf.Tensor2D;
  private readonly origin: tf.Tensor2D;
  private readonly feasiblePixels: Int32Array;
  private feasibleCoords: tf.Tensor2D | undefined;
  private profile: { samples: number; images: tf.Tensor4D } | undefined;

  /** @param batchSize images per classifier call when the evaluator runs on its own. */
  constructor(
    readonly geometry: SliceGeometry,
    readonly imageShape: readonly [number, number, number],
    readonly batchSize = 256,
  ) {
    const { u, w, origin, d } = geometry;
    const basis = new Float32Array(2 * d);
    basis.set(u, 0);
    basis.set(w, d);
    this.basis = tf.tensor2d(basis, [2, d]);
    this.origin = tf.tensor2d(Float32Array.from(origin), [1, d]);
    const pixels: number[] = [];
    geometry.feasible.forEach((f, i) => {
      if (f) pixels.push(i);
    });
    this.feasiblePixels = Int32Array.from(pixels);
  }

  /** Plane coordinates of pixel centres, as an [n, 2] float array. */
  private coordsOf(pixels: ArrayLike<number>): Float32Array {
    const coords = new Float32Array(pixels.length * 2);
    for (let k = 0; k < pixels.length; k++) {
      const p = pixels[k]!;
      const [s, t] = pixelToPlane(this.geometry, p % this.geometry.width, Math.floor(p / this.geometry.width));
      coords[2 * k] = s;
      coords[2 * k + 1] = t;
    }
    return coords;
  }

  /** Images a + s·u + t·w for plane coordinates [n, 2], clipped to [0,1] against rounding. */
  private images(coords: tf.Tensor2D): tf.Tensor4D {
    return tf
      .clipByValue(tf.add(tf.matMul(coords, this.basis), this.origin), 0, 1)
      .reshape([coords.shape[0], ...this.imageShape]);
  }

  /** The model's decisions at listed pixels, through `batch`. */
  private source(batch: ModelBatch): PixelSource {
    return async (pixels, out) => {
      const coords = this.coordsOf(pixels);
      const p = await batch.probabilities(pixels.length, () => this.images(tf.tensor2d(coords, [pixels.length, 2])));
      writeDecisions(out, pixels, p);
    };
  }

  /**
   * The pixels of one frame, with the classifier calls going through `batch` (shared with other
   * slices of the same step). Temporal mode needs `previous` (else it evaluates adaptively) and
   * the frame's number, which rotates its lattice and seeds its sample.
   */
  async evaluateIn(
    batch: ModelBatch,
    mode: EvaluationMode,
    previous?: PreviousFrame,
    frame = 0,
  ): Promise<PixelEvaluation> {
    switch (mode.kind) {
      case 'full': {
        const out = emptyEvaluation(this.geometry.width * this.geometry.height);
        this.feasibleCoords ??= tf.tensor2d(this.coordsOf(this.feasiblePixels), [this.feasiblePixels.length, 2]);
        const coords = this.feasibleCoords;
        writeDecisions(out, this.feasiblePixels, await batch.probabilities(coords.shape[0], () => this.images(coords)));
        return out;
      }
      case 'adaptive':
        return evaluateAdaptive(this.geometry, this.source(batch), mode.coarse);
      case 'temporal':
        // Adaptive frames can miss a few pixels of the fragmented regions of early training: full ones cannot.
        return previous && (previous.metrics?.flipped ?? 0) <= mode.restless * this.geometry.feasibleCount
          ? evaluateTemporal(this.geometry, this.source(batch), previous, frame, mode)
          : this.evaluateIn(batch, { kind: 'full' });
      default: {
        const unknown: never = mode;
        throw new Error(`unknown evaluation mode: ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** The classifier's label and confidence at every pixel of the slice, on its own. */
  async evaluate(
    classifier: Classifier,
    mode: EvaluationMode = { kind: 'full' },
    previous?: PreviousFrame,
    frame = 0,
  ): Promise<PixelEvaluation> {
    const batch = new ModelBatch(classifier, 1, this.batchSize);
    return batch.join(() => this.evaluateIn(batch, mode, previous, frame));
  }

  /**
   * The images along a→b, b→c and c→a, `samples` per segment (segmentPoints), made once and kept
   * on the backend: a slice's points never change.
   */
  profileImages(points: SlicePointVectors, samples: number): tf.Tensor4D {
    if (this.profile?.samples !== samples) {
      this.profile?.images.dispose();
      const { a, b, c } = points;
      const all = [...segmentPoints(a, b, samples), ...segmentPoints(b, c, samples), ...segmentPoints(c, a, samples)];
      const flat = new Float32Array(all.length * this.geometry.d);
      all.forEach((p, i) => flat.set(p, i * this.geometry.d));
      this.profile = { samples, images: tf.tensor4d(flat, [all.length, ...this.imageShape]) };
    }
    return this.profile.images;
  }

  /** Frees the tensors this evaluator keeps on the backend. */
  dispose(): void {
    tf.dispose([this.basis, this.origin]);
    this.feasibleCoords?.dispose();
    this.profile?.images.dispose();
  }
}

/** A slice's three points, each a vector of length d. */
export interface SlicePointVectors {
  a: ArrayLike<number>;
  b: ArrayLike<number>;
  c: ArrayLike<number>;
}

/** What a frame needs of the slice's previous frame. */
export type PreviousFrame = Pick<Frame, 'labels' | 'confidence' | 'confidenceAge'> & {
  metrics?: Pick<FrameMetrics, 'flipped'>;
};

/** One slice's part of a step: its evaluator, its points and, for temporal mode, its previous frame. */
export interface FrameRequest {
  evaluator: SliceEvaluator;
  points: SlicePointVectors;
  /** The slice's previous frame: flips are counted against it, and temporal mode starts from it. */
  previous?: PreviousFrame;
  /** Evaluate this frame afresh (full or adaptive) even in temporal mode: a key frame. */
  refresh?: boolean;
}

/** What every frame of a step shares. */
export interface FrameOptions {
  mode: EvaluationMode;
  classes: number;
  /** Samples per segment of the profiles (32). */
  profileSamples?: number;
  /** The recorded frame's number, which rotates temporal mode's lattice and seeds its sample. */
  frame?: number;
  /** Images per classifier call (512). */
  chunk?: number;
}

/**
 * The frames of several slices on one model state, all evaluated together: each round of every
 * slice's pixels (the whole slice, the adaptive levels, or the temporal rounds) and the profile
 * points go through the classifier in one batch with one read-back (ModelBatch). Each frame has
 * the probabilities at a, b, c (the first sample of each profile segment), the profiles, and the
 * metrics, flips counted against the previous frame.
 */
export async function evaluateFrames(
  classifier: Classifier,
  requests: FrameRequest[],
  options: FrameOptions,
): Promise<Frame[]> {
  const samples = options.profileSamples ?? 32;
  const batch = new ModelBatch(classifier, 2 * requests.length, options.chunk ?? 512);
  return Promise.all(
    requests.map(async ({ evaluator, points, previous, refresh }) => {
      const profileImages = evaluator.profileImages(points, samples);
      const [pixels, profiles] = await Promise.all([
        batch.join(() => evaluator.evaluateIn(batch, options.mode, refresh ? undefined : previous, options.frame ?? 0)),
        batch.join(() => batch.probabilities(3 * samples, () => profileImages)),
      ]);
      const { width, height } = evaluator.geometry;
      const { classes } = options;
      const pointProbabilities = new Float32Array(3 * classes);
      for (let k = 0; k < 3; k++)
        pointProbabilities.set(profiles.subarray(k * samples * classes, (k * samples + 1) * classes), k * classes);
      const temporal = options.mode.kind === 'temporal' && !refresh && previous !== undefined;
      return {
        width,
        height,
        labels: pixels.labels,
        confidence: pixels.confidence,
        classes,
        pointProbabilities,
        profileSamples: samples,
        profiles: profiles.slice(),
        metrics: frameMetrics(pixels.labels, width, height, classes, previous?.labels),
        evaluated: pixels.evaluated,
        confidenceAge: temporal ? (previous.confidenceAge ?? 0) + 1 : 0,
      };
    }),
  );
}

/**
 * One frame of one slice (see evaluateFrames), flips counted against `previous` labels when
 * given; temporal mode, having no previous frame here, evaluates adaptively.
 */
export async function evaluateFrame(
  evaluator: SliceEvaluator,
  classifier: Classifier,
  points: SlicePointVectors,
  options: { mode?: EvaluationMode; profileSamples?: number; classes: number; previous?: Uint8Array },
): Promise<Frame> {
  const labels = options.previous;
  const previous = labels && { labels, confidence: new Uint8Array(labels.length) };
  const [frame] = await evaluateFrames(
    classifier,
    [{ evaluator, points, refresh: true, ...(previous && { previous }) }],
    {
      mode: options.mode ?? { kind: 'full' },
      classes: options.classes,
      chunk: evaluator.batchSize,
      ...(options.profileSamples === undefined ? {} : { profileSamples: options.profileSamples }),
    },
  );
  return frame!;
}
