import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../trainer/models/classifier.js';
import type { SliceGeometry } from '../slices/geometry.js';
import { pixelToPlane, pointToPlane } from '../slices/geometry.js';
import { segmentPoints, type Frame } from '../slices/frame.js';
import { frameMetrics } from '../slices/metrics.js';
import { evaluateAdaptive } from './adaptive.js';
import { ModelBatch, type ImageRange } from './model-batch.js';
import { emptyEvaluation, writeDecisions, type PixelEvaluation, type PixelSource } from './pixel-evaluation.js';
import { TemporalTracker, type TemporalSettings } from './temporal.js';
import { planeNetworkOf, SlicePlane, type PlaneNetwork } from './plane-cnn.js';
import { walkOrder } from './walk-order.js';

export { INFEASIBLE, type PixelEvaluation } from './pixel-evaluation.js';

/**
 * How a frame's pixels are evaluated: `full` runs the model on every feasible pixel; `adaptive`
 * on a lattice of spacing `coarse` refined where labels differ (evaluateAdaptive); `temporal`
 * predicts the frame from the slice's previous one and evaluates only the pixels whose class the
 * prediction cannot vouch for (TemporalTracker), with every feasible pixel evaluated on the first
 * frame and on every `every`-th, and the profiles evaluated on every `profileEvery`-th frame
 * (carried over in between, their age stored with the frame).
 */
export type EvaluationMode =
  | { kind: 'full' }
  | { kind: 'adaptive'; coarse: number }
  | ({ kind: 'temporal'; every: number; profileEvery: number } & TemporalSettings);

/**
 * Temporal mode's settings: probes on a lattice of 5 along the longer side (and the feasible
 * polygon's edges), 1.75 times the worst residual of the probes near a pixel as its uncertainty's
 * growth per frame, every pixel evaluated every 64th frame, the profiles every 4th. Chosen on whole
 * recorded runs against full evaluation (BENCHMARKS.md, issue 16). The lattice went from 8 to 5,
 * and κ from 1.5 to 1.75, when the probes came to be walked (a probe then costs about its
 * spacing's length of walk): on the recorded runs 3% more pixels evaluated, none of them wrong.
 */
export const TEMPORAL_DEFAULTS = {
  kind: 'temporal',
  every: 64,
  profileEvery: 4,
  lattice: 5,
  kappa: 1.75,
} as const satisfies EvaluationMode;

/** The evaluation a mode's name stands for: adaptive from a lattice of spacing `coarse`, temporal as TEMPORAL_DEFAULTS. */
export function evaluationModeNamed(name: EvaluationMode['kind'], coarse = 4): EvaluationMode {
  if (name === 'temporal') return TEMPORAL_DEFAULTS;
  return name === 'full' ? { kind: 'full' } : { kind: 'adaptive', coarse };
}

/** The backends on which a CNN's plane form (recorder/plane-cnn.ts) beats running its images. */
const PLANE_FORM_BACKENDS = new Set(['wasm', 'cpu']);

/**
 * Evaluates a classifier on one slice, again and again (once per training step): the slice's
 * basis stays on the backend between calls, and each chunk of images is made there from its
 * pixels' plane coordinates as coords · [u; w] + a, so nothing of size d crosses from JavaScript.
 * On the CPU backends, the pixels that adaptive and temporal evaluation choose, and the profiles'
 * points, are evaluated through the network's plane form instead when it has one (the MNIST CNN;
 * `planeForm: false` turns it off): a walk from point to point that costs a fraction of an image
 * each.
 */
export class SliceEvaluator {
  private readonly basis: tf.Tensor2D;
  private readonly origin: tf.Tensor2D;
  private readonly feasiblePixels: Int32Array;
  private feasibleCoords: Float32Array | undefined;
  private profile: { samples: number; images: tf.Tensor2D } | undefined;
  private temporal: { settings: TemporalSettings; tracker: TemporalTracker } | undefined;
  private plane: Promise<SlicePlane> | undefined;
  /** The plane form loaded for a batch (a model state), shared by the batch's pixel and profile walks. */
  private loaded: { batch: ModelBatch; plane: Promise<LoadedPlane | undefined> } | undefined;
  private profileCoords: { samples: number; coords: Float32Array } | undefined;

  /**
   * @param batchSize images per classifier call when the evaluator runs on its own.
   * @param planeForm whether chosen pixels may be evaluated through the network's plane form.
   */
  constructor(
    readonly geometry: SliceGeometry,
    readonly imageShape: readonly [number, number, number],
    readonly batchSize = 256,
    readonly planeForm = true,
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

  /**
   * Images a + s·u + t·w for plane coordinates [n, 2] (interleaved), pairs `start` to
   * `start + count − 1`, clipped to [0,1] against rounding.
   */
  private images(coords: Float32Array, start: number, count: number): tf.Tensor4D {
    const range = tf.tensor2d(coords.subarray(2 * start, 2 * (start + count)), [count, 2]);
    return tf.clipByValue(tf.add(tf.matMul(range, this.basis), this.origin), 0, 1).reshape([count, ...this.imageShape]);
  }

  /** The model's decisions at listed pixels, through `batch`. */
  private source(batch: ModelBatch): PixelSource {
    return async (pixels, out) => {
      const coords = this.coordsOf(pixels);
      const logProbabilities = await batch.logProbabilities(pixels.length, (start, count) =>
        this.images(coords, start, count),
      );
      writeDecisions(out, pixels, logProbabilities);
      return logProbabilities;
    };
  }

  /**
   * The slice's plane form with the weights of `batch`'s model, loaded once per batch (one model
   * state) for its pixels and its profile; undefined when the plane form does not apply.
   */
  private loadedPlane(batch: ModelBatch): Promise<LoadedPlane | undefined> {
    if (this.loaded?.batch !== batch)
      this.loaded = {
        batch,
        plane: (async () => {
          const model = this.planeForm && PLANE_FORM_BACKENDS.has(tf.getBackend()) && batch.classifier.model;
          const network = model ? planeNetworkOf(model) : undefined;
          if (!network) return undefined;
          const plane = await (this.plane ??= SlicePlane.create(this.geometry, this.imageShape));
          plane.load(network);
          return { plane, network };
        })(),
      };
    return this.loaded.plane;
  }

  /** Log-probabilities of plane points walked in order (region `slot` of the walks), through the network's head in `batch`. */
  private async walked(
    batch: ModelBatch,
    { plane, network }: LoadedPlane,
    coords: Float32Array,
    slot: number,
  ): Promise<Float32Array> {
    const features = await plane.features(coords, slot);
    return batch.logProbabilities(
      coords.length / 2,
      (start, count) => featureTensor(network, features, start, count),
      network.head,
    );
  }

  /**
   * The model's decisions at listed pixels through its plane form: the pixels walked nearest
   * first (walkOrder), from where the previous round's walk ended. Undefined when the plane form
   * does not apply.
   */
  private async planeSource(batch: ModelBatch): Promise<PixelSource | undefined> {
    const loaded = await this.loadedPlane(batch);
    if (!loaded) return undefined;
    let at: number | undefined;
    return async (pixels, out) => {
      const walk = walkOrder(pixels, this.geometry.width, this.geometry.height, at);
      at = walk[walk.length - 1] ?? at;
      const walked = await this.walked(batch, loaded, this.coordsOf(walk), 0);
      writeDecisions(out, walk, walked);
      return inOrderOf(pixels, walk, walked);
    };
  }

  /**
   * The pixels of one frame, with the classifier calls going through `batch` (shared with other
   * slices of the same step). Temporal mode predicts from this evaluator's previous temporal
   * frame unless `fresh` (or there is none), when it evaluates every feasible pixel.
   */
  async evaluateIn(batch: ModelBatch, mode: EvaluationMode, fresh = false): Promise<PixelEvaluation> {
    switch (mode.kind) {
      case 'full': {
        const out = emptyEvaluation(this.geometry.width * this.geometry.height);
        const coords = (this.feasibleCoords ??= this.coordsOf(this.feasiblePixels));
        writeDecisions(
          out,
          this.feasiblePixels,
          await batch.logProbabilities(this.feasiblePixels.length, (start, count) => this.images(coords, start, count)),
        );
        return out;
      }
      case 'adaptive':
        return evaluateAdaptive(this.geometry, (await this.planeSource(batch)) ?? this.source(batch), mode.coarse);
      case 'temporal': {
        const settings = { lattice: mode.lattice, kappa: mode.kappa };
        if (JSON.stringify(this.temporal?.settings) !== JSON.stringify(settings))
          this.temporal = { settings, tracker: new TemporalTracker(this.geometry, settings) };
        const { tracker } = this.temporal!;
        const source = (await this.planeSource(batch)) ?? this.source(batch);
        return fresh ? tracker.refresh(source) : tracker.advance(source);
      }
      default: {
        const unknown: never = mode;
        throw new Error(`unknown evaluation mode: ${JSON.stringify(unknown)}`);
      }
    }
  }

  /**
   * The classifier's label and confidence at every pixel of the slice, on its own (temporal mode
   * predicting from this evaluator's previous call unless `fresh`).
   */
  async evaluate(
    classifier: Classifier,
    mode: EvaluationMode = { kind: 'full' },
    fresh = false,
  ): Promise<PixelEvaluation> {
    const batch = new ModelBatch(classifier, 1, this.batchSize);
    return batch.join(() => this.evaluateIn(batch, mode, fresh));
  }

  /**
   * Class log-probabilities [3·samples × classes] along a→b, b→c and c→a, `samples` per segment
   * (segmentPoints), through `batch`: walked in the plane form where it applies (the three points
   * lie in the slice's plane), else run as images.
   */
  async profileIn(batch: ModelBatch, points: SlicePointVectors, samples: number): Promise<Float32Array> {
    const loaded = await this.loadedPlane(batch);
    if (!loaded) return batch.logProbabilities(3 * samples, this.profileImages(points, samples));
    if (this.profileCoords?.samples !== samples) {
      const [a, b, c] = [points.a, points.b, points.c].map((p) => pointToPlane(this.geometry, p));
      this.profileCoords = { samples, coords: flat(alongProfiles({ a: a!, b: b!, c: c! }, samples), 2) };
    }
    return this.walked(batch, loaded, this.profileCoords.coords, 1);
  }

  /**
   * The images along a→b, b→c and c→a, `samples` per segment (segmentPoints), as ranges for a
   * ModelBatch; made once and kept on the backend: a slice's points never change.
   */
  private profileImages(points: SlicePointVectors, samples: number): ImageRange {
    if (this.profile?.samples !== samples) {
      this.profile?.images.dispose();
      // Rows of a matrix: a range of them is one contiguous copy.
      const rows = flat(alongProfiles(points, samples), this.geometry.d);
      this.profile = { samples, images: tf.tensor2d(rows, [3 * samples, this.geometry.d]) };
    }
    const { images } = this.profile;
    return (start, count) =>
      (count === images.shape[0] ? images.clone() : images.slice(start, count)).reshape([count, ...this.imageShape]);
  }

  /** Frees the tensors this evaluator keeps on the backend. */
  dispose(): void {
    tf.dispose([this.basis, this.origin]);
    this.profile?.images.dispose();
    void this.plane?.then((plane) => plane.dispose());
  }
}

/** Log-probabilities [pixels × classes] in the order of `pixels`, from `rows` in the order of `listed` (the same pixels). */
function inOrderOf(pixels: Int32Array, listed: Int32Array, rows: Float32Array): Float32Array {
  const classes = rows.length / Math.max(1, listed.length);
  const row = new Map<number, number>();
  listed.forEach((p, k) => row.set(p, k * classes));
  const ordered = new Float32Array(rows.length);
  pixels.forEach((p, k) => ordered.set(rows.subarray(row.get(p)!, row.get(p)! + classes), k * classes));
  return ordered;
}

/** A slice's plane form with a model's weights loaded. */
interface LoadedPlane {
  plane: SlicePlane;
  network: PlaneNetwork;
}

/** Rows `start` to `start + count − 1` of a walk's pool-2 outputs, as the head's input. */
function featureTensor(network: PlaneNetwork, features: Float32Array, start: number, count: number): tf.Tensor4D {
  const size = network.featureShape.reduce((a, b) => a * b);
  return tf.tensor4d(features.subarray(start * size, (start + count) * size), [count, ...network.featureShape]);
}

/** The points along a→b, b→c and c→a, `samples` per segment (segmentPoints): the profiles' points, in order. */
function alongProfiles({ a, b, c }: SlicePointVectors, samples: number): Float32Array[] {
  return [...segmentPoints(a, b, samples), ...segmentPoints(b, c, samples), ...segmentPoints(c, a, samples)];
}

/** Vectors of length `size`, one after the other in one array. */
function flat(vectors: Float32Array[], size: number): Float32Array {
  const out = new Float32Array(vectors.length * size);
  vectors.forEach((v, i) => out.set(v, i * size));
  return out;
}

/** A slice's three points, each a vector of length d. */
export interface SlicePointVectors {
  a: ArrayLike<number>;
  b: ArrayLike<number>;
  c: ArrayLike<number>;
}

/** What a frame needs of the slice's previous frame: its labels for the flips, the rest to carry profiles over. */
export type PreviousFrame = Pick<Frame, 'labels' | 'confidenceAge' | 'profileAge'> &
  Partial<Pick<Frame, 'pointProbabilities' | 'profiles'>>;

/** One slice's part of a step: its evaluator, its points and its previous frame. */
export interface FrameRequest {
  evaluator: SliceEvaluator;
  points: SlicePointVectors;
  /** The slice's previous frame: flips are counted against it, temporal mode may carry its profiles. */
  previous?: PreviousFrame;
  /** In temporal mode, evaluate every pixel and the profiles afresh. */
  refresh?: boolean;
}

/** What every frame of a step shares. */
export interface FrameOptions {
  mode: EvaluationMode;
  classes: number;
  /** Samples per segment of the profiles (32). */
  profileSamples?: number;
  /** The recorded frame's number: temporal mode evaluates the profiles when it is a multiple of `profileEvery`. */
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
  const { mode, classes } = options;
  const samples = options.profileSamples ?? 32;
  const batch = new ModelBatch(classifier, 2 * requests.length, options.chunk ?? 512);
  return Promise.all(
    requests.map(async ({ evaluator, points, previous, refresh = false }) => {
      const carried =
        mode.kind === 'temporal' && !refresh && (options.frame ?? 0) % mode.profileEvery !== 0
          ? carriedProfiles(previous, classes, samples)
          : undefined;
      const [pixels, profiles] = await Promise.all([
        batch.join(() => evaluator.evaluateIn(batch, mode, refresh)),
        carried
          ? (batch.leave(), carried.profiles)
          : batch.join(async () => (await evaluator.profileIn(batch, points, samples)).map((l) => Math.exp(l))),
      ]);
      const { width, height, feasibleCount } = evaluator.geometry;
      const pointProbabilities = carried?.pointProbabilities ?? new Float32Array(3 * classes);
      if (!carried)
        for (let k = 0; k < 3; k++)
          pointProbabilities.set(profiles.subarray(k * samples * classes, (k * samples + 1) * classes), k * classes);
      return {
        width,
        height,
        labels: pixels.labels,
        confidence: pixels.confidence,
        classes,
        pointProbabilities,
        profileSamples: samples,
        profiles,
        metrics: frameMetrics(pixels.labels, width, height, classes, previous?.labels),
        evaluated: pixels.evaluated,
        // Only a temporal frame that evaluated fewer than every pixel carries confidence over.
        confidenceAge:
          mode.kind === 'temporal' && pixels.evaluated < feasibleCount ? (previous?.confidenceAge ?? 0) + 1 : 0,
        profileAge: carried ? (previous?.profileAge ?? 0) + 1 : 0,
      };
    }),
  );
}

/** The previous frame's profiles and point probabilities, when it has them in the same layout. */
function carriedProfiles(
  previous: PreviousFrame | undefined,
  classes: number,
  samples: number,
): Pick<Frame, 'pointProbabilities' | 'profiles'> | undefined {
  const { pointProbabilities, profiles } = previous ?? {};
  if (pointProbabilities?.length !== 3 * classes || profiles?.length !== 3 * samples * classes) return undefined;
  return { pointProbabilities, profiles };
}

/**
 * One frame of one slice (see evaluateFrames), flips counted against `previous` labels when
 * given; temporal mode, having no previous frame here, evaluates every pixel.
 */
export async function evaluateFrame(
  evaluator: SliceEvaluator,
  classifier: Classifier,
  points: SlicePointVectors,
  options: { mode?: EvaluationMode; profileSamples?: number; classes: number; previous?: Uint8Array },
): Promise<Frame> {
  const labels = options.previous;
  const previous = labels && { labels };
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
