import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BackendInfo } from '../../trainer/backend-info.js';
import type { Dataset } from '../../trainer/datasets/dataset.js';
import { loadDataset } from '../../trainer/datasets/load.js';
import type { TrainEvent } from '../../trainer/run.js';
import type { RunConfig } from '../../trainer/run-config.js';
import type { StepObserver } from '../../trainer/train-loop.js';
import type * as tf from '@tensorflow/tfjs';
import type { RecorderOptions } from '../../recorder/recorder.js';
import { WorkerRecorder } from '../../recorder/worker-recorder.js';
import { isSnapshotStep, saveSnapshot } from '../../recorder/snapshots.js';
import { createSliceSet, defaultSliceSpecs, describeSlices } from '../../recorder/slice-set.js';
import { StoreError } from '../../store/errors.js';
import { startHeartbeat } from '../../store/heartbeat.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import type { RunId, SliceSetId } from '../../core/ids.js';
import type { TrainCommandConfig } from '../config.js';
import { loadClassifier } from './common.js';

/** What `train --record` adds to a run: an observer that records, and hooks for the run's end. */
export interface Recording {
  observer: StepObserver;
  onEvent: (event: TrainEvent) => void;
  finish: (error?: Error) => Promise<void>;
}

/**
 * Opens the store, finds or creates the slice set, and registers the run (or takes it over when
 * resuming), so that each training step's frames and scalars land in the store.
 */
export async function startRecording(
  config: TrainCommandConfig,
  runConfig: RunConfig,
  backend: BackendInfo,
  out: string,
): Promise<Recording> {
  mkdirSync(dirname(config.store) || '.', { recursive: true });
  const store = new SqliteStore(config.store);
  const { runId, setId, dataset } = await registerRun(store, config, runConfig, backend, out).catch(
    (error: unknown) => {
      store.close();
      throw error;
    },
  );
  const heartbeat = startHeartbeat(store, runId);
  const options: RecorderOptions = {
    mode: config.recordMode === 'full' ? { kind: 'full' } : { kind: 'adaptive', coarse: 4 },
    schedule: { kind: 'every', k: config.recordEvery },
    keyEvery: 16,
    profileSamples: 32,
  };
  // The worker needs the model's topology, which exists from the first step on.
  let recorder: WorkerRecorder | undefined;
  const recorderFor = (model: tf.LayersModel) =>
    (recorder ??= new WorkerRecorder(
      {
        storePath: config.store,
        runId,
        setId,
        modelTopology: model.toJSON(null, false) as object,
        imageShape: dataset.imageShape,
        classes: dataset.classNames.length,
        options,
        backend: backend.kind,
        threads: backend.threads ?? 1,
      },
      2,
      config.recordPolicy === 'newest' ? 'newest' : 'wait',
    ));
  return {
    observer: (event) => {
      if (isSnapshotStep(event.step)) {
        const weights = event.model.getWeights().map((t) => Float32Array.from(t.dataSync()));
        store.putSnapshot(
          runId,
          event.step,
          saveSnapshot(join(out, 'snapshots'), event.step, event.model.toJSON(null, false) as object, weights),
        );
      }
      return recorderFor(event.model).record(
        event,
        event.model,
        event.attackMs > 0 ? { attackMs: event.attackMs } : {},
      );
    },
    onEvent: (event) => {
      if (event.kind !== 'eval') return;
      const scalars: Record<string, number> = { testAccuracy: event.testAccuracy };
      if (event.robust) scalars['robustAccuracy'] = event.robust.robustAccuracy;
      store.putScalars(runId, event.step, scalars);
    },
    finish: async (error) => {
      try {
        await recorder?.close();
        if (recorder && recorder.skipped > 0) {
          process.stdout.write(
            `recorder: frames of ${recorder.skipped} steps skipped to keep up (--record-policy newest); their scalars are stored\n`,
          );
        }
      } finally {
        heartbeat.stop();
        store.endRun(runId, error ? 'failed' : 'completed', error?.message);
        store.close();
      }
    },
  };
}

/** Finds or creates the slice set and creates the run, or takes it over when resuming. */
async function registerRun(
  store: SqliteStore,
  config: TrainCommandConfig,
  runConfig: RunConfig,
  backend: BackendInfo,
  out: string,
): Promise<{ runId: RunId; setId: SliceSetId; dataset: Dataset }> {
  const dataset: Dataset = loadDataset(runConfig.dataset);
  const setName = config.sliceSet || `default-${dataset.spec.replace(/[^a-z0-9]+/gi, '-')}`;
  let setId = store.sliceSetByName(setName)?.id;
  if (setId === undefined) {
    const specs = defaultSliceSpecs(dataset, config.recordResolution, config.sliceModel || undefined);
    setId = await createSliceSet(store, setName, specs, {
      dataset,
      classifier: async (name) => (await loadClassifier(name)).classifier,
    });
  }
  const slices = store.sliceSet(setId)!.slices;
  process.stdout.write(`recording slice set ${setName} into ${config.store}:\n${describeSlices(slices)}\n`);
  const existing = store.runByName(out);
  if (existing && !config.resume)
    throw new StoreError(
      `${config.store} already holds a run named ${out}; pass --resume to continue it or choose another --out`,
    );
  if (existing?.status === 'running')
    throw new StoreError(
      `run ${out} is being recorded by another process (heartbeat at ${existing.heartbeatAt}); stop it first, or wait until it reads as interrupted`,
    );
  // The trainer's planned length: epochs × steps per epoch (whole minibatches), or the steps.
  const stepsPerEpoch = Math.max(1, Math.floor(dataset.train.count / runConfig.batchSize));
  const totalSteps = runConfig.epochs > 0 ? Math.round(runConfig.epochs * stepsPerEpoch) : runConfig.steps;
  const runId = existing?.id ?? store.createRun({ name: out, setId, config: runConfig, backend, totalSteps });
  if (existing) store.reopenRun(existing.id, totalSteps);
  return { runId, setId, dataset };
}
