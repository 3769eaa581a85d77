/**
 * The recorder's worker thread: its own compute backend and store connection, a copy of the
 * model rebuilt from its topology, and for each training step the weight snapshot the trainer
 * sent, so slices are evaluated while the trainer runs the next steps on the other core.
 */
import * as tf from '@tensorflow/tfjs';
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../trainer/backend.js';
import type { BackendKind } from '../trainer/backend-info.js';
import { modelFromTopology } from '../trainer/checkpoint.js';
import type { StepResult } from '../trainer/train-loop.js';
import type { RunId, SliceSetId } from '../core/ids.js';
import { StoreError } from '../store/errors.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { Recorder, type RecorderOptions } from './recorder.js';

export interface RecorderWorkerData {
  storePath: string;
  runId: RunId;
  setId: SliceSetId;
  modelTopology: object;
  imageShape: [number, number, number];
  classes: number;
  options: RecorderOptions;
  backend: BackendKind;
  /** The worker's wasm thread count. */
  threads: number;
}

export type RecorderWorkerMessage =
  | {
      kind: 'step';
      result: StepResult;
      weights: { values: Float32Array; shape: number[] }[];
      extra: Record<string, number>;
    }
  | { kind: 'scalars'; result: StepResult; extra: Record<string, number> }
  | { kind: 'close' };

export type RecorderWorkerReply =
  { kind: 'ready' } | { kind: 'recorded'; step: number } | { kind: 'closed' } | { kind: 'error'; message: string };

const data = workerData as RecorderWorkerData;
const port = parentPort!;
const reply = (message: RecorderWorkerReply) => port.postMessage(message);

try {
  await initBackend(data.backend, data.threads);
  const model = await modelFromTopology(data.modelTopology);
  const store = SqliteStore.openExisting(data.storePath);
  const set = store.sliceSet(data.setId);
  if (set === undefined) throw new StoreError(`no slice set with id ${data.setId} in ${data.storePath}`);
  const recorder = new Recorder(store, data.runId, set.slices, data.imageShape, data.classes, data.options);
  let queue = Promise.resolve();
  port.on('message', (message: RecorderWorkerMessage) => {
    queue = queue.then(async () => {
      try {
        if (message.kind === 'close') {
          recorder.dispose();
          store.close();
          reply({ kind: 'closed' });
          return;
        }
        if (message.kind === 'scalars') {
          recorder.recordScalars(message.result, message.extra);
          return;
        }
        const tensors = message.weights.map((w) => tf.tensor(w.values, w.shape));
        model.setWeights(tensors);
        tf.dispose(tensors);
        await recorder.record(message.result, model, message.extra);
        reply({ kind: 'recorded', step: message.result.step });
      } catch (error) {
        reply({ kind: 'error', message: (error as Error).message });
      }
    });
  });
  reply({ kind: 'ready' });
} catch (error) {
  reply({ kind: 'error', message: (error as Error).message });
}
