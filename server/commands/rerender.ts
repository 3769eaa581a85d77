import * as tf from '@tensorflow/tfjs';
import { dirname } from 'node:path';
import { assertPositiveInteger } from '../../core/assert.js';
import { modelFromTopology } from '../../trainer/checkpoint.js';
import { loadDataset } from '../../trainer/datasets/load.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { classifierOf } from '../../trainer/models/classifier.js';
import { loadSnapshot, loadSnapshotTopology } from '../../recorder/snapshots.js';
import { evaluateFrame, SliceEvaluator, type EvaluationMode } from '../../recorder/evaluate.js';
import { encodeFrame, type FramePixels } from '../../slices/frame-codec.js';
import { sliceGeometry } from '../../slices/geometry.js';
import { parsePoint } from '../../slices/points.js';
import { createSliceSet } from '../../recorder/slice-set.js';
import { parseFlags } from '../args.js';
import { RERENDER_DEFAULTS, RERENDER_OPTIONS } from '../config.js';
import { StoreError } from '../../store/errors.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { loadClassifier, startBackend } from './common.js';
import { timestamp } from '../../core/timestamp.js';

/**
 * `slicewatch rerender`: a slice chosen after training, evaluated on every weight snapshot of a
 * recorded run, stored as a new slice set's frames of that run (then `video --slice-set`).
 */
export async function rerenderCommand(argv: string[]): Promise<void> {
  const config = parseFlags(argv, RERENDER_DEFAULTS, RERENDER_OPTIONS);
  assertPositiveInteger('--resolution', config.resolution);
  if (config.run === '')
    throw new InvalidArgumentError('--run NAME is required: the --out folder of a run recorded with --record');
  if (config.mode !== 'full' && config.mode !== 'adaptive')
    throw new InvalidArgumentError(`invalid mode: ${config.mode}; expected full or adaptive`);
  const specs = { a: parsePoint(config.a), b: parsePoint(config.b), c: parsePoint(config.c) };
  const store = SqliteStore.openExisting(config.store);
  try {
    const run = store.runByName(config.run);
    if (!run) throw new StoreError(`no recorded run named ${config.run} in ${config.store}`);
    const snapshots = store.snapshots(run.id);
    if (snapshots.length === 0)
      throw new StoreError(`run ${config.run} has no weight snapshots; record it with slicewatch train --record`);
    await startBackend(config.backend);
    const dataset = loadDataset(run.config.dataset);
    const model = await modelFromTopology(loadSnapshotTopology(dirname(snapshots[0]!.path)));
    const sizes = model.getWeights().map((t) => t.size);
    const name = config.name || `rerender-${timestamp(new Date())}`;
    const setId = await createSliceSet(store, name, [{ name: 'rerendered', ...specs, resolution: config.resolution }], {
      dataset,
      classifier: async (path) => (await loadClassifier(path === 'self' ? config.run : path)).classifier,
    });
    const [slice] = store.sliceSet(setId)!.slices;
    const evaluator = new SliceEvaluator(
      sliceGeometry(slice!.vectors.a, slice!.vectors.b, slice!.vectors.c, { resolution: config.resolution }),
      dataset.imageShape,
    );
    const mode: EvaluationMode = config.mode === 'full' ? { kind: 'full' } : { kind: 'adaptive', coarse: 4 };
    let previous: FramePixels | undefined;
    const started = performance.now();
    for (const [k, snapshot] of snapshots.entries()) {
      const tensors = loadSnapshot(snapshot.path, sizes).map((values, i) =>
        tf.tensor(values, model.getWeights()[i]!.shape),
      );
      model.setWeights(tensors);
      tf.dispose(tensors);
      const frame = await evaluateFrame(evaluator, classifierOf(model), slice!.vectors, {
        mode,
        classes: dataset.classNames.length,
        previous: previous?.labels,
      });
      const key = k % 16 === 0;
      store.putFrames(run.id, snapshot.step, [
        { sliceId: slice!.id, delta: !key, data: encodeFrame(frame, key ? undefined : previous) },
      ]);
      previous = frame;
      if ((k + 1) % Math.max(1, Math.round(snapshots.length / 10)) === 0 || k + 1 === snapshots.length) {
        const rate = (k + 1) / ((performance.now() - started) / 1000);
        process.stdout.write(`rerendered ${k + 1}/${snapshots.length} snapshots  ${rate.toFixed(1)}/s\n`);
      }
    }
    evaluator.dispose();
    process.stdout.write(
      `slice set ${name}: ${snapshots.length} frames of run ${config.run} (steps ${snapshots[0]!.step}-${snapshots.at(-1)!.step}); see them with slicewatch video --runs ${config.run} --slice-set ${name}\n`,
    );
  } finally {
    store.close();
  }
}
