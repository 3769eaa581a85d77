import {
  codeNonZero,
  codeSigned,
  codeSymbol,
  probabilities,
  probability,
  signedModels,
  symbolModels,
  type BitCoder,
  type Probability,
} from './bit-coder.js';
import { INFEASIBLE } from './grid.js';

/**
 * The planes of an SWF3 frame and how they are coded (slices/frame-codec.ts holds the container).
 * One walk over the planes serves both directions: encoding, the arrays hold the frame and every
 * value is passed to the coder; decoding, they start empty and are filled with what it reads.
 *
 * Every value is coded bit by bit with probabilities adapted in a context of what the decoder
 * already knows, the way JBIG codes bilevel images:
 * - labels of a key frame: whether a pixel's class is its left or its upper neighbour's, in the
 *   context of how its neighbours agree, else the class itself;
 * - labels of a delta frame: whether a pixel's class changed, in the context of its distance to a
 *   class boundary of the previous frame and of whether its left and upper neighbours changed, and
 *   if it did, whether it took a neighbour's class, else the class itself;
 * - confidence levels: a key frame's against the median edge predictor of its left, upper and
 *   upper-left neighbours; a delta frame's against the previous frame's level moved as its
 *   neighbours' moved (codeLevelChanges), in the context of whether its class changed;
 * - probabilities: a key frame's profile samples against the sample before, a delta frame's against
 *   the previous frame's, after one flag for "all as before".
 */
export interface Planes {
  width: number;
  height: number;
  /** Class of every pixel, INFEASIBLE (255) outside the hypercube. */
  labels: Uint8Array;
  /** Confidence levels 0–15; infeasible pixels have none (0). */
  levels: Uint8Array;
  /** Point probabilities in 1/255 and profiles in 1/63, as integers. */
  points: Uint8Array;
  profiles: Uint8Array;
  classes: number;
  profileSamples: number;
}

/** The previous frame's planes, for a delta frame. */
export type PreviousPlanes = Pick<Planes, 'labels' | 'levels' | 'points' | 'profiles'>;

/** The highest confidence level. */
const LEVEL_MAX = 15;

/** Bits a label takes as a symbol: the classes and one more, `classes`, for infeasible. */
const symbolBits = (classes: number) => 32 - Math.clz32(classes);

/** Codes a label as a symbol of symbolBits(classes) bits, infeasible as `classes`. */
function codeLabel(coder: BitCoder, models: Probability[], classes: number, label: number): number {
  const symbol = codeSymbol(coder, models, symbolBits(classes), label === INFEASIBLE ? classes : label);
  return symbol === classes ? INFEASIBLE : symbol;
}

/** Codes all planes of a frame, against `previous` for a delta frame. */
export function codePlanes(coder: BitCoder, planes: Planes, previous?: PreviousPlanes): void {
  if (previous) {
    const changed = codeLabelChanges(coder, planes, previous.labels);
    codeLevelChanges(coder, planes, previous, changed);
  } else {
    codeKeyLabels(coder, planes);
    codeKeyLevels(coder, planes);
  }
  codeProbabilities(coder, planes, previous);
}

function codeKeyLabels(coder: BitCoder, { width, height, labels, classes }: Planes): void {
  const same = { left: probabilities(8), up: probabilities(8) };
  const symbol = symbolModels(symbolBits(classes));
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const up = y > 0 ? labels[i - width]! : -1;
      const left = x > 0 ? labels[i - 1]! : up;
      const upLeft = x > 0 && y > 0 ? labels[i - width - 1]! : up;
      const upRight = x + 1 < width && y > 0 ? labels[i - width + 1]! : up;
      const context = Number(left === up) | (Number(up === upRight) << 1) | (Number(left === upLeft) << 2);
      const value = labels[i]!;
      if (left >= 0 && coder.bit(same.left[context]!, Number(value === left))) labels[i] = left;
      else if (up >= 0 && up !== left && coder.bit(same.up[context]!, Number(value === up))) labels[i] = up;
      else labels[i] = codeLabel(coder, symbol, classes, value);
    }
  }
}

/**
 * For each pixel, the Chebyshev distance (0–3, 3 meaning "3 or more") to the nearest pixel that has
 * a 4-neighbour of another class: where a class boundary moving by a step would reach. It is the
 * minimum over rows dy (|dy| ≤ 2) of max(|dy|, the distance along that row), the distance along a
 * row coming from one pass each way; the rows sit between two rows of 3s above and below.
 */
function boundaryDistance(labels: Uint8Array, width: number, height: number): Uint8Array {
  const n = width * height;
  const onBoundary = new Uint8Array(n);
  for (let i = 0; i + width < n; i++) if (labels[i] !== labels[i + width]) onBoundary[i] = onBoundary[i + width] = 1;
  for (let row = 0; row < n; row += width)
    for (let i = row; i + 1 < row + width; i++) if (labels[i] !== labels[i + 1]) onBoundary[i] = onBoundary[i + 1] = 1;
  const pad = 2 * width;
  const along = new Uint8Array(width * (height + 4)).fill(3);
  for (let row = 0; row < n; row += width) {
    let d = 3;
    for (let i = row; i < row + width; i++) {
      d = onBoundary[i] ? 0 : d < 3 ? d + 1 : 3;
      along[pad + i] = d;
    }
    d = 3;
    for (let i = pad + row + width - 1; i >= pad + row; i--) {
      d = along[i] === 0 ? 0 : d < 3 ? d + 1 : 3;
      if (d < along[i]!) along[i] = d;
    }
  }
  const distance = new Uint8Array(n);
  for (let i = 0, j = pad; i < n; i++, j++) {
    let d = along[j]!;
    if (d > 1) {
      const one = Math.min(along[j - width]!, along[j + width]!);
      if (one < d) d = Math.max(1, one);
      if (d > 2 && Math.min(along[j - pad]!, along[j + pad]!) < 3) d = 2;
    }
    distance[i] = d;
  }
  return distance;
}

/**
 * The most common label among a pixel's 8 neighbours in `labels` other than `except`, the first in
 * reading order among equals; -1 if none. (At most 8 candidates: counted pairwise, nothing allocated.)
 */
function commonNeighbour(labels: Uint8Array, width: number, height: number, i: number, except: number): number {
  const x = i % width;
  const y = (i - x) / width;
  const x0 = Math.max(0, x - 1);
  const x1 = Math.min(width - 1, x + 1);
  const y0 = Math.max(0, y - 1);
  const y1 = Math.min(height - 1, y + 1);
  let best = -1;
  let bestCount = 0;
  for (let yy = y0; yy <= y1; yy++) {
    for (let xx = x0; xx <= x1; xx++) {
      const label = labels[yy * width + xx]!;
      if ((xx === x && yy === y) || label === except || label === best) continue;
      let count = 0;
      for (let vy = y0; vy <= y1; vy++)
        for (let vx = x0; vx <= x1; vx++) if ((vx !== x || vy !== y) && labels[vy * width + vx] === label) count++;
      if (count > bestCount) {
        best = label;
        bestCount = count;
      }
    }
  }
  return best;
}

/** Codes a delta frame's labels; returns which pixels changed class. */
function codeLabelChanges(coder: BitCoder, planes: Planes, before: Uint8Array): Uint8Array {
  const { width, height, labels, classes } = planes;
  const distance = boundaryDistance(before, width, height);
  const changeModels = probabilities(4 * 16 + 2);
  const candidateModels = probabilities(3);
  const symbol = symbolModels(symbolBits(classes));
  const changed = new Uint8Array(width * height);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const previous = before[i]!;
      const left = x > 0 ? changed[i - 1]! : 0;
      const up = y > 0 ? changed[i - width]! : 0;
      const upLeft = x > 0 && y > 0 ? changed[i - width - 1]! : 0;
      const upRight = x + 1 < width && y > 0 ? changed[i - width + 1]! : 0;
      const context =
        previous === INFEASIBLE ? 64 + (left | up) : distance[i]! * 16 + left + 2 * up + 4 * upLeft + 8 * upRight;
      const value = labels[i]!;
      if (!coder.bit(changeModels[context]!, Number(value !== previous))) {
        labels[i] = previous;
        continue;
      }
      changed[i] = 1;
      // The class it probably took: a changed neighbour's new class, else the previous frame's commonest other class around it.
      const [candidate, source] =
        left && labels[i - 1] !== previous
          ? [labels[i - 1]!, 0]
          : up && labels[i - width] !== previous
            ? [labels[i - width]!, 1]
            : [commonNeighbour(before, width, height, i, previous), 2];
      if (candidate >= 0 && coder.bit(candidateModels[source]!, Number(value === candidate))) labels[i] = candidate;
      else labels[i] = codeLabel(coder, symbol, classes, value);
    }
  }
  return changed;
}

/** The median edge predictor (LOCO-I) of a value from its left, upper and upper-left neighbours. */
function medianEdge(left: number, up: number, upLeft: number): number {
  if (upLeft >= Math.max(left, up)) return Math.min(left, up);
  if (upLeft <= Math.min(left, up)) return Math.max(left, up);
  return left + up - upLeft;
}

function codeKeyLevels(coder: BitCoder, { width, height, labels, levels }: Planes): void {
  const models = Array.from({ length: 8 }, signedModels);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      if (labels[i] === INFEASIBLE) {
        levels[i] = 0;
        continue;
      }
      const up = y > 0 ? levels[i - width]! : x > 0 ? levels[i - 1]! : 15;
      const left = x > 0 ? levels[i - 1]! : up;
      const upLeft = x > 0 && y > 0 ? levels[i - width - 1]! : up;
      const activity = Math.abs(left - upLeft) + Math.abs(up - upLeft);
      const edge = (x > 0 && labels[i - 1] !== labels[i]) || (y > 0 && labels[i - width] !== labels[i]);
      const context = Math.min(3, activity) + 4 * Number(edge);
      const predicted = medianEdge(left, up, upLeft);
      levels[i] = predicted + codeSigned(coder, models[context]!, levels[i]! - predicted);
    }
  }
}

/**
 * A delta frame's confidence levels, each against a prediction: a pixel that changed class takes the
 * level of a neighbour that changed class too (left, else upper; a boundary that moved is equally
 * unsure along its length), else keeps its own; any other pixel changes its level as its
 * neighbours that kept their class did (the median edge predictor over their changes).
 */
function codeLevelChanges(
  coder: BitCoder,
  { width, height, labels, levels }: Planes,
  previous: PreviousPlanes,
  changedClass: Uint8Array,
): void {
  const models = Array.from({ length: 12 }, signedModels);
  const change = new Int8Array(width * height);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      if (labels[i] === INFEASIBLE) {
        levels[i] = 0;
        continue;
      }
      const before = previous.levels[i]!;
      const flipped = changedClass[i]!;
      const left = x > 0 ? change[i - 1]! : 0;
      const up = y > 0 ? change[i - width]! : 0;
      const upLeft = x > 0 && y > 0 ? change[i - width - 1]! : 0;
      let predicted = before;
      if (!flipped) predicted = Math.max(0, Math.min(LEVEL_MAX, before + medianEdge(left, up, upLeft)));
      else if (x > 0 && changedClass[i - 1]) predicted = levels[i - 1]!;
      else if (y > 0 && changedClass[i - width]) predicted = levels[i - width]!;
      const context = 6 * flipped + 2 * (Number(left !== 0) + Number(up !== 0)) + Number(predicted !== before);
      const difference = levels[i]! - predicted;
      // Most pixels keep their predicted level: the zero flag alone, without codeSigned's call.
      if (!coder.bit(models[context]!.zero, Number(difference !== 0))) levels[i] = predicted;
      else levels[i] = predicted + codeNonZero(coder, models[context]!, difference);
      if (!flipped) change[i] = levels[i]! - before;
    }
  }
}

function codeProbabilities(coder: BitCoder, planes: Planes, previous?: PreviousPlanes): void {
  const { points, profiles, classes, profileSamples } = planes;
  if (previous) {
    // Decoding, `same` reads arrays still empty; the coder disregards it and returns the stored flag.
    const same =
      points.every((v, i) => v === previous.points[i]) && profiles.every((v, i) => v === previous.profiles[i]);
    if (coder.bit(probability(), Number(same))) {
      points.set(previous.points);
      profiles.set(previous.profiles);
      return;
    }
  }
  const pointModels = signedModels();
  for (let i = 0; i < points.length; i++) {
    const predicted = previous ? previous.points[i]! : 0;
    points[i] = predicted + codeSigned(coder, pointModels, points[i]! - predicted);
  }
  const profileModels = signedModels();
  for (let i = 0; i < profiles.length; i++) {
    // Key frames: the same class one sample back along the segment (profiles are segment × sample × class).
    const sample = Math.floor(i / classes) % profileSamples;
    const predicted = previous ? previous.profiles[i]! : sample > 0 ? profiles[i - classes]! : 0;
    profiles[i] = predicted + codeSigned(coder, profileModels, profiles[i]! - predicted);
  }
}
