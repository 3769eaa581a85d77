import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { initBackend } from '../../trainer/backend.js';
import type { Dataset } from '../../trainer/datasets/dataset.js';
import { loadDataset } from '../../trainer/datasets/load.js';
import { classifierOf } from '../../trainer/models/classifier.js';
import { evaluateFrame, SliceEvaluator } from '../../recorder/evaluate.js';
import { sliceGeometry } from '../../slices/geometry.js';
import { isRecorded, Recorder } from '../../recorder/recorder.js';
import { WorkerRecorder, type RecordPolicy } from '../../recorder/worker-recorder.js';
import { createSliceSet } from '../../recorder/slice-set.js';
import { parsePoint } from '../../slices/points.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { mnistCnnLoop } from '../fixtures/mnist-cnn.js';
import { newRun } from '../fixtures/store.js';

let mnist: Dataset;
beforeAll(async () => {
  await initBackend('wasm');
  mnist = loadDataset('mnist');
});

const tempDir = () => mkdtempSync(join(tmpdir(), 'slicewatch-record-'));

test('schedules: every k-th step, or log-spaced', () => {
  const steps = (schedule: Parameters<typeof isRecorded>[0]) =>
    Array.from({ length: 100 }, (_, i) => i + 1).filter((s) => isRecorded(schedule, s));
  expect(steps({ kind: 'every', k: 25 })).toEqual([1, 25, 50, 75, 100]);
  // Four per decade: at 10^(n/4) — 2, 4, 6, 10, 18, 32, 57, 100.
  expect(steps({ kind: 'log', perDecade: 4 })).toEqual([1, 2, 4, 6, 10, 18, 32, 57, 100]);
});

test('recording every step of a short run: one frame per slice per step, equal to the evaluator on that step’s model', async () => {
  const store = new SqliteStore(join(tempDir(), 'store.db'));
  const specs = [
    { name: 'classes', a: parsePoint('test:0'), b: parsePoint('test:1'), c: parsePoint('test:2'), resolution: 32 },
    {
      name: 'noise',
      a: parsePoint('test:3'),
      b: parsePoint('noise(test:3;l2=3;seed=1)'),
      c: parsePoint('grey'),
      resolution: 32,
    },
    { name: 'random', a: parsePoint('random:1'), b: parsePoint('test:4'), c: parsePoint('grey'), resolution: 24 },
  ];
  const loop = mnistCnnLoop(mnist);
  const setId = await createSliceSet(store, 'test-set', specs, {
    dataset: mnist,
    classifier: async () => classifierOf(loop.model),
  });
  const slices = store.sliceSet(setId)!.slices;
  const runId = store.createRun(newRun('short', setId, 10));
  const recorder = new Recorder(store, runId, slices, mnist.imageShape, 10, {
    mode: { kind: 'adaptive', coarse: 4 },
    schedule: { kind: 'every', k: 1 },
    keyEvery: 4,
    profileSamples: 8,
  });
  // Independent evaluators give the expected frames for each step's model.
  const expected = new Map<string, Uint8Array>();
  const checkers = slices.map(
    (s) =>
      new SliceEvaluator(
        sliceGeometry(s.vectors.a, s.vectors.b, s.vectors.c, { resolution: s.resolution }),
        mnist.imageShape,
      ),
  );
  loop.observe(async (event) => {
    await recorder.record(event, event.model);
    for (let i = 0; i < slices.length; i++) {
      const f = await evaluateFrame(checkers[i]!, classifierOf(event.model), slices[i]!.vectors, {
        mode: { kind: 'adaptive', coarse: 4 },
        classes: 10,
        profileSamples: 8,
      });
      expected.set(`${slices[i]!.id}/${event.step}`, f.labels);
      expected.set(`${slices[i]!.id}/${event.step}/confidence`, f.confidence);
    }
  });
  for (let i = 0; i < 10; i++) await loop.runStep();
  for (const slice of slices) {
    const frames = [...store.frames(runId, slice.id)];
    expect(frames.map((f) => f.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const { step, frame } of frames) {
      expect(Array.from(frame.labels)).toEqual(Array.from(expected.get(`${slice.id}/${step}`)!));
      // Stored confidence has 16 levels (the codec's round(c/17)·17).
      const confidence = Array.from(expected.get(`${slice.id}/${step}/confidence`)!, (c) => 17 * Math.round(c / 17));
      expect(Array.from(frame.confidence)).toEqual(confidence);
      // Adaptive frames compute every pixel's confidence afresh (evaluated or interpolated).
      expect(frame.confidenceAge).toBe(0);
    }
    // Key frames at recorded frames 0, 4, 8; the rest are deltas.
    expect(store.frameRows(runId, slice.id).map((r) => r.delta)).toEqual([
      false,
      true,
      true,
      true,
      false,
      true,
      true,
      true,
      false,
      true,
    ]);
  }
  expect(store.scalars(runId, 'loss')).toHaveLength(10);
  recorder.dispose();
  store.close();
});

/** A store with a one-slice set (three test digits) and a run, a fresh CNN loop, and a worker recorder on them. */
async function workerSetup(seed: number, resolution: number, queueLimit: number, policy: RecordPolicy) {
  const path = join(tempDir(), 'store.db');
  const store = new SqliteStore(path);
  const loop = mnistCnnLoop(mnist, { seed });
  const specs = [
    { name: 'classes', a: parsePoint('test:0'), b: parsePoint('test:1'), c: parsePoint('test:2'), resolution },
  ];
  const setId = await createSliceSet(store, `set-${seed}`, specs, {
    dataset: mnist,
    classifier: async () => classifierOf(loop.model),
  });
  const [slice] = store.sliceSet(setId)!.slices;
  const runId = store.createRun(newRun(`run-${seed}`, setId));
  const options = {
    mode: { kind: 'full' } as const,
    schedule: { kind: 'every', k: 1 } as const,
    keyEvery: 16,
    profileSamples: 4,
  };
  const recorder = new WorkerRecorder(
    {
      storePath: path,
      runId,
      setId,
      modelTopology: loop.model.toJSON(null, false) as object,
      imageShape: [28, 28, 1],
      classes: 10,
      options,
      backend: 'wasm',
      threads: 1,
    },
    queueLimit,
    policy,
  );
  return { store, loop, slice: slice!, runId, recorder };
}

test('the worker-thread recorder records from weight snapshots exactly what the trainer’s model gives', async () => {
  const { store, loop, slice, runId, recorder } = await workerSetup(3, 32, 2, 'wait');
  const checker = new SliceEvaluator(
    sliceGeometry(slice!.vectors.a, slice!.vectors.b, slice!.vectors.c, { resolution: 32 }),
    mnist.imageShape,
  );
  const expected: Uint8Array[] = [];
  loop.observe(async (event) => {
    // The trainer moves on as soon as the snapshot is queued; the expected frame is taken now.
    await recorder.record(event, event.model);
    expected.push((await checker.evaluate(classifierOf(event.model))).labels);
  });
  for (let i = 0; i < 6; i++) await loop.runStep();
  await recorder.close();
  checker.dispose();
  const frames = [...store.frames(runId, slice!.id)];
  expect(frames.map((f) => f.step)).toEqual([1, 2, 3, 4, 5, 6]);
  frames.forEach((f, i) => expect(Array.from(f.frame.labels)).toEqual(Array.from(expected[i]!)));
  store.close();
});

test('policy newest: training never waits, the newest snapshot is recorded, skipped steps keep their scalars', async () => {
  // A full 96 × 96 frame takes several training steps, so the recorder falls behind.
  const { store, loop, slice, runId, recorder } = await workerSetup(4, 96, 1, 'newest');
  loop.observe((event) => recorder.record(event, event.model));
  for (let i = 0; i < 12; i++) await loop.runStep();
  await recorder.close();
  const steps = [...store.frames(runId, slice!.id)].map((f) => f.step);
  expect(recorder.skipped).toBeGreaterThan(0);
  expect(steps.length + recorder.skipped).toBe(12);
  expect(steps[0]).toBe(1);
  expect(steps.at(-1)).toBe(12);
  expect(store.scalars(runId, 'loss').map((s) => s.step)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  store.close();
});
