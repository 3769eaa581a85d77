import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BackendInfo } from '../../trainer/backend.js';
import type { Dataset } from '../../trainer/datasets/dataset.js';
import { loadDataset } from '../../trainer/datasets/load.js';
import type { RunConfig, TrainEvent } from '../../trainer/run.js';
import type { StepObserver } from '../../trainer/train-loop.js';
import { Recorder } from '../../slices/recorder.js';
import { createSliceSet, defaultSliceSpecs, describeSlices } from '../../slices/slice-set.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { TrainCommandConfig } from '../config.js';
import { loadClassifier } from './common.js';

/** What `train --record` adds to a run: an observer that records, and hooks for the run's end. */
export interface Recording {
  observer: StepObserver;
  onEvent: (event: TrainEvent) => void;
  finish: (error?: Error) => void;
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
  const dataset: Dataset = loadDataset(runConfig.dataset);
  const setName = config.sliceSet || `default-${dataset.spec.replace(/[^a-z0-9]+/gi, '-')}`;
  let setId = store.sliceSetByName(setName);
  if (setId === undefined) {
    const specs = defaultSliceSpecs(dataset, config.recordResolution, config.sliceModel || undefined);
    setId = await createSliceSet(store, setName, specs, {
      dataset,
      classifier: async (name) => (await loadClassifier(name)).classifier,
    });
  }
  const slices = store.slicesOf(setId);
  process.stdout.write(`recording slice set ${setName} into ${config.store}:\n${describeSlices(slices)}\n`);
  const existing = store.runByName(out);
  const runId = existing ?? store.createRun(out, runConfig, backend, setId);
  if (existing !== undefined) store.reopenRun(existing);
  const recorder = new Recorder(store, runId, slices, dataset.imageShape, dataset.classNames.length, {
    mode: config.recordMode === 'full' ? { kind: 'full' } : { kind: 'adaptive', coarse: 4 },
    schedule: { kind: 'every', k: config.recordEvery },
    keyEvery: 16,
    profileSamples: 32,
  });
  return {
    observer: (event) => recorder.record(event, event.model, event.attackMs > 0 ? { attackMs: event.attackMs } : {}),
    onEvent: (event) => {
      if (event.kind !== 'eval') return;
      const scalars: Record<string, number> = { testAccuracy: event.testAccuracy };
      if (event.robust) scalars['robustAccuracy'] = event.robust.robustAccuracy;
      store.putStep(runId, event.step, scalars, []);
    },
    finish: (error) => {
      store.setRunStatus(runId, error ? 'failed' : 'completed', error?.message ?? null);
      recorder.dispose();
      store.close();
    },
  };
}
