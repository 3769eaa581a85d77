import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../trainer/models/classifier.js';
import type { SliceGeometry } from '../slices/geometry.js';
import { pixelToPlane } from '../slices/geometry.js';
import { segmentPoints, type Frame } from '../slices/frame.js';
import { frameMetrics } from '../slices/metrics.js';

/** Label of a pixel outside the hypercube (Definition 2's infeasible points). */
export const INFEASIBLE = 255;

/**
 * How a frame's pixels are evaluated: `full` runs the model on every feasible pixel; `adaptive`
 * runs it on a lattice of spacing `coarse` (a power of two) and refines, halving the spacing,
 * only cells whose corners disagree, are infeasible or fall outside the grid; a cell whose four
 * corners agree takes their label. `coarse` is the knob against missing small islands.
 */
export type EvaluationMode = { kind: 'full' } | { kind: 'adaptive'; coarse: number };

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
 * Evaluates a classifier on one slice, again and again (once per training step): the slice's
 * basis and its feasible pixels' plane coordinates stay on the backend between calls, and each
 * batch of images is made there as coords · [u; w] + a, so nothing of size d crosses to JavaScript.
 */
export class SliceEvaluator {
  private readonly basis: tf.Tensor2D;
  private readonly origin: tf.Tensor2D;
  private readonly feasiblePixels: Int32Array;
  private feasibleCoords: tf.Tensor2D | undefined;

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
    return tf.tidy(() =>
      tf
        .clipByValue(tf.add(tf.matMul(coords, this.basis), this.origin), 0, 1)
        .reshape([coords.shape[0], ...this.imageShape]),
    ) as tf.Tensor4D;
  }

  /** Classes and top probabilities of the classifier at the given plane coordinates, in batches. */
  private async classify(
    classifier: Classifier,
    coords: tf.Tensor2D,
  ): Promise<{ labels: Int32Array; top: Float32Array }> {
    const n = coords.shape[0];
    const labels = new Int32Array(n);
    const top = new Float32Array(n);
    for (let start = 0; start < n; start += this.batchSize) {
      const size = Math.min(this.batchSize, n - start);
      const [classes, probabilities] = tf.tidy(() => {
        const p = tf.softmax(classifier.logits(this.images(coords.slice([start, 0], [size, 2]))));
        return [tf.argMax(p, -1), tf.max(p, -1)];
      });
      labels.set(await classes!.data(), start);
      top.set(await probabilities!.data(), start);
      tf.dispose([classes!, probabilities!]);
    }
    return { labels, top };
  }

  /** Runs the classifier on the listed pixels and writes their label and confidence. */
  private async evaluatePixels(
    classifier: Classifier,
    pixels: ArrayLike<number>,
    out: PixelEvaluation,
    cached?: tf.Tensor2D,
  ): Promise<void> {
    if (pixels.length === 0) return;
    const coords = cached ?? tf.tensor2d(this.coordsOf(pixels), [pixels.length, 2]);
    const { labels, top } = await this.classify(classifier, coords);
    if (!cached) coords.dispose();
    for (let k = 0; k < pixels.length; k++) {
      out.labels[pixels[k]!] = labels[k]!;
      out.confidence[pixels[k]!] = Math.round(top[k]! * 255);
    }
    out.evaluated += pixels.length;
  }

  /** The classifier's label and confidence at every pixel of the slice. */
  async evaluate(classifier: Classifier, mode: EvaluationMode = { kind: 'full' }): Promise<PixelEvaluation> {
    const { width, height } = this.geometry;
    const out: PixelEvaluation = {
      labels: new Uint8Array(width * height).fill(INFEASIBLE),
      confidence: new Uint8Array(width * height),
      evaluated: 0,
    };
    if (mode.kind === 'full') {
      this.feasibleCoords ??= tf.tensor2d(this.coordsOf(this.feasiblePixels), [this.feasiblePixels.length, 2]);
      await this.evaluatePixels(classifier, this.feasiblePixels, out, this.feasibleCoords);
      return out;
    }
    await this.refine(classifier, mode.coarse, out);
    return out;
  }

  /** Adaptive mode: coarse lattice, then halving refinement of undecided cells; see EvaluationMode. */
  private async refine(classifier: Classifier, coarse: number, out: PixelEvaluation): Promise<void> {
    if (!Number.isInteger(Math.log2(coarse)) || coarse < 1) {
      throw new RangeError(`expected coarse spacing to be a power of two, received ${coarse}`);
    }
    const { width, height, feasible } = this.geometry;
    const known = new Uint8Array(width * height);
    const pending = new Set<number>();
    const want = (x: number, y: number) => {
      if (x >= width || y >= height) return;
      const p = y * width + x;
      if (feasible[p] && !known[p]) pending.add(p);
    };
    const flush = async () => {
      const pixels = Int32Array.from(pending);
      pending.clear();
      await this.evaluatePixels(classifier, pixels, out);
      for (const p of pixels) known[p] = 1;
    };
    for (let y = 0; y < height; y += coarse) for (let x = 0; x < width; x += coarse) want(x, y);
    await flush();
    // Cells (x0, y0, size) still to decide at the current spacing.
    let cells: [number, number][] = [];
    for (let y = 0; y < height; y += coarse) for (let x = 0; x < width; x += coarse) cells.push([x, y]);
    for (let size = coarse; size >= 1 && cells.length > 0; size /= 2) {
      const undecided: [number, number][] = [];
      for (const [x0, y0] of cells) {
        const x1 = x0 + size;
        const y1 = y0 + size;
        const corners = [y0 * width + x0, y0 * width + x1, y1 * width + x0, y1 * width + x1];
        const inside = x1 < width && y1 < height && corners.every((p) => feasible[p] && known[p]);
        const label = out.labels[corners[0]!]!;
        if (size > 1 && inside && corners.every((p) => out.labels[p] === label)) {
          this.fillCell(out, x0, y0, size, corners, known);
        } else {
          undecided.push([x0, y0]);
        }
      }
      if (size === 1) {
        for (const [x0, y0] of undecided)
          for (const [dx, dy] of [
            [0, 0],
            [1, 0],
            [0, 1],
            [1, 1],
          ] as const)
            want(x0 + dx, y0 + dy);
        await flush();
        break;
      }
      const half = size / 2;
      cells = [];
      for (const [x0, y0] of undecided) {
        for (const [dx, dy] of [
          [0, 0],
          [half, 0],
          [0, half],
          [half, half],
        ] as const) {
          cells.push([x0 + dx, y0 + dy]);
          for (const [ex, ey] of [
            [0, 0],
            [half, 0],
            [0, half],
            [half, half],
          ] as const)
            want(x0 + dx + ex, y0 + dy + ey);
        }
        want(x0 + size, y0 + half);
        want(x0 + half, y0 + size);
        want(x0 + size, y0 + size);
      }
      await flush();
    }
  }

  /** Gives a uniform cell's unevaluated pixels its label and bilinear confidence of its corners. */
  private fillCell(
    out: PixelEvaluation,
    x0: number,
    y0: number,
    size: number,
    corners: number[],
    known: Uint8Array,
  ): void {
    const { width } = this.geometry;
    const [c00, c10, c01, c11] = corners.map((p) => out.confidence[p]!) as [number, number, number, number];
    const label = out.labels[corners[0]!]!;
    for (let y = y0; y <= y0 + size; y++) {
      for (let x = x0; x <= x0 + size; x++) {
        const p = y * width + x;
        if (known[p]) continue;
        const fx = (x - x0) / size;
        const fy = (y - y0) / size;
        out.labels[p] = label;
        out.confidence[p] = Math.round((1 - fy) * ((1 - fx) * c00 + fx * c10) + fy * ((1 - fx) * c01 + fx * c11));
        known[p] = 1;
      }
    }
  }

  /** Frees the tensors this evaluator keeps on the backend. */
  dispose(): void {
    tf.dispose([this.basis, this.origin]);
    this.feasibleCoords?.dispose();
  }
}

/** Class probabilities of the classifier at input-space points (each of length d), [n × classes]. */
export async function probabilitiesAt(
  classifier: Classifier,
  points: ArrayLike<number>[],
  imageShape: readonly [number, number, number],
): Promise<Float32Array> {
  const d = imageShape[0] * imageShape[1] * imageShape[2];
  const flat = new Float32Array(points.length * d);
  points.forEach((p, i) => flat.set(Array.from(p), i * d));
  const p = tf.tidy(() => tf.softmax(classifier.logits(tf.tensor4d(flat, [points.length, ...imageShape]))));
  const out = (await p.data()) as Float32Array;
  p.dispose();
  return out;
}

/**
 * One frame: the pixels (full or adaptive), the probabilities at a, b and c, the profiles along
 * a→b, b→c and c→a, and the metrics (flips counted against `previous` labels when given).
 */
export async function evaluateFrame(
  evaluator: SliceEvaluator,
  classifier: Classifier,
  points: { a: ArrayLike<number>; b: ArrayLike<number>; c: ArrayLike<number> },
  options: { mode?: EvaluationMode; profileSamples?: number; classes: number; previous?: Uint8Array },
): Promise<Frame> {
  const { width, height } = evaluator.geometry;
  const samples = options.profileSamples ?? 32;
  const pixels = await evaluator.evaluate(classifier, options.mode);
  const { a, b, c } = points;
  const shape = evaluator.imageShape;
  const pointProbabilities = await probabilitiesAt(classifier, [a, b, c], shape);
  const profiles = await probabilitiesAt(
    classifier,
    [...segmentPoints(a, b, samples), ...segmentPoints(b, c, samples), ...segmentPoints(c, a, samples)],
    shape,
  );
  return {
    width,
    height,
    labels: pixels.labels,
    confidence: pixels.confidence,
    classes: options.classes,
    pointProbabilities,
    profileSamples: samples,
    profiles,
    metrics: frameMetrics(pixels.labels, width, height, options.classes, options.previous),
    evaluated: pixels.evaluated,
  };
}
