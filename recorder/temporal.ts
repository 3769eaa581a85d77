import type { SliceGeometry } from '../slices/geometry.js';
import { argMax, emptyEvaluation, type PixelEvaluation, type PixelSource } from './pixel-evaluation.js';

/** How temporal evaluation predicts a frame from the slice's previous one and checks the prediction. */
export interface TemporalSettings {
  /** Probe lattice nodes along the slice's longer side (spacing = longer side / lattice). */
  lattice: number;
  /**
   * Safety factor on the fit's residuals: each frame a pixel's uncertainty grows by kappa times
   * the worst residual of the probes in its lattice cell and the eight around it.
   */
  kappa: number;
}

/** Coefficients of the quadratic field fitted per class: 1, x, y, x², xy, y². */
const TERMS = 6;

/**
 * The probe pixels a temporal frame evaluates first: the nodes of a lattice of spacing
 * round(longer side / lattice) (its last row and column on the grid's last row and column),
 * plus the first and last feasible pixel of every lattice row and column, so that the change
 * fitted from them is interpolated, not extrapolated, up to the edges of the feasible polygon.
 * Feasible pixels only; sorted, without repeats.
 */
export function probePixels(
  geometry: Pick<SliceGeometry, 'width' | 'height' | 'feasible'>,
  lattice: number,
): Int32Array {
  const { width, height, feasible } = geometry;
  const spacing = latticeSpacing(width, height, lattice);
  const lines = (n: number) => {
    const at: number[] = [];
    for (let v = 0; v < n; v += spacing) at.push(v);
    if (at.at(-1) !== n - 1) at.push(n - 1);
    return at;
  };
  const chosen = new Set<number>();
  const ends = (pixels: number[]) => {
    const inside = pixels.filter((p) => feasible[p]);
    if (inside.length > 0) chosen.add(inside[0]!).add(inside.at(-1)!);
  };
  const columns = lines(width);
  for (const y of lines(height)) {
    for (const x of columns) if (feasible[y * width + x]) chosen.add(y * width + x);
    ends(Array.from({ length: width }, (_, x) => y * width + x));
  }
  for (const x of columns) ends(Array.from({ length: height }, (_, y) => y * width + x));
  return Int32Array.from([...chosen].sort((p, q) => p - q));
}

/** Pixels between probe lattice lines: `lattice` lines along the longer side. */
function latticeSpacing(width: number, height: number, lattice: number): number {
  return Math.max(1, Math.round(Math.max(width, height) / lattice));
}

/** The quadratic terms at pixel p, its coordinates scaled to [−½, ½]. */
function termsAt(p: number, width: number, height: number, out: Float64Array, offset = 0): void {
  const x = ((p % width) + 0.5) / width - 0.5;
  const y = (Math.floor(p / width) + 0.5) / height - 0.5;
  out[offset] = 1;
  out[offset + 1] = x;
  out[offset + 2] = y;
  out[offset + 3] = x * x;
  out[offset + 4] = x * y;
  out[offset + 5] = y * y;
}

/**
 * Least-squares fit of one quadratic field per class to `change` [points × classes] sampled at
 * `pixels`: coefficients [classes × 6], and each point's residual (and the largest), measured as
 * the spread (largest minus smallest) of the point's residuals over the classes, which bounds how far
 * the fit can be off on the difference of any two classes' log-probabilities there. A small ridge
 * keeps the normal equations solvable when the points are nearly collinear.
 */
export function fitChange(
  pixels: Int32Array,
  change: Float32Array,
  classes: number,
  width: number,
  height: number,
): { coefficients: Float64Array; residuals: Float64Array; residual: number } {
  const m = pixels.length;
  const terms = new Float64Array(m * TERMS);
  pixels.forEach((p, i) => termsAt(p, width, height, terms, i * TERMS));
  const normal = new Float64Array(TERMS * TERMS);
  for (let i = 0; i < m; i++)
    for (let a = 0; a < TERMS; a++)
      for (let b = 0; b < TERMS; b++) normal[a * TERMS + b]! += terms[i * TERMS + a]! * terms[i * TERMS + b]!;
  const ridge = 1e-9 * (normal[0]! + 1);
  for (let a = 0; a < TERMS; a++) normal[a * TERMS + a]! += ridge;
  const coefficients = new Float64Array(classes * TERMS);
  for (let c = 0; c < classes; c++) {
    const rhs = new Float64Array(TERMS);
    for (let i = 0; i < m; i++)
      for (let a = 0; a < TERMS; a++) rhs[a]! += terms[i * TERMS + a]! * change[i * classes + c]!;
    coefficients.set(solveSymmetric(normal, rhs), c * TERMS);
  }
  const residuals = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let low = Infinity;
    let high = -Infinity;
    for (let c = 0; c < classes; c++) {
      let fitted = 0;
      for (let a = 0; a < TERMS; a++) fitted += coefficients[c * TERMS + a]! * terms[i * TERMS + a]!;
      const r = change[i * classes + c]! - fitted;
      low = Math.min(low, r);
      high = Math.max(high, r);
    }
    residuals[i] = high - low;
  }
  return { coefficients, residuals, residual: Math.max(0, ...residuals) };
}

/** Solves the symmetric positive definite system A x = b (n × n, row-major) by Cholesky. */
function solveSymmetric(a: Float64Array, b: Float64Array): Float64Array {
  const n = b.length;
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-300)) : sum / l[j * n + j]!;
    }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * y[k]!;
    y[i] = sum / l[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * x[k]!;
    x[i] = sum / l[i * n + i]!;
  }
  return x;
}

/**
 * Each pixel's share of the fit's error: the worst residual of the probes in its lattice cell
 * (`spacing` pixels square) and the eight cells around it, or of all probes where none is near.
 */
export function localResiduals(
  probes: Int32Array,
  residuals: Float64Array,
  width: number,
  height: number,
  spacing: number,
): Float32Array {
  const across = Math.ceil(width / spacing);
  const down = Math.ceil(height / spacing);
  const cellOf = (p: number) =>
    Math.floor(Math.floor(p / width) / spacing) * across + Math.floor((p % width) / spacing);
  const cell = new Float64Array(across * down).fill(-1);
  probes.forEach((p, i) => {
    cell[cellOf(p)] = Math.max(cell[cellOf(p)]!, residuals[i]!);
  });
  const worst = Math.max(0, ...residuals);
  const near = Float64Array.from({ length: across * down }, (_, c) => {
    const [cx, cy] = [c % across, Math.floor(c / across)];
    let r = -1;
    for (let y = Math.max(0, cy - 1); y <= Math.min(down - 1, cy + 1); y++)
      for (let x = Math.max(0, cx - 1); x <= Math.min(across - 1, cx + 1); x++) r = Math.max(r, cell[y * across + x]!);
    return r < 0 ? worst : r;
  });
  return Float32Array.from({ length: width * height }, (_, p) => near[cellOf(p)]!);
}

/**
 * Temporal evaluation of one slice, frame after frame (a predictor–corrector in the spirit of
 * level-set narrow bands). It keeps, for every feasible pixel, the class log-probabilities it last
 * knew (evaluated or predicted) and how far they may be off. Each frame it
 *
 * 1. evaluates the probe pixels (probePixels) and fits, per class, a quadratic field over the
 *    slice to the change of their log-probabilities since the previous frame (fitChange): one
 *    training step moves the model's output smoothly across a slice, so a few dozen probes
 *    predict it at every pixel to within a few hundredths, where the change itself is of order one;
 * 2. adds the fitted change to every other pixel's log-probabilities and `kappa` times the fit's
 *    worst residual at the probes near it (localResiduals) to its uncertainty;
 * 3. evaluates every pixel whose predicted margin (top class minus runner-up) is within its
 *    uncertainty — only those can have changed class unseen — and takes the predicted label for
 *    the rest;
 * 4. then, round after round with doubling reach (1, 2, 4, … pixels), the unchecked neighbours of
 *    every evaluated pixel whose class changed against both the previous frame and the
 *    prediction: a surprise says the prediction was wrong nearby.
 *
 * An evaluated pixel's uncertainty returns to zero. A pixel's confidence changes only with its
 * class (evaluated or predicted), so that a frame differs from the previous one only where the
 * picture's classes do and stores in a few hundred bytes; `refresh` evaluates every feasible
 * pixel and its confidence, as the first frame and periodic ones must: errors cannot accumulate
 * past one.
 */
export class TemporalTracker {
  /** Class log-probabilities of every pixel, [pixels × classes]; allocated by the first refresh. */
  private logProbabilities = new Float32Array(0);
  private classes = 0;
  private readonly uncertainty: Float32Array;
  private readonly current: PixelEvaluation;
  private readonly probes: Int32Array;
  private readonly feasiblePixels: Int32Array;
  private primed = false;

  constructor(
    private readonly geometry: Pick<SliceGeometry, 'width' | 'height' | 'feasible'>,
    private readonly settings: TemporalSettings,
  ) {
    const n = geometry.width * geometry.height;
    this.uncertainty = new Float32Array(n);
    this.current = emptyEvaluation(n);
    this.probes = probePixels(geometry, settings.lattice);
    const pixels: number[] = [];
    geometry.feasible.forEach((f, p) => {
      if (f) pixels.push(p);
    });
    this.feasiblePixels = Int32Array.from(pixels);
  }

  /** Evaluates every feasible pixel afresh. */
  async refresh(source: PixelSource): Promise<PixelEvaluation> {
    const out = emptyEvaluation(this.current.labels.length);
    const evaluated = await source(this.feasiblePixels, out);
    this.classes = evaluated.length / Math.max(1, this.feasiblePixels.length);
    if (this.logProbabilities.length !== this.current.labels.length * this.classes)
      this.logProbabilities = new Float32Array(this.current.labels.length * this.classes);
    this.take(this.feasiblePixels, evaluated);
    this.primed = true;
    return this.snapshot(out.evaluated);
  }

  /** The next frame, predicted from the previous one and checked (see the class comment). */
  async advance(source: PixelSource): Promise<PixelEvaluation> {
    // Too few probes to fit a quadratic (a tiny slice): every pixel.
    if (!this.primed || this.probes.length < 2 * TERMS) return this.refresh(source);
    const { width, height, feasible } = this.geometry;
    const { classes, logProbabilities: known } = this;
    const scratch = emptyEvaluation(this.current.labels.length);
    const previous = this.current.labels.slice();
    const checked = new Uint8Array(previous.length);

    const probed = await source(this.probes, scratch);
    const change = new Float32Array(probed.length);
    this.probes.forEach((p, i) => {
      checked[p] = 1;
      for (let c = 0; c < classes; c++) change[i * classes + c] = probed[i * classes + c]! - known[p * classes + c]!;
    });
    // A probe that changed class is a surprise: nothing predicted it.
    const predicted = previous.slice();
    const surprises: number[] = [];
    this.take(this.probes, probed, { previous, predicted, surprises });
    const fit = fitChange(this.probes, change, classes, width, height);
    const spacing = latticeSpacing(width, height, this.settings.lattice);
    const near = localResiduals(this.probes, fit.residuals, width, height, spacing);
    let round = this.predict(fit.coefficients, near, checked, previous, predicted);
    for (let reach = 1; round.length > 0; reach *= 2) {
      this.take(round, await source(round, scratch), { previous, predicted, surprises });
      const next: number[] = [];
      for (const p of surprises) {
        const x = p % width;
        const y = (p - x) / width;
        for (let qy = Math.max(0, y - reach); qy <= Math.min(height - 1, y + reach); qy++)
          for (let qx = Math.max(0, x - reach); qx <= Math.min(width - 1, x + reach); qx++) {
            const q = qy * width + qx;
            if (!feasible[q] || checked[q]) continue;
            checked[q] = 1;
            next.push(q);
          }
      }
      surprises.length = 0;
      round = Int32Array.from(next);
    }
    return this.snapshot(scratch.evaluated);
  }

  /**
   * Adds the fitted change to every unchecked feasible pixel's log-probabilities and `kappa` times
   * its `near` residual to its uncertainty, writes its predicted class into `predicted`, and
   * returns (and marks checked) the pixels whose predicted margin is within their uncertainty;
   * the others take the predicted class (and, where it changed, the predicted confidence).
   */
  private predict(
    coefficients: Float64Array,
    near: Float32Array,
    checked: Uint8Array,
    previous: Uint8Array,
    predicted: Uint8Array,
  ): Int32Array {
    const { width, height } = this.geometry;
    const { classes, logProbabilities: known } = this;
    const terms = new Float64Array(TERMS);
    const candidates: number[] = [];
    for (const p of this.feasiblePixels) {
      if (checked[p]) continue;
      termsAt(p, width, height, terms);
      for (let c = 0; c < classes; c++) {
        let shift = 0;
        for (let a = 0; a < TERMS; a++) shift += coefficients[c * TERMS + a]! * terms[a]!;
        known[p * classes + c]! += shift;
      }
      this.uncertainty[p]! += this.settings.kappa * near[p]!;
      const top = argMax(known, p * classes, classes);
      predicted[p] = top;
      let second = -Infinity;
      for (let c = 0; c < classes; c++) if (c !== top) second = Math.max(second, known[p * classes + c]!);
      if (known[p * classes + top]! - second <= this.uncertainty[p]!) {
        checked[p] = 1;
        candidates.push(p);
      } else if (top !== previous[p]) {
        this.current.labels[p] = top;
        this.current.confidence[p] = Math.round(Math.exp(known[p * classes + top]!) * 255);
      }
    }
    return Int32Array.from(candidates);
  }

  /**
   * Stores evaluated log-probabilities of `pixels` (uncertainty zero), and their label and
   * confidence where the class differs from `check.previous` (everywhere without it); adds to
   * `check.surprises` the pixels whose new class differs from both the previous and the predicted.
   */
  private take(
    pixels: Int32Array,
    evaluated: Float32Array,
    check?: { previous: Uint8Array; predicted: Uint8Array; surprises: number[] },
  ): void {
    const { classes } = this;
    pixels.forEach((p, i) => {
      this.logProbabilities.set(evaluated.subarray(i * classes, (i + 1) * classes), p * classes);
      this.uncertainty[p] = 0;
      const top = argMax(evaluated, i * classes, classes);
      if (check && top !== check.previous[p] && top !== check.predicted[p]) check.surprises.push(p);
      if (check && top === check.previous[p]) return;
      this.current.labels[p] = top;
      this.current.confidence[p] = Math.round(Math.exp(evaluated[i * classes + top]!) * 255);
    });
  }

  /** A copy of the current frame's pixels, `evaluated` of them run through the model. */
  private snapshot(evaluated: number): PixelEvaluation {
    return { labels: this.current.labels.slice(), confidence: this.current.confidence.slice(), evaluated };
  }
}
