import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { SqliteStore } from '../../store/sqlite-store.js';
import { START_CURSOR, type RunStatus } from '../../store/types.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a second connection polling changesSince every 100 ms sees every step of `train --record` once, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slicewatch-live-'));
  const out = join(dir, 'run');
  const db = join(dir, 's.db');
  const args = ['train', '--record', '--steps', '12', '--out', out, '--store', db, '--record-resolution', '16'];
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/bin.ts', ...args, '--eval-attack', 'none'], {
    cwd: join(import.meta.dirname, '../..'),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  let reader: SqliteStore | undefined;
  let cursor = START_CURSOR;
  const steps: number[] = [];
  const statuses: RunStatus[] = [];
  const deadline = Date.now() + 150_000;
  while (statuses.at(-1) !== 'completed' && statuses.at(-1) !== 'failed' && Date.now() < deadline) {
    await sleep(100);
    if (reader === undefined) {
      try {
        reader = SqliteStore.openExisting(db, { readonly: true });
      } catch {
        continue; // The trainer has not created the store yet.
      }
    }
    const changes = reader.changesSince(cursor);
    cursor = changes.cursor;
    steps.push(...changes.steps.filter((s) => reader!.run(s.runId)?.name === out).map((s) => s.step));
    statuses.push(...changes.runs.filter((r) => r.name === out).map((r) => r.status));
  }
  expect(await exited).toBe(0);
  expect(stderr).toBe('');
  expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  // Never read as interrupted on the way: the trainer beat all along.
  expect(statuses).toEqual(['running', 'completed']);
  expect(reader!.runByName(out)).toMatchObject({ status: 'completed', step: 12, totalSteps: 12 });
  reader!.close();
}, 180_000);
