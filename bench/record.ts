import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dataset } from '../trainer/datasets/dataset.js';
import type { TrainLoop } from '../trainer/train-loop.js';
import { classifierOf } from '../trainer/models/classifier.js';
import { Recorder } from '../recorder/recorder.js';
import { WorkerRecorder } from '../recorder/worker-recorder.js';
import { createSliceSet, defaultSliceSpecs } from '../recorder/slice-set.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { NewRun } from '../store/types.js';
import { RUN_DEFAULTS } from '../trainer/run-config.js';
import { encodeMp4, ffmpegMp4Args } from '../videos/encode.js';
import { findFfmpeg } from '../videos/locate-ffmpeg.js';
import { median } from './measure.js';

/**
 * Recording figures: the training step with and without recording three 64×64 slices every step
 * (adaptive mode, in the training process), bytes per stored frame, and MP4 encoding of 1,000
 * frames at 512×512 against ffmpeg alone on the same raw frames read from a file.
 */
export async function benchRecording(
  makeLoop: () => TrainLoop,
  dataset: Dataset,
  trainerThreads: number,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'slicewatch-bench-'));
  const store = new SqliteStore(join(dir, 'store.db'));
  const loop = makeLoop();
  const specs = defaultSliceSpecs(dataset, 64);
  specs.push({ ...specs[0]!, name: 'three classes, later digits', a: { kind: 'dataset', split: 'test', index: 10 } });
  const setId = await createSliceSet(store, 'bench', specs, {
    dataset,
    classifier: async () => classifierOf(loop.model),
  });
  const benchRun = (name: string, threads: number): NewRun => ({
    name,
    setId,
    config: { ...RUN_DEFAULTS, steps: 60 },
    backend: { kind: 'wasm', detail: 'bench', warnings: [], threads },
    totalSteps: 60,
  });
  const slices = store.sliceSet(setId)!.slices;
  const runId = store.createRun(benchRun('bench', trainerThreads));
  const recorder = new Recorder(store, runId, slices, dataset.imageShape, dataset.classNames.length, {
    mode: { kind: 'adaptive', coarse: 4 },
    schedule: { kind: 'every', k: 1 },
    keyEvery: 16,
    profileSamples: 32,
  });
  const plain: number[] = [];
  const recorded: number[] = [];
  for (let i = 0; i < 60; i++) {
    const t0 = performance.now();
    const result = await loop.runStep();
    const t1 = performance.now();
    await recorder.record(result, loop.model);
    const t2 = performance.now();
    if (i >= 5) {
      plain.push(t1 - t0);
      recorded.push(t2 - t0);
    }
  }
  recorder.dispose();
  store.endRun(runId, 'completed');

  // The same recording on the worker thread (the trainer only waits when the queue is full), with
  // the worker's backend on one thread and on as many as the trainer's.
  const workerStepMs = async (threads: number): Promise<number> => {
    const workerLoop = makeLoop();
    const workerRunId = store.createRun(benchRun(`bench-worker-${threads}`, threads));
    const worker = new WorkerRecorder({
      storePath: join(dir, 'store.db'),
      runId: workerRunId,
      setId,
      modelTopology: workerLoop.model.toJSON(null, false) as object,
      imageShape: dataset.imageShape,
      classes: dataset.classNames.length,
      options: {
        mode: { kind: 'adaptive', coarse: 4 },
        schedule: { kind: 'every', k: 1 },
        keyEvery: 16,
        profileSamples: 32,
      },
      backend: 'wasm',
      threads,
    });
    workerLoop.observe((event) => worker.record(event, event.model));
    const started = performance.now();
    for (let i = 0; i < 60; i++) await workerLoop.runStep();
    await worker.close();
    store.endRun(workerRunId, 'completed');
    return (performance.now() - started) / 60;
  };
  const workerSteps = new Map<number, number>();
  for (const threads of new Set([1, trainerThreads])) workerSteps.set(threads, await workerStepMs(threads));
  const rows = store.runs().flatMap((run) => slices.flatMap((slice) => store.frameRows(run.id, slice.id)));
  const meanBytes = (frames: typeof rows) => frames.reduce((sum, f) => sum + f.data.length, 0) / frames.length;
  const sizes = { mean: meanBytes(rows), n: rows.length };
  const keys = { mean: meanBytes(rows.filter((f) => !f.delta)) };
  store.close();
  const cost = median(recorded) - median(plain);
  console.log(
    `train step without recording: ${median(plain).toFixed(0)} ms; with three 64x64 slices recorded every step (adaptive) in the ` +
      `training process: ${median(recorded).toFixed(0)} ms (${(median(recorded) / median(plain)).toFixed(2)}x)`,
  );
  for (const [threads, step] of workerSteps)
    console.log(
      `  on the worker thread with ${threads} wasm thread(s): ${step.toFixed(0)} ms per step over 60 steps including the final ` +
        `drain (${((100 * (median(recorded) - step)) / cost).toFixed(0)}% of the recording cost hidden)`,
    );
  console.log(
    `stored frame, 64x64: ${sizes.mean.toFixed(0)} bytes on average over ${sizes.n} frames (key frames ${keys.mean.toFixed(0)} bytes)`,
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
