import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { backendFromEnv, initBackend, toBackendKind, type BackendInfo } from '../../trainer/backend.js';
import { loadCheckpoint, resolveCheckpoint } from '../../trainer/checkpoint.js';
import type { Dataset } from '../../trainer/datasets/dataset.js';
import { loadDataset } from '../../trainer/datasets/load.js';
import { InvalidArgumentError } from '../../trainer/errors.js';
import type * as tf from '@tensorflow/tfjs';
import { readRunRecord } from '../../trainer/run.js';
import type { ModelCommandConfig } from '../config.js';

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
  return existsSync(join(run, 'run.json')) ? run : undefined;
}

/** Loads the checkpoint and dataset a model command names. */
export async function loadModelAndDataset(
  config: ModelCommandConfig,
): Promise<{ model: tf.LayersModel; dataset: Dataset; checkpoint: string }> {
  if (config.checkpoint === '')
    throw new InvalidArgumentError('--checkpoint PATH is required (a checkpoint or run folder)');
  if (config.backend !== 'auto') toBackendKind(config.backend);
  const checkpoint = resolveCheckpoint(config.checkpoint);
  const run = runFolderOf(checkpoint);
  const dataset = loadDataset(config.dataset || (run ? readRunRecord(run).config.dataset : 'mnist'));
  await startBackend(config.backend);
  const { model } = await loadCheckpoint(checkpoint);
  process.stdout.write(`checkpoint: ${checkpoint}\ndataset: ${dataset.spec}\n`);
  return { model, dataset, checkpoint };
}
