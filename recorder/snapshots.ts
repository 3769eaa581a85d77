import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomically } from '../core/files.js';
import { join } from 'node:path';
import { CheckpointError } from '../core/errors.js';

/**
 * Weight snapshots for re-rendering a run's history on slices chosen after training: the model's
 * topology once, then every weight (trainable and batch-norm statistics) of a step as one float32
 * file. Kept on a retention schedule: every step up to 100, every 10th up to 1,000, then every 100th.
 */
export function isSnapshotStep(step: number): boolean {
  if (step <= 100) return true;
  if (step <= 1000) return step % 10 === 0;
  return step % 100 === 0;
}

const TOPOLOGY = 'topology.json';
const fileOf = (folder: string, step: number) => join(folder, `step-${String(step).padStart(8, '0')}.f32`);

/** Saves a step's weights (and, once, the topology), writing to a temporary file and renaming. */
export function saveSnapshot(folder: string, step: number, topology: object, weights: Float32Array[]): string {
  mkdirSync(folder, { recursive: true });
  if (!existsSync(join(folder, TOPOLOGY))) writeFileAtomically(join(folder, TOPOLOGY), JSON.stringify(topology));
  const file = fileOf(folder, step);
  writeFileAtomically(file, Buffer.concat(weights.map((w) => Buffer.from(w.buffer, w.byteOffset, w.byteLength))));
  return file;
}

/** The topology saved with a run's snapshots. */
export function loadSnapshotTopology(folder: string): object {
  const file = join(folder, TOPOLOGY);
  if (!existsSync(file)) throw new CheckpointError(`${file}: not found; was the run recorded with snapshots?`);
  return JSON.parse(readFileSync(file, 'utf8')) as object;
}

/** A step's weights, split into arrays of the given sizes. */
export function loadSnapshot(file: string, sizes: number[]): Float32Array[] {
  const bytes = readFileSync(file);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (all.length !== total) throw new CheckpointError(`${file}: ${all.length} values, the model has ${total}`);
  let offset = 0;
  return sizes.map((n) => all.subarray(offset, (offset += n)));
}
