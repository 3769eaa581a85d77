import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from '../core/errors.js';
// Registers our layer classes (SlicewatchBatchNormalization) for deserialization.
import './models/batch-norm.js';

/** What a checkpoint holds besides the model: where training stands and how to continue it. */
export interface CheckpointMeta {
  format: 'slicewatch-checkpoint/1';
  /** Updates done when it was saved; training resumes at step + 1. */
  step: number;
  /** Shapes of the optimizer's state arrays, in the order of the model's trainable weights. */
  optimizerShapes: number[][];
}

export interface Checkpoint {
  model: tf.LayersModel;
  optimizerState: Float32Array[];
  meta: CheckpointMeta;
}

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';
const OPTIMIZER_BIN = 'optimizer.bin';
const META_JSON = 'checkpoint.json';

/** The folder of the checkpoint at `step` inside a run's checkpoint folder. */
export function checkpointPath(folder: string, step: number): string {
  return join(folder, `step-${String(step).padStart(8, '0')}`);
}

/**
 * Saves the model in the TensorFlow.js layers format (model.json + weights.bin, loadable by
 * tf.loadLayersModel) and the optimizer state beside it. Writes into a temporary folder and
 * renames it, so a checkpoint folder is either complete or absent.
 */
export async function saveCheckpoint(
  folder: string,
  model: tf.LayersModel,
  optimizerState: Float32Array[],
  step: number,
): Promise<string> {
  const target = checkpointPath(folder, step);
  const temp = `${target}.partial`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(temp, MODEL_JSON), JSON.stringify(modelJson));
      writeFileSync(join(temp, WEIGHTS_BIN), new Uint8Array(weights));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  const shapes = model.trainableWeights.map((w) => w.shape as number[]);
  const meta: CheckpointMeta = {
    format: 'slicewatch-checkpoint/1',
    step,
    optimizerShapes: optimizerState.length ? shapes : [],
  };
  writeFileSync(
    join(temp, OPTIMIZER_BIN),
    Buffer.concat(optimizerState.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))),
  );
  writeFileSync(join(temp, META_JSON), JSON.stringify(meta, null, 2));
  rmSync(target, { recursive: true, force: true });
  renameSync(temp, target);
  return target;
}

function readJson<T>(file: string): T {
  if (!existsSync(file)) throw new CheckpointError(`${file}: not found; is this a slicewatch checkpoint folder?`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new CheckpointError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

/** A model (fresh weights) from a saved topology: `model.toJSON(null, false)` of one of ours. */
export function modelFromTopology(topology: object): Promise<tf.LayersModel> {
  return tf.models.modelFromJSON({ modelTopology: topology } as tf.io.ModelJSON);
}

/** Bytes per value of the weight dtypes tfjs-layers saves. */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** Loads a checkpoint folder written by saveCheckpoint; a damaged file is named in a CheckpointError. */
export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  const meta = readJson<CheckpointMeta>(join(path, META_JSON));
  if (meta.format !== 'slicewatch-checkpoint/1')
    throw new CheckpointError(`${path}: unknown checkpoint format ${String(meta.format)}`);
  const modelJson = readJson<{ modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] }>(
    join(path, MODEL_JSON),
  );
  const weightsFile = join(path, WEIGHTS_BIN);
  if (!existsSync(weightsFile)) throw new CheckpointError(`${weightsFile}: not found`);
  const weights = readFileSync(weightsFile);
  const modelFile = join(path, MODEL_JSON);
  let weightSpecs: tf.io.WeightsManifestEntry[];
  try {
    weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  } catch {
    throw new CheckpointError(`${modelFile}: no weightsManifest; is it a TensorFlow.js layers model?`);
  }
  const expected = weightSpecs.reduce(
    (bytes, w) => bytes + w.shape.reduce((a, b) => a * b, 1) * (DTYPE_BYTES[w.dtype ?? 'float32'] ?? 4),
    0,
  );
  if (weights.length !== expected) {
    throw new CheckpointError(
      `${weightsFile}: ${weights.length} bytes, but ${modelFile} describes ${expected}; the file is truncated or belongs to another model`,
    );
  }
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs,
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    );
  } catch (error) {
    throw new CheckpointError(
      `${modelFile}: cannot build the model (${String((error as Error).message ?? error).split('\n')[0]})`,
    );
  }
  const optimizerFile = join(path, OPTIMIZER_BIN);
  if (!existsSync(optimizerFile)) throw new CheckpointError(`${optimizerFile}: not found`);
  const optimizerBytes = readFileSync(optimizerFile);
  const optimizerState: Float32Array[] = [];
  let offset = 0;
  for (const shape of meta.optimizerShapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (offset + size * 4 > optimizerBytes.length) throw new CheckpointError(`${optimizerFile}: truncated`);
    optimizerState.push(
      new Float32Array(
        optimizerBytes.buffer.slice(optimizerBytes.byteOffset + offset, optimizerBytes.byteOffset + offset + size * 4),
      ),
    );
    offset += size * 4;
  }
  return { model, optimizerState, meta };
}

/** The newest complete checkpoint in a folder, or undefined when there is none. */
export function latestCheckpoint(folder: string): string | undefined {
  if (!existsSync(folder)) return undefined;
  const names = readdirSync(folder)
    .filter((name) => /^step-\d{8}$/.test(name))
    .sort();
  const last = names.at(-1);
  return last === undefined ? undefined : join(folder, last);
}

/**
 * A checkpoint folder from a path that is one, or a run folder (its newest checkpoint).
 * Throws CheckpointError saying what was expected.
 */
export function resolveCheckpoint(path: string): string {
  if (existsSync(join(path, META_JSON))) return path;
  const latest = latestCheckpoint(join(path, 'checkpoints'));
  if (latest !== undefined) return latest;
  throw new CheckpointError(
    `${path}: neither a checkpoint folder (with ${META_JSON}) nor a run folder with checkpoints`,
  );
}
