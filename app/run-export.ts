import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from '../core/errors.js';
import { writeFileAtomically } from '../core/files.js';
import type { RunRecord, StoreReader } from '../store/types.js';

/**
 * A run folder's `run.json`: an export of the store's record of the run (the store is the truth),
 * with where that store is and the newest test and robust accuracy, for people and for tools that
 * read run folders.
 */
export interface RunExport extends Omit<RunRecord, 'id' | 'setId'> {
  /** The run store that holds the run. */
  store: string;
  testAccuracy: number | null;
  robustAccuracy: number | null;
}

const RUN_JSON = 'run.json';

/** Writes the run's run.json from the store's record, atomically. */
export function exportRunJson(folder: string, store: StoreReader & { path: string }, record: RunRecord): void {
  const newest = (name: string) => store.scalars(record.id, name).at(-1)?.value ?? null;
  const { id: _id, setId: _setId, ...rest } = record;
  const exported: RunExport = {
    ...rest,
    store: store.path,
    testAccuracy: newest('testAccuracy'),
    robustAccuracy: newest('robustAccuracy'),
  };
  writeFileAtomically(join(folder, RUN_JSON), `${JSON.stringify(exported, null, 2)}\n`);
}

/** Whether a folder holds a run (its run.json). */
export const isRunFolder = (folder: string): boolean => existsSync(join(folder, RUN_JSON));

/** A run folder's run.json; a missing or damaged one is a one-line CheckpointError naming the file. */
export function readRunJson(folder: string): RunExport {
  const file = join(folder, RUN_JSON);
  if (!existsSync(file)) throw new CheckpointError(`${file}: not found; is ${folder} a slicewatch run folder?`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunExport;
  } catch (error) {
    throw new CheckpointError(`${file}: not valid JSON (${(error as Error).message}); the run's store has its record`);
  }
}
