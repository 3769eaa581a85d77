import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../core/errors.js';
import type { RunId, SliceSetId } from '../core/ids.js';
import { evaluationModeNamed, TEMPORAL_DEFAULTS, type EvaluationMode } from '../recorder/evaluate.js';
import { createSliceSet, defaultSliceSpecs, describeSlices } from '../recorder/slice-set.js';
import { FRAME_ENCODING, Recorder, stepScalars, type RecorderOptions } from '../recorder/recorder.js';
import { isSnapshotStep, saveSnapshot } from '../recorder/snapshots.js';
import { WorkerRecorder, type RecordPolicy } from '../recorder/worker-recorder.js';
import { StoreError } from '../store/errors.js';
import { startHeartbeat } from '../store/heartbeat.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { BackendInfo } from '../trainer/backend-info.js';
import type { Dataset } from '../trainer/datasets/dataset.js';
import { loadDataset } from '../trainer/datasets/load.js';
import { loadClassifier } from '../trainer/load-classifier.js';
import type { RunConfig } from '../trainer/run-config.js';
import { runTraining, totalSteps, type TrainEvent } from '../trainer/run.js';
import type { StepObserver } from '../trainer/train-loop.js';
import { exportRunJson } from './run-export.js';

/** What `--record` asks for: frames of a slice set after every recorded step. */
export interface RecordingOptions {
  /** The slice set by name; empty: `default-<dataset>`, created on first use. */
  sliceSet: string;
  /** Pixels along the longer side of each slice of a new set. */
  resolution: number;
  mode: EvaluationMode;
  policy: RecordPolicy;
  /** Record every k-th step (step 1 always). */
  every: number;
  /** A checkpoint to compute a new set's adversarial slice against; empty: none. */
  sliceModel: string;
}

/**
 * Recording settings for a recorded run resumed without --record: every step, training waits, in
 * the run's own record mode, or temporal (the default, BENCHMARKS.md issue 16) for runs recorded
 * before the mode was kept.
 */
export const RECORDING_DEFAULTS: RecordingOptions = {
  sliceSet: '',
  resolution: 64,
  mode: TEMPORAL_DEFAULTS,
  policy: 'wait',
  every: 1,
  sliceModel: '',
};

export interface SessionOptions {
  /** The run's own settings; on resume, the stored ones, with `length` applied. */
  config: RunConfig;
  /** On resume, a new length for the run (steps or epochs given on the command line). */
  length?: Partial<Pick<RunConfig, 'steps' | 'epochs'>>;
  /** The run folder (checkpoints, snapshots, run.json) and the run's name in the store. */
  out: string;
  /** The run store file; created when missing. */
  store: string;
  /** Continue the run named `out` in the store from its newest checkpoint. */
  resume: boolean;
  backend: BackendInfo;
  /** Record frames; absent: only scalars and status go to the store. */
  recording?: RecordingOptions;
}

export interface SessionCallbacks {
  /** Aborting stops the run after the current step: a checkpoint there, and the run ends `stopped`. */
  signal?: AbortSignal;
  onEvent?: (event: TrainEvent) => void;
  /** One line of what the session does (slice set, recorder), without a newline. */
  log?: (line: string) => void;
}

/**
 * A training run as a user starts it: registered in the store (created, or taken over to resume),
 * kept alive there by a heartbeat, every step's scalars (and, when recording, frames) committed as
 * the run goes, and ended `completed` or `failed` with the error. The run folder's run.json is an
 * export of the store's record. A checkpoint is written only once the recorder has committed every
 * step before it, so a resumed run never skips a recorded step.
 */
export async function runSession(
  options: SessionOptions,
  callbacks: SessionCallbacks = {},
): Promise<{ runId: RunId; testAccuracy: number; stopped: boolean }> {
  const { out, backend } = options;
  const { onEvent = () => {}, log = () => {} } = callbacks;
  // A new run's dataset is checked before anything is written; a resumed run's store must exist.
  const fresh = options.resume ? undefined : loadDataset(options.config.dataset);
  if (fresh) mkdirSync(dirname(options.store) || '.', { recursive: true });
  const store = fresh ? new SqliteStore(options.store) : SqliteStore.openExisting(options.store);
  try {
    const existing = store.runByName(out);
    if (existing && !options.resume)
      throw new StoreError(
        `${options.store} already holds a run named ${out}; pass --resume to continue it or choose another --out`,
      );
    if (!existing && options.resume)
      throw new StoreError(
        `${options.store} holds no run named ${out}; check --out and --store, or start it without --resume`,
      );
    if (existing?.status === 'running')
      throw new StoreError(
        `run ${out} is being trained by another process (heartbeat at ${existing.heartbeatAt}); stop it first, or wait until it reads as interrupted`,
      );
    if (existing && options.recording && existing.setId === null)
      throw new InvalidArgumentError(`run ${out} was trained without --record; resume it without --record`);
    const config = existing ? { ...existing.config, ...options.length } : options.config;
    // A recorded run goes on recording when resumed, on its own slice set.
    const recording =
      options.recording ??
      (existing?.setId
        ? {
            ...RECORDING_DEFAULTS,
            mode: evaluationModeNamed(existing.config.recordMode ?? RECORDING_DEFAULTS.mode.kind),
          }
        : undefined);
    if (recording && !options.recording) log(`resuming recorded run ${out}: recording it every step, as --record does`);
    const dataset = fresh ?? loadDataset(config.dataset);
    const setId = recording ? await sliceSetFor(store, dataset, recording, existing?.setId ?? null, log) : null;
    const planned = totalSteps(config, Math.max(1, Math.floor(dataset.train.count / config.batchSize)));
    // The run's record says how its frames are evaluated.
    const recorded = recording ? { ...config, recordMode: recording.mode.kind } : config;
    const runId = existing?.id ?? store.createRun({ name: out, setId, config: recorded, backend, totalSteps: planned });
    if (existing) store.reopenRun(existing.id, planned);
    const heartbeat = startHeartbeat(store, runId);
    const exportRecord = () => exportRunJson(out, store, store.run(runId)!);
    mkdirSync(out, { recursive: true });
    exportRecord();
    const recorder =
      recording && setId !== null ? frameRecorder(store, runId, setId, dataset, backend, recording, out) : undefined;
    const scalarsOnly: StepObserver = (event) => store.putStep(runId, event.step, stepScalars(event), []);
    try {
      const result = await runTraining(config, {
        out,
        resume: options.resume,
        observers: [recorder?.observer ?? scalarsOnly],
        beforeCheckpoint: async () => recorder?.drain(),
        ...(callbacks.signal ? { signal: callbacks.signal } : {}),
        onEvent: (event) => {
          if (event.kind === 'eval') {
            const scalars: Record<string, number> = { testAccuracy: event.testAccuracy };
            // The final figure (the strong attack) and the cheap periodic checks are separate series.
            if (event.robust)
              scalars[event.final ? 'robustAccuracy' : 'robustAccuracyCheck'] = event.robust.robustAccuracy;
            store.putScalars(runId, event.step, scalars);
          }
          onEvent(event);
          if (event.kind === 'checkpoint' || event.kind === 'start') exportRecord();
        },
      });
      await recorder?.close(log);
      heartbeat.stop();
      store.endRun(runId, result.stopped ? 'stopped' : 'completed');
      exportRecord();
      result.model.dispose();
      return { runId, testAccuracy: result.testAccuracy, stopped: result.stopped };
    } catch (error) {
      await recorder?.close(log).catch(() => undefined);
      heartbeat.stop();
      store.endRun(runId, 'failed', (error as Error).message);
      exportRecord();
      throw error;
    }
  } finally {
    store.close();
  }
}

/** The run's slice set: the one it was recorded on (resume), else the named or default set, created on first use. */
async function sliceSetFor(
  store: SqliteStore,
  dataset: Dataset,
  recording: RecordingOptions,
  current: SliceSetId | null,
  log: (line: string) => void,
): Promise<SliceSetId> {
  const name = recording.sliceSet || `default-${dataset.spec.replace(/[^a-z0-9]+/gi, '-')}`;
  const set =
    (current === null ? store.sliceSetByName(name) : store.sliceSet(current)) ??
    store.sliceSet(
      await createSliceSet(
        store,
        name,
        defaultSliceSpecs(dataset, recording.resolution, recording.sliceModel || undefined),
        { dataset, classifier: async (path) => (await loadClassifier(path)).classifier },
      ),
    )!;
  log(`recording slice set ${set.name} into ${store.path}:\n${describeSlices(set.slices)}`);
  return set.id;
}

/**
 * Where a run's frames are evaluated: in the training process when the backend is wasm on several
 * threads (the worker's own backend then competes for the same cores and cost more, BENCHMARKS.md)
 * and training waits anyway; else on a worker thread, which overlaps a single-threaded trainer,
 * keeps a recorder failure out of the training process, and alone can skip steps (`newest`).
 */
export function recorderPlacement(backend: BackendInfo, policy: RecordPolicy): 'in-process' | 'worker' {
  return backend.kind === 'wasm' && (backend.threads ?? 1) > 1 && policy === 'wait' ? 'in-process' : 'worker';
}

/**
 * The recorder for a run: weight snapshots on disk on their retention schedule, and every step
 * recorded where recorderPlacement says, its frames and scalars committed in one transaction.
 */
function frameRecorder(
  store: SqliteStore,
  runId: RunId,
  setId: SliceSetId,
  dataset: Dataset,
  backend: BackendInfo,
  recording: RecordingOptions,
  out: string,
) {
  const options: RecorderOptions = {
    mode: recording.mode,
    schedule: { kind: 'every', k: recording.every },
    ...FRAME_ENCODING,
  };
  const classes = dataset.classNames.length;
  const inProcess = recorderPlacement(backend, recording.policy) === 'in-process';
  const local = inProcess
    ? new Recorder(store, runId, store.sliceSet(setId)!.slices, dataset.imageShape, classes, options)
    : undefined;
  // The worker needs the model's topology, which exists from the first step on.
  let worker: WorkerRecorder | undefined;
  const workerFor = (model: tf.LayersModel) =>
    (worker ??= new WorkerRecorder(
      {
        storePath: store.path,
        runId,
        setId,
        modelTopology: model.toJSON(null, false) as object,
        imageShape: dataset.imageShape,
        classes,
        options,
        backend: backend.kind,
        threads: backend.threads ?? 1,
      },
      2,
      recording.policy,
    ));
  const observer: StepObserver = async (event) => {
    if (isSnapshotStep(event.step)) {
      // Read asynchronously: a GPU backend (webgpu) cannot read synchronously in Node.
      const weights = await Promise.all(event.model.getWeights().map(async (t) => Float32Array.from(await t.data())));
      const topology = event.model.toJSON(null, false) as object;
      store.putSnapshot(runId, event.step, saveSnapshot(join(out, 'snapshots'), event.step, topology, weights));
    }
    return local ? local.record(event, event.model) : workerFor(event.model).record(event, event.model);
  };
  return {
    observer,
    drain: async () => worker?.drain(),
    close: async (log: (line: string) => void) => {
      local?.dispose();
      await worker?.close();
      if (worker && worker.skipped > 0)
        log(
          `recorder: frames of ${worker.skipped} steps skipped to keep up (--record-policy newest); their scalars are stored`,
        );
    },
  };
}
