import { rerender } from '../../app/rerender.js';
import { timestamp } from '../../core/timestamp.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { parseOptions } from '../options.js';
import { startBackend } from './common.js';
import { evaluationMode } from './common-options.js';
import { RERENDER_OPTIONS } from './rerender-options.js';

/**
 * `slicewatch rerender`: a slice chosen after training, evaluated on every weight snapshot of a
 * recorded run, stored as a new slice set's frames of that run (then `video --slice-set`).
 */
export async function rerenderCommand(argv: string[]): Promise<void> {
  const config = parseOptions(argv, RERENDER_OPTIONS);
  const store = SqliteStore.openExisting(config.store);
  try {
    await startBackend(config.backend);
    const name = config.name || `rerender-${timestamp(new Date())}`;
    const started = performance.now();
    const result = await rerender(
      store,
      {
        run: config.run,
        points: { a: config.a, b: config.b, c: config.c },
        name,
        resolution: config.resolution,
        mode: evaluationMode(config.mode),
      },
      {
        onProgress: ({ done, total }) => {
          if (done % Math.max(1, Math.round(total / 10)) !== 0 && done !== total) return;
          const rate = done / ((performance.now() - started) / 1000);
          process.stdout.write(`rerendered ${done}/${total} snapshots  ${rate.toFixed(1)}/s\n`);
        },
      },
    );
    process.stdout.write(
      `slice set ${name}: ${result.frames} frames of run ${config.run} (steps ${result.firstStep}-${result.lastStep}); see them with slicewatch video --runs ${config.run} --slice-set ${name}\n`,
    );
  } finally {
    store.close();
  }
}
