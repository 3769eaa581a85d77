import type { RunId, SliceId } from '../core/ids.js';
import { FRAME_ENCODING } from '../recorder/recorder.js';
import { encodeFrame } from '../slices/frame-codec.js';
import type { Frame } from '../slices/frame.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { FrameWrite, NewSlice } from '../store/types.js';
import { RUN_DEFAULTS } from '../trainer/run-config.js';

/** Pixels along each side of a synthetic slice. */
export const SIDE = 128;
const CLASSES = 10;
/**
 * The synthetic regions repeat every PERIOD steps (a multiple of the key-frame interval, so a step's
 * encoded frame, key or delta, is the same as PERIOD steps earlier): only PERIOD frames per slice are
 * encoded, however long the runs.
 */
const PERIOD = 320;
const KEY_EVERY = FRAME_ENCODING.keyEvery;
const SAMPLES = FRAME_ENCODING.profileSamples;

/**
 * A synthetic frame: five wedge-shaped regions around a centre that circles the plane, turning
 * slowly (boundaries move by a fraction of a pixel per step), grey outside a skewed quadrilateral
 * standing in for the cube, confidence growing away from the centre; smooth profiles.
 */
function syntheticFrame(phase: number, slice: number): Frame {
  const n = SIDE * SIDE;
  const labels = new Uint8Array(n);
  const confidence = new Uint8Array(n);
  const t = 2 * Math.PI * phase + 2.1 * slice;
  const cx = 0.5 + 0.18 * Math.cos(t);
  const cy = 0.5 + 0.18 * Math.sin(t);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const u = (x + 0.5) / SIDE;
      const v = (y + 0.5) / SIDE;
      const i = y * SIDE + x;
      if (u + v < 0.2 || v - 0.3 * u > 0.9 || u - v > 0.75) {
        labels[i] = 255;
        continue;
      }
      const angle = Math.atan2(v - cy, u - cx) + Math.PI + t / 3;
      labels[i] = (Math.floor((angle / (2 * Math.PI)) * 5) + 2 * slice) % CLASSES;
      confidence[i] = Math.min(255, Math.round(90 + 420 * Math.hypot(u - cx, v - cy)));
    }
  }
  const softmax = (k: number, at: number) => {
    const e = Array.from({ length: CLASSES }, (_, c) => Math.exp(3 * Math.cos(at + c + k)));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  };
  const pointProbabilities = Float32Array.from([0, 1, 2].flatMap((p) => softmax(p, t)));
  const profiles = Float32Array.from(
    Array.from({ length: 3 * SAMPLES }, (_, s) => softmax(0, t + (s / SAMPLES) * Math.PI)).flat(),
  );
  return {
    width: SIDE,
    height: SIDE,
    labels,
    confidence,
    classes: CLASSES,
    pointProbabilities,
    profileSamples: SAMPLES,
    profiles,
    metrics: { area: [], components: [], boundary: 0, flipped: 0 },
    evaluated: n,
  };
}

/** The encoded frames of one period of a slice: index i is a key frame when i is a multiple of KEY_EVERY. */
function encodedPeriod(slice: number): Uint8Array[] {
  let previous: Frame | undefined;
  return Array.from({ length: PERIOD }, (_, i) => {
    const frame = syntheticFrame(i / PERIOD, slice);
    const data = encodeFrame(frame, i % KEY_EVERY === 0 ? undefined : previous);
    previous = frame;
    return data;
  });
}

/** A store of synthetic recorded runs, and the writer that extends the last one (live). */
export interface SyntheticStore {
  path: string;
  writer: SqliteStore;
  runs: RunId[];
  slices: SliceId[];
  /** Commits step `step` of `run` (scalars and its three frames) in one transaction. */
  putStep(run: RunId, step: number): void;
  /** Seconds it took to encode the frames and write the store. */
  buildSeconds: number;
}

/**
 * Writes `runs` runs of `steps` steps each on one slice set of `slices` slices of SIDE × SIDE
 * synthetic frames (every step recorded; a key frame every KEY_EVERY steps, as the recorder does)
 * with loss, lr, epoch and an evaluation every 500 steps. The last run stays `running`: the caller
 * keeps it alive with writer.heartbeat and extends it with putStep.
 */
export function syntheticStore(path: string, runs: number, slices: number, steps: number): SyntheticStore {
  const started = performance.now();
  const writer = new SqliteStore(path);
  const vector = (seed: number) =>
    Float32Array.from({ length: 784 }, (_, i) => 0.5 + 0.5 * Math.sin(seed + (i % 28) / 4) * Math.cos(i / 112));
  const newSlices: NewSlice[] = Array.from({ length: slices }, (_, k) => ({
    name: `synthetic ${k + 1}`,
    points: { a: { kind: 'random', seed: 3 * k }, b: { kind: 'random', seed: 3 * k + 1 }, c: { kind: 'grey' } },
    vectors: { a: vector(3 * k), b: vector(3 * k + 1), c: new Float32Array(784).fill(0.5) },
    resolution: SIDE,
  }));
  const setId = writer.createSliceSet('synthetic', 'mnist', newSlices);
  const sliceIds = writer.sliceSet(setId)!.slices.map((s) => s.id);
  const encoded = sliceIds.map((_, k) => encodedPeriod(k));
  const runIds = Array.from({ length: runs }, (_, r) =>
    writer.createRun({
      name: `synthetic-${r + 1}`,
      setId,
      config: { ...RUN_DEFAULTS, steps, evalEvery: 500 },
      backend: { kind: 'cpu', detail: 'synthetic frames (bench)', warnings: [] },
      totalSteps: steps,
    }),
  );
  const putStep = (run: RunId, step: number) => {
    // Runs differ by half a period; both keep key frames on the same steps.
    const i = (step - 1 + (runIds.indexOf(run) * PERIOD) / 2) % PERIOD;
    const frames: FrameWrite[] = sliceIds.map((sliceId, k) => ({
      sliceId,
      delta: i % KEY_EVERY !== 0,
      data: encoded[k]![i]!,
    }));
    const loss = 2.3 * Math.exp(-step / 1500) + 0.1 * Math.abs(Math.sin(step / 7));
    writer.putStep(run, step, { loss, lr: RUN_DEFAULTS.lr, epoch: step / 937 }, frames);
    if (step % 500 === 0) writer.putScalars(run, step, { testAccuracy: 1 - loss / 2.5 });
  };
  for (const run of runIds) for (let step = 1; step <= steps; step++) putStep(run, step);
  for (const run of runIds.slice(0, -1)) writer.endRun(run, 'completed');
  return {
    path,
    writer,
    runs: runIds,
    slices: sliceIds,
    putStep,
    buildSeconds: (performance.now() - started) / 1000,
  };
}
