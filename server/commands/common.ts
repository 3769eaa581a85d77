import { dirname } from 'node:path';
import { backendFromEnv, initBackend } from '../../trainer/backend.js';
import { toBackendKind, type BackendInfo } from '../../trainer/backend-info.js';
import { resolveCheckpoint } from '../../trainer/checkpoint.js';
import type { Dataset } from '../../trainer/datasets/dataset.js';
import { loadDataset } from '../../trainer/datasets/load.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { isRunFolder, readRunJson } from '../../app/run-export.js';
import { loadClassifier } from '../../trainer/load-classifier.js';
import type { Classifier } from '../../trainer/models/classifier.js';
import type { ModelCommandConfig } from './common-options.js';

/** Starts the compute backend a flag (or SLICEWATCH_BACKEND) asks for, and reports it. */
export async function startBackend(flag: 'auto' | string): Promise<BackendInfo> {
  const forced = flag === 'auto' ? backendFromEnv() : toBackendKind(flag);
  const backend = await initBackend(forced);
  for (const warning of backend.warnings) process.stderr.write(`warning: ${warning}\n`);
  process.stdout.write(`backend: ${backend.kind} — ${backend.detail}\n`);
  return backend;
}

/** The run folder a checkpoint belongs to, if it is inside one. */
function runFolderOf(checkpoint: string): string | undefined {
  const run = dirname(dirname(checkpoint));
  return isRunFolder(run) ? run : undefined;
}

/** Loads the checkpoint(s) and dataset a model command names. */
export async function loadModelAndDataset(
  config: ModelCommandConfig,
): Promise<{ classifier: Classifier; dataset: Dataset; checkpoint: string }> {
  if (config.checkpoint === '')
    throw new InvalidArgumentError('--checkpoint PATH is required (a checkpoint or run folder)');
  if (config.backend !== 'auto') toBackendKind(config.backend);
  const first = resolveCheckpoint(config.checkpoint.split('+')[0]!);
  const run = runFolderOf(first);
  const dataset = loadDataset(config.dataset || (run ? readRunJson(run).config.dataset : 'mnist'));
  await startBackend(config.backend);
  const { classifier, checkpoints } = await loadClassifier(config.checkpoint);
  const checkpoint = checkpoints.join('+');
  process.stdout.write(
    `checkpoint: ${checkpoints.length > 1 ? `ensemble of ${checkpoint}` : checkpoint}\ndataset: ${dataset.spec}\n`,
  );
  return { classifier, dataset, checkpoint };
}
