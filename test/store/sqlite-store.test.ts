import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from 'vitest';
import { toSliceId } from '../../core/ids.js';
import { encodeFrame } from '../../slices/frame-codec.js';
import { StoreError } from '../../store/errors.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { syntheticFrame } from '../fixtures/frames.js';
import { newestRunOnceInterrupted, newRun } from '../fixtures/store.js';

const tempStore = () => join(mkdtempSync(join(tmpdir(), 'slicewatch-store-')), 'slicewatch.db');
const vectors = (seed: number) => ({
  a: Float32Array.of(seed, 0.25, 0.5),
  b: Float32Array.of(0.1, seed / 10, 1),
  c: Float32Array.of(1 / 3, 0, 0.7),
});

test('WAL mode; slice sets keep provenance and bit-identical vectors; names are unique', () => {
  const path = tempStore();
  const store = new SqliteStore(path);
  const raw = new Database(path, { readonly: true });
  expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
  raw.close();
  const points = {
    a: { kind: 'dataset', split: 'test', index: 3 },
    b: { kind: 'grey' },
    c: { kind: 'random', seed: 9 },
  } as const;
  const setId = store.createSliceSet('default', 'mnist', [
    { name: 's', points, vectors: vectors(0.125), resolution: 64 },
  ]);
  const [slice] = store.sliceSet(setId)!.slices;
  expect(slice!.points).toEqual(points);
  expect(Array.from(slice!.vectors.b)).toEqual(Array.from(vectors(0.125).b));
  expect(Array.from(slice!.vectors.c)).toEqual(Array.from(Float32Array.of(1 / 3, 0, 0.7)));
  expect(() => store.createSliceSet('default', 'mnist', [])).toThrow(StoreError);
  expect(() => store.createSliceSet('default', 'mnist', [])).toThrow(
    'a slice set named default already exists; choose another name',
  );
  store.close();
});

test('steps are written atomically and frames decode as a delta chain; a second connection reads them', () => {
  const path = tempStore();
  const writer = new SqliteStore(path);
  const reader = new SqliteStore(path);
  const setId = writer.createSliceSet('set', 'mnist', [
    {
      name: 's',
      points: { a: { kind: 'grey' }, b: { kind: 'grey' }, c: { kind: 'grey' } },
      vectors: vectors(0),
      resolution: 64,
    },
  ]);
  const sliceId = writer.sliceSet(setId)!.slices[0]!.id;
  const runId = writer.createRun(newRun('baseline', setId, 3));
  const frames = [syntheticFrame(10), syntheticFrame(12), syntheticFrame(12)];
  frames.forEach((frame, i) => {
    const data = encodeFrame(frame, i === 0 ? undefined : frames[i - 1]);
    writer.putStep(runId, i + 1, { loss: 2 - i }, [{ sliceId, delta: i > 0, data }]);
    // The reader sees each step as soon as it is committed.
    expect(reader.frameRows(runId, sliceId).length).toBe(i + 1);
  });
  const decoded = [...reader.frames(runId, sliceId)];
  expect(decoded.map((d) => d.step)).toEqual([1, 2, 3]);
  decoded.forEach((d, i) => expect(Array.from(d.frame.labels)).toEqual(Array.from(frames[i]!.labels)));
  // Columns 10 and 11 flip at step 2 where feasible (grey corner x + y < 10.67): 63 + 64 pixels.
  expect(decoded.map((d) => d.frame.metrics.flipped)).toEqual([0, 2 * 64 - 1, 0]);
  expect(reader.scalars(runId, 'loss')).toEqual([
    { step: 1, value: 2 },
    { step: 2, value: 1 },
    { step: 3, value: 0 },
  ]);
  const failing = () =>
    writer.putStep(runId, 4, { loss: 9 }, [{ sliceId: toSliceId(999_999), delta: false, data: new Uint8Array(1) }]);
  expect(failing).toThrow();
  // The failed step left nothing behind: neither its scalar nor the run's step counter.
  expect(reader.scalars(runId, 'loss')).toHaveLength(3);
  expect(reader.runs()[0]).toMatchObject({ name: 'baseline', status: 'running', step: 3 });
  writer.close();
  reader.close();
});

test('kill -9 of a writing process leaves every committed step readable and the run interrupted', async () => {
  const path = tempStore();
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/store-writer.ts', path], {
    stdio: 'inherit',
  });
  const reader = await new Promise<SqliteStore>((resolve) => {
    const poll = setInterval(() => {
      try {
        const store = SqliteStore.openExisting(path, { readonly: true });
        const run = store.runs()[0];
        if (run && run.step >= 50) {
          clearInterval(poll);
          resolve(store);
          return;
        }
        store.close();
      } catch {
        // The writer has not created its tables yet.
      }
    }, 50);
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  const after = new SqliteStore(path);
  // The killed writer's last heartbeat reads as stale once HEARTBEAT_TIMEOUT_MS has passed.
  const run = await newestRunOnceInterrupted(after);
  expect(run!.status).toBe('interrupted');
  for (const slice of after.sliceSet(run!.setId!)!.slices) {
    const steps = [...after.frames(run!.id, slice.id)].map((f) => f.step);
    // Every committed step, contiguous from 1, and the run's counter agrees.
    expect(steps).toEqual(Array.from({ length: run!.step }, (_, i) => i + 1));
  }
  expect(after.scalars(run!.id, 'loss')).toHaveLength(run!.step);
  reader.close();
  after.close();
}, 60_000);

test('a slice set no run was recorded on can be deleted, with frames rendered on it; one with a run cannot', () => {
  const store = new SqliteStore(tempStore());
  const slice = {
    name: 's',
    points: { a: { kind: 'grey' }, b: { kind: 'grey' }, c: { kind: 'grey' } },
    vectors: vectors(0),
    resolution: 64,
  } as const;
  const used = store.createSliceSet('used', 'mnist', [slice]);
  const run = store.createRun(newRun('r', used, 1));
  const later = store.createSliceSet('later', 'mnist', [slice]);
  const laterSlice = store.sliceSet(later)!.slices[0]!.id;
  store.putFrames(run, 1, [{ sliceId: laterSlice, delta: false, data: encodeFrame(syntheticFrame(10)) }]);
  expect(() => store.deleteSliceSet(used)).toThrow(`slice set ${used} cannot be deleted: run r was recorded on it`);
  store.deleteSliceSet(later);
  expect(store.sliceSets().map((s) => s.name)).toEqual(['used']);
  expect(store.frameRows(run, laterSlice)).toEqual([]);
  store.close();
});
