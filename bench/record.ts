import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendInfo } from '../trainer/backend-info.js';
import type { Dataset } from '../trainer/datasets/dataset.js';
import type { TrainLoop } from '../trainer/train-loop.js';
import { classifierOf } from '../trainer/models/classifier.js';
import { INFEASIBLE, TEMPORAL_DEFAULTS, type EvaluationMode } from '../recorder/evaluate.js';
import { decodeFrame } from '../slices/frame-codec.js';
import type { Frame } from '../slices/frame.js';
import { FRAME_ENCODING, Recorder } from '../recorder/recorder.js';
import { WorkerRecorder } from '../recorder/worker-recorder.js';
import { createSliceSet, defaultSliceSpecs } from '../recorder/slice-set.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { NewRun, StoredSlice } from '../store/types.js';
import type { RunId, SliceSetId } from '../core/ids.js';
import { RUN_DEFAULTS } from '../trainer/run-config.js';
import { encodeMp4, ffmpegMp4Args } from '../videos/encode.js';
import { findFfmpeg } from '../videos/locate-ffmpeg.js';
import { inTempDir, mean, median } from './measure.js';

/**
 * Steps each recording configuration runs: a whole default run (`slicewatch train`: 300 steps at
 * lr 0.05) from a fresh model, early training, when regions move most, included; full mode, whose
 * cost does not depend on the model, runs fewer; the worker comparison runs the first WORKER_STEPS.
 */
const STEPS = 300;
const FULL_STEPS = 6;
const WORKER_STEPS = 48;
/** Steps 1 to EARLY are reported apart: the regions change most there. */
const EARLY = 50;
/**
 * The configurations: each mode, and the default (temporal) once more with every pixel run image by
 * image, without the network's plane form (recorder/plane-cnn.ts), for the same-run ratio.
 */
const CONFIGURATIONS: { name: string; mode: EvaluationMode; planeForm: boolean }[] = [
  { name: 'full', mode: { kind: 'full' }, planeForm: true },
  { name: 'adaptive', mode: { kind: 'adaptive', coarse: 4 }, planeForm: true },
  { name: 'temporal', mode: TEMPORAL_DEFAULTS, planeForm: true },
  { name: 'temporal, images only', mode: TEMPORAL_DEFAULTS, planeForm: false },
];

/**
 * Recording figures, all in one run: the training step alone; with three 64 × 64 and three
 * 128 × 128 slices recorded every step in each mode (full, adaptive, temporal), in the training
 * process on `backend`; on wasm, the default mode on the recorder's worker thread at each thread
 * count; bytes per stored frame; and MP4 encoding of 1,000 frames at 512×512 against ffmpeg alone
 * on the same raw frames.
 */
export async function benchRecording(makeLoop: () => TrainLoop, dataset: Dataset, backend: BackendInfo): Promise<void> {
  // The store and the raw video frames (786 MB) go in a folder removed however the bench ends.
  await inTempDir('slicewatch-bench-', (dir) => recordingFigures(dir, makeLoop, dataset, backend));
}

async function recordingFigures(
  dir: string,
  makeLoop: () => TrainLoop,
  dataset: Dataset,
  backend: BackendInfo,
): Promise<void> {
  const storePath = join(dir, 'store.db');
  const store = new SqliteStore(storePath);
  const classes = dataset.classNames.length;
  const sliceSet = async (resolution: number) => {
    const specs = defaultSliceSpecs(dataset, resolution);
    specs.push({ ...specs[0]!, name: 'three classes, later digits', a: { kind: 'dataset', split: 'test', index: 10 } });
    const loop = makeLoop();
    return createSliceSet(store, `bench-${resolution}`, specs, {
      dataset,
      classifier: async () => classifierOf(loop.model),
    });
  };
  const sets = new Map([
    [64, await sliceSet(64)],
    [128, await sliceSet(128)],
  ]);
  const benchRun = (name: string, setId: SliceSetId, runBackend: BackendInfo): NewRun => ({
    name,
    setId,
    config: { ...RUN_DEFAULTS, steps: STEPS },
    backend: runBackend,
    totalSteps: STEPS,
  });
  const recorderOptions = (mode: EvaluationMode, planeForm = true) => ({
    mode,
    schedule: { kind: 'every', k: 1 } as const,
    ...FRAME_ENCODING,
    planeForm,
  });

  // In the training process: a plain step, then the recording of its frames, timed apart.
  const plain: number[] = [];
  const recorded = new Map<string, number>();
  /** Per configuration, mean recording time over the median step of the same run (both measured step by step, interleaved). */
  const sameRun = new Map<string, number>();
  const firstSteps = new Map<string, number>();
  for (const [resolution, setId] of sets) {
    for (const { name, mode, planeForm } of CONFIGURATIONS) {
      const key = `${name}-${resolution}`;
      const loop = makeLoop();
      const runId = store.createRun(benchRun(key, setId, backend));
      const slices = store.sliceSet(setId)!.slices;
      const recorder = new Recorder(
        store,
        runId,
        slices,
        dataset.imageShape,
        classes,
        recorderOptions(mode, planeForm),
      );
      const totals: number[] = [];
      const steps: number[] = [];
      for (let i = 0; i < (mode.kind === 'full' ? FULL_STEPS : STEPS); i++) {
        const t0 = performance.now();
        const result = await loop.runStep();
        const t1 = performance.now();
        await recorder.record(result, loop.model);
        steps.push(t1 - t0);
        totals.push(performance.now() - t0);
      }
      plain.push(...steps);
      recorder.dispose();
      store.endRun(runId, 'completed');
      const total = mean(totals);
      const frames = frameStats(store, runId, slices);
      recorded.set(key, total);
      sameRun.set(key, (total - mean(steps)) / median(steps));
      firstSteps.set(key, mean(totals.slice(0, WORKER_STEPS)));
      console.log(
        `  three ${resolution}x${resolution} slices recorded every step, ${name}, in the training process, ` +
          `${totals.length} steps: ${total.toFixed(0)} ms per step (mean; median ${median(totals).toFixed(0)} ms; ` +
          `steps 1-${EARLY} ${mean(totals.slice(0, EARLY)).toFixed(0)} ms, after ${mean(totals.slice(EARLY)).toFixed(0)} ms; ` +
          `${(total / median(plain)).toFixed(2)}x the step so far; the step in this run ${median(steps).toFixed(0)} ms, ` +
          `median); ${frames.bytes.toFixed(0)} bytes per stored frame; ` +
          `${frames.evaluated.toFixed(0)} of ${frames.feasible.toFixed(0)} feasible pixels evaluated and ` +
          `${frames.flipped.toFixed(0)} flipped per frame (means)`,
      );
    }
  }

  // The default mode at 64 × 64 on the worker thread (the trainer only waits when the queue is
  // full), the worker's backend on one thread and on as many as the trainer's. The worker computes
  // on wasm, so it is compared with a wasm trainer only.
  const workerStepMs = async (threads: number): Promise<number> => {
    const workerLoop = makeLoop();
    const setId = sets.get(64)!;
    const workerRunId = store.createRun(benchRun(`worker-${threads}`, setId, { ...backend, threads }));
    const worker = new WorkerRecorder({
      storePath,
      runId: workerRunId,
      setId,
      modelTopology: workerLoop.model.toJSON(null, false) as object,
      imageShape: dataset.imageShape,
      classes,
      options: recorderOptions(TEMPORAL_DEFAULTS),
      backend: 'wasm',
      threads,
    });
    workerLoop.observe((event) => worker.record(event, event.model));
    const started = performance.now();
    for (let i = 0; i < WORKER_STEPS; i++) await workerLoop.runStep();
    await worker.close();
    store.endRun(workerRunId, 'completed');
    return (performance.now() - started) / WORKER_STEPS;
  };
  const workerSteps = new Map<number, number>();
  if (backend.kind === 'wasm')
    for (const threads of new Set([1, backend.threads ?? 1])) workerSteps.set(threads, await workerStepMs(threads));
  else
    console.log(
      `  worker thread: not measured (its recorder computes on wasm; the trainer here is on ${backend.kind})`,
    );
  store.close();

  const step = median(plain);
  console.log(
    `train step without recording: ${step.toFixed(0)} ms (median of ${plain.length} steps over all runs above)`,
  );
  for (const [key, total] of recorded)
    console.log(
      `  ${key}: ${(total / step).toFixed(2)}x the step; recording costs ${((total - step) / step).toFixed(2)} steps; ` +
        `in the same run ${sameRun.get(key)!.toFixed(2)} steps (mean recording time over the median step of that run)`,
    );
  const inProcess = firstSteps.get('temporal-64')!;
  for (const [threads, ms] of workerSteps)
    console.log(
      `  the same (temporal, 64x64) on the worker thread with ${threads} wasm thread(s): ${ms.toFixed(0)} ms per step over ` +
        `the first ${WORKER_STEPS} steps including the final drain (${(ms / inProcess).toFixed(2)}x in-process over the same steps)`,
    );

  // 1,000 frames of 512×512 with moving bands, encoded through slicewatch and by ffmpeg from a file.
  const side = 512;
  const frames = Array.from({ length: 1000 }, (_, f) => {
    const rgb = new Uint8Array(side * side * 3);
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++)
        rgb.fill(((x + y + 3 * f) >> 5) & 1 ? 200 : 40, (y * side + x) * 3, (y * side + x) * 3 + 3);
    return rgb;
  });
  const raw = join(dir, 'frames.rgb');
  writeFileSync(raw, Buffer.concat(frames.map((f) => Buffer.from(f.buffer))));
  const ffmpeg = findFfmpeg().path;
  const t0 = performance.now();
  await encodeMp4(frames, join(dir, 'ours.mp4'), { width: side, height: side, fps: 30, ffmpeg });
  const ours = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  execFileSync(ffmpeg, ffmpegMp4Args(raw, side, side, 30, join(dir, 'alone.mp4')));
  const alone = (performance.now() - t1) / 1000;
  console.log(
    `encode 1,000 frames 512x512: ${ours.toFixed(1)} s through slicewatch, ${alone.toFixed(1)} s by ffmpeg alone from a file ` +
      `(${(ours / alone).toFixed(2)}x; ${(statSync(join(dir, 'ours.mp4')).size / 1e6).toFixed(1)} MB)`,
  );
}

/**
 * Means over a run's stored frames and its slices: bytes, pixels evaluated, feasible pixels, and
 * pixels whose class changed since the previous frame (a method that checks every changed pixel
 * evaluates at least these).
 */
function frameStats(
  store: SqliteStore,
  runId: RunId,
  slices: StoredSlice[],
): { bytes: number; evaluated: number; feasible: number; flipped: number } {
  const sums = { bytes: 0, evaluated: 0, feasible: 0, flipped: 0 };
  let count = 0;
  for (const slice of slices) {
    let previous: Frame | undefined;
    for (const row of store.frameRows(runId, slice.id)) {
      const frame = decodeFrame(row.data, previous);
      sums.bytes += row.data.length;
      sums.evaluated += frame.evaluated;
      sums.feasible += frame.labels.reduce((n, label) => n + (label === INFEASIBLE ? 0 : 1), 0);
      sums.flipped += frame.metrics.flipped;
      previous = frame;
      count++;
    }
  }
  return {
    bytes: sums.bytes / count,
    evaluated: sums.evaluated / count,
    feasible: sums.feasible / count,
    flipped: sums.flipped / count,
  };
}
