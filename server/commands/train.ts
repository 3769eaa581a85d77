import { join } from 'node:path';
import { timestamp } from '../../core/timestamp.js';
import { toBackendKind } from '../../trainer/backend-info.js';
import { readRunRecord, runTraining } from '../../trainer/run.js';
import { parseFlags } from '../args.js';
import { TRAIN_DEFAULTS, TRAIN_OPTIONS, validateTrainConfig } from '../config.js';
import { progressPrinter } from '../progress.js';
import { startBackend } from './common.js';
import { startRecording } from './record.js';

/** `slicewatch train`: a training run with progress, evaluations and checkpoints, or its resumption. */
export async function trainCommand(argv: string[]): Promise<void> {
  let config = parseFlags(argv, TRAIN_DEFAULTS, TRAIN_OPTIONS);
  if (config.backend !== 'auto') toBackendKind(config.backend);
  validateTrainConfig(config);
  if (config.resume) {
    // The stored run defines the run; only its length can be extended from the command line.
    const stored = readRunRecord(config.out).config;
    const given = new Set(argv.map((a) => a.replace(/^--/, '').split('=')[0]));
    config = {
      ...config,
      ...stored,
      steps: given.has('steps') ? config.steps : stored.steps,
      epochs: given.has('epochs') ? config.epochs : stored.epochs,
    };
  }
  const out = config.out || join('runs', timestamp(new Date()));
  const backend = await startBackend(config.backend);
  process.stdout.write(`run folder: ${out}\n`);
  const {
    backend: _backend,
    out: _out,
    resume,
    record: _record,
    store: _store,
    sliceSet: _sliceSet,
    recordEvery: _recordEvery,
    recordMode: _recordMode,
    recordPolicy: _recordPolicy,
    recordResolution: _recordResolution,
    sliceModel: _sliceModel,
    ...runConfig
  } = config;
  const every = Math.max(1, Math.round(config.steps / 20));
  const print = progressPrinter(process.stdout, every);
  const recording = config.record ? await startRecording(config, runConfig, backend, out) : undefined;
  try {
    await runTraining(runConfig, {
      out,
      backend,
      resume,
      observers: recording ? [recording.observer] : [],
      onEvent: (event) => {
        recording?.onEvent(event);
        print(event);
      },
    });
    await recording?.finish();
  } catch (error) {
    await recording?.finish(error as Error);
    throw error;
  }
}
