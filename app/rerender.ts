import * as tf from '@tensorflow/tfjs';
import { dirname } from 'node:path';
import type { SliceSetId } from '../core/ids.js';
import type { EvaluationMode } from '../recorder/evaluate.js';
import { FRAME_ENCODING, Recorder } from '../recorder/recorder.js';
import { createSliceSet } from '../recorder/slice-set.js';
import { loadSnapshot, loadSnapshotTopology } from '../recorder/snapshots.js';
import type { PointSpec } from '../slices/points.js';
import { StoreError } from '../store/errors.js';
import type { SlicePoints, StoreReader, StoreWriter } from '../store/types.js';
import { modelFromTopology } from '../trainer/checkpoint.js';
import { loadDataset } from '../trainer/datasets/load.js';
import { loadClassifier } from '../trainer/load-classifier.js';

/** A slice chosen after training, to render through a recorded run's weight snapshots. */
export interface RerenderRequest {
  /** The recorded run, by name (its --out folder). */
  run: string;
  points: SlicePoints<PointSpec>;
  /** The new slice set's name. */
  name: string;
  resolution: number;
  mode: EvaluationMode;
}

export interface RerenderCallbacks {
  /** After each snapshot. */
  onProgress?: (progress: { done: number; total: number }) => void;
  /** Aborting stops after the current snapshot and removes the half-made slice set. */
  signal?: AbortSignal;
}

/**
 * Fixes the slice as a new one-slice set and renders it on every weight snapshot of the run (every
 * step up to 100, every 10th up to 1,000, then every 100th), through the recorder's own loop, so
 * `video --slice-set NAME` shows it like a recorded slice. A failure or an abort removes the set.
 */
export async function rerender(
  store: StoreReader & StoreWriter,
  request: RerenderRequest,
  callbacks: RerenderCallbacks = {},
): Promise<{ setId: SliceSetId; frames: number; firstStep: number; lastStep: number }> {
  const run = store.runByName(request.run);
  if (!run) throw new StoreError(`no run named ${request.run} in the store`);
  const snapshots = store.snapshots(run.id);
  if (snapshots.length === 0)
    throw new StoreError(`run ${request.run} has no weight snapshots; record it with slicewatch train --record`);
  const dataset = loadDataset(run.config.dataset);
  const model = await modelFromTopology(loadSnapshotTopology(dirname(snapshots[0]!.path)));
  const shapes = model.getWeights().map((t) => t.shape);
  const sizes = model.getWeights().map((t) => t.size);
  const setId = await createSliceSet(
    store,
    request.name,
    [{ name: 'rerendered', ...request.points, resolution: request.resolution }],
    {
      dataset,
      classifier: async (path) => (await loadClassifier(path === 'self' ? request.run : path)).classifier,
    },
  );
  // Degenerate points (collinear, coincident) fail here, after the set was made: it is removed below.
  let recorder: Recorder | undefined;
  try {
    recorder = new Recorder(
      store,
      run.id,
      store.sliceSet(setId)!.slices,
      dataset.imageShape,
      dataset.classNames.length,
      {
        mode: request.mode,
        schedule: { kind: 'every', k: 1 },
        ...FRAME_ENCODING,
      },
    );
    for (const [k, snapshot] of snapshots.entries()) {
      callbacks.signal?.throwIfAborted();
      const tensors = loadSnapshot(snapshot.path, sizes).map((values, i) => tf.tensor(values, shapes[i]));
      model.setWeights(tensors);
      tf.dispose(tensors);
      store.putFrames(run.id, snapshot.step, await recorder.frames(model));
      callbacks.onProgress?.({ done: k + 1, total: snapshots.length });
    }
  } catch (error) {
    store.deleteSliceSet(setId);
    throw error;
  } finally {
    recorder?.dispose();
    model.dispose();
  }
  return { setId, frames: snapshots.length, firstStep: snapshots[0]!.step, lastStep: snapshots.at(-1)!.step };
}
