import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { initBackend } from '../../trainer/backend.js';
import type { Dataset } from '../../trainer/datasets/dataset.js';
import { loadDataset } from '../../trainer/datasets/load.js';
import { classifierOf } from '../../trainer/models/classifier.js';
import { MADRY_MNIST } from '../../trainer/attacks/attack.js';
import { SliceEvaluator, TEMPORAL_DEFAULTS } from '../../recorder/evaluate.js';
import { FRAME_ENCODING, Recorder } from '../../recorder/recorder.js';
import { createSliceSet, defaultSliceSpecs } from '../../recorder/slice-set.js';
import { decodeFrame } from '../../slices/frame-codec.js';
import type { Frame } from '../../slices/frame.js';
import { sliceGeometry } from '../../slices/geometry.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import type { TrainOptions } from '../../trainer/train-loop.js';
import { mnistCnnLoop } from '../fixtures/mnist-cnn.js';
import { newRun } from '../fixtures/store.js';

let mnist: Dataset;
beforeAll(async () => {
  await initBackend('wasm');
  mnist = loadDataset('mnist');
});

/**
 * Records a whole run from step 1 in temporal mode (the default settings, three 64 × 64 slices
 * every step, through the store and the codec) and compares every decoded frame with a full
 * evaluation of the same step's weights. Returns the worst agreement over the temporal frames, the
 * mean share of feasible pixels the model ran on for them, and how many codec key frames (every
 * 16th) were checked for exactness. Frame 0, and frame 64 when the run is that long, evaluate every
 * pixel (TEMPORAL_DEFAULTS.every).
 */
async function recordAndCompare(
  frames: number,
  overrides: Partial<TrainOptions>,
): Promise<{ worst: number; evaluated: number; keys: number }> {
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'slicewatch-temporal-')), 'store.db'));
  const loop = mnistCnnLoop(mnist, overrides);
  const specs = defaultSliceSpecs(mnist, 64);
  specs.push({ ...specs[0]!, name: 'three classes, later digits', a: { kind: 'dataset', split: 'test', index: 10 } });
  const setId = await createSliceSet(store, 'temporal', specs, {
    dataset: mnist,
    classifier: async () => classifierOf(loop.model),
  });
  const slices = store.sliceSet(setId)!.slices;
  const runId = store.createRun(newRun('temporal', setId, frames));
  const recorder = new Recorder(store, runId, slices, mnist.imageShape, 10, {
    mode: TEMPORAL_DEFAULTS,
    schedule: { kind: 'every', k: 1 },
    ...FRAME_ENCODING,
  });
  const checkers = slices.map(
    (s) =>
      new SliceEvaluator(
        sliceGeometry(s.vectors.a, s.vectors.b, s.vectors.c, { resolution: s.resolution }),
        mnist.imageShape,
      ),
  );
  const previous = new Map<number, Frame>();
  let worst = 1;
  let keys = 0;
  const shares: number[] = [];
  for (let frame = 0; frame < frames; frame++) {
    const result = await loop.runStep();
    await recorder.record(result, loop.model);
    for (const [i, slice] of slices.entries()) {
      const row = store.frameRows(runId, slice.id, { from: result.step }).at(-1)!;
      expect(row.step).toBe(result.step);
      const before = previous.get(i);
      const decoded = decodeFrame(row.data, before);
      previous.set(i, decoded);
      const full = await checkers[i]!.evaluate(classifierOf(loop.model));
      const { feasible, feasibleCount } = checkers[i]!.geometry;
      let agree = 0;
      feasible.forEach((f, p) => {
        if (f && decoded.labels[p] === full.labels[p]) agree++;
      });
      if (frame % TEMPORAL_DEFAULTS.every === 0) {
        // A refresh frame: every pixel evaluated, labels exact, confidence within the codec's 16 levels.
        expect(decoded.confidenceAge).toBe(0);
        expect(decoded.evaluated).toBe(feasibleCount);
        expect(agree).toBe(feasibleCount);
        feasible.forEach((f, p) => {
          if (f) expect(Math.abs(decoded.confidence[p]! - full.confidence[p]!)).toBeLessThanOrEqual(9);
        });
      } else {
        // A temporal frame that had to evaluate every pixel (a bad fit) is as fresh as a refresh.
        const age = decoded.evaluated === feasibleCount ? 0 : (before?.confidenceAge ?? 0) + 1;
        expect(decoded.confidenceAge).toBe(age);
        expect(decoded.profileAge).toBe(frame % TEMPORAL_DEFAULTS.profileEvery);
        // The codec's key frames (every 16th) are temporal frames too, held to exactness.
        if (!row.delta) {
          expect(agree).toBe(feasibleCount);
          keys++;
        }
        worst = Math.min(worst, agree / feasibleCount);
        shares.push(decoded.evaluated / feasibleCount);
      }
    }
  }
  recorder.dispose();
  for (const c of checkers) c.dispose();
  store.close();
  return { worst, evaluated: shares.reduce((a, b) => a + b, 0) / shares.length, keys: keys / slices.length };
}

test('temporal recording of a baseline CNN from step 1 agrees with full evaluation on ≥ 99.9% of pixels of every frame', async () => {
  const { worst, evaluated, keys } = await recordAndCompare(70, {});
  // Key frames 16, 32 and 48 (64 is an every-pixel frame).
  expect(keys).toBe(3);
  expect(worst).toBeGreaterThanOrEqual(0.999);
  // Measured: every temporal frame agrees on every pixel; 36% of the feasible pixels evaluated (lr 0.05 moves regions fast).
  expect(evaluated).toBeLessThan(0.5);
}, 300_000);

test('temporal recording of an adversarially trained CNN from step 1 agrees with full evaluation on ≥ 99.9% of pixels of every frame', async () => {
  const attack = { ...MADRY_MNIST, steps: 3, stepSize: 0.1 };
  const { worst, evaluated, keys } = await recordAndCompare(24, {
    objective: { kind: 'adversarial', attack, rho: 1, clean: true },
  });
  expect(keys).toBe(1);
  expect(worst).toBeGreaterThanOrEqual(0.999);
  // Measured: every pixel of every frame agrees; 30% of the feasible pixels evaluated.
  expect(evaluated).toBeLessThan(0.5);
}, 300_000);
