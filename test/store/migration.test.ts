import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { toRunId, toSliceId } from '../../core/ids.js';
import { encodeFrame } from '../../slices/frame-codec.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { START_CURSOR } from '../../store/types.js';
import { RUN_DEFAULTS } from '../../trainer/run-config.js';
import { syntheticFrame } from '../fixtures/frames.js';
import { writeV1Store } from '../fixtures/store-v1.js';

const tempStore = () => join(mkdtempSync(join(tmpdir(), 'slicewatch-migrate-')), 'slicewatch.db');
const backend = JSON.stringify({ kind: 'wasm', detail: 'v1', warnings: [] });
const frames = [syntheticFrame(10), syntheticFrame(11), syntheticFrame(12)];

/** A version 1 store: a finished run with scalars, frames and a snapshot, a killed one and one marked interrupted. */
function v1Store(path: string, fill: (db: Database.Database) => void = () => {}): void {
  writeV1Store(path, (db) => {
    db.prepare("INSERT INTO slice_sets VALUES (1, 'set', 'mnist', '2025-12-31T00:00:00.000Z')").run();
    const vectors = Float32Array.of(0, 0.25, 0.5, 0.75, 1, 1 / 3);
    db.prepare('INSERT INTO slices VALUES (1, 1, 0, ?, ?, ?, 32)').run(
      's',
      JSON.stringify({ a: { kind: 'grey' }, b: { kind: 'grey' }, c: { kind: 'grey' } }),
      Buffer.from(vectors.buffer),
    );
    const run = db.prepare('INSERT INTO runs VALUES (?, ?, 1, ?, ?, ?, ?, ?, NULL, ?, ?)');
    const at = (hour: number) => `2025-12-31T${String(hour).padStart(2, '0')}:00:00.000Z`;
    run.run(1, 'done', JSON.stringify({ ...RUN_DEFAULTS, steps: 3 }), backend, 'completed', 3, 100, at(9), at(10));
    run.run(2, 'killed', JSON.stringify({ ...RUN_DEFAULTS, epochs: 2 }), backend, 'running', 2, 999_999, at(9), at(11));
    run.run(3, 'marked', '{}', backend, 'interrupted', 1, null, at(9), at(12));
    frames.forEach((frame, i) => {
      db.prepare("INSERT INTO scalars VALUES (1, ?, 'loss', ?)").run(i + 1, 3 - i);
      db.prepare('INSERT INTO frames VALUES (1, 1, ?, ?, ?)').run(
        i + 1,
        i > 0 ? 1 : 0,
        Buffer.from(encodeFrame(frame, i > 0 ? frames[i - 1] : undefined)),
      );
    });
    db.prepare("INSERT INTO snapshots VALUES (1, 3, '/runs/done/snapshots/3')").run();
    fill(db);
  });
}

function raw<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}
const versionOf = (path: string) =>
  raw(path, (db) => db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get());
const runColumns = (path: string) =>
  raw(path, (db) => (db.pragma('table_info(runs)') as { name: string }[]).map((c) => c.name));

test('a version 1 store is migrated on open: runs get a heartbeat and a planned length, everything else is kept', () => {
  const path = tempStore();
  v1Store(path);
  const store = new SqliteStore(path, { now: () => Date.UTC(2026, 0, 1) });
  expect(versionOf(path)).toBe('2');
  expect(runColumns(path)).toEqual([
    'id',
    'name',
    'set_id',
    'config',
    'backend',
    'status',
    'step',
    'total_steps',
    'error',
    'created_at',
    'updated_at',
    'heartbeat_at',
  ]);
  // The killed run's last update is its heartbeat, long stale; an epochs run's planned length is unknown: its step.
  expect(store.runs().map((r) => [r.name, r.status, r.step, r.totalSteps, r.heartbeatAt])).toEqual([
    ['marked', 'interrupted', 1, 1, '2025-12-31T12:00:00.000Z'],
    ['killed', 'interrupted', 2, 2, '2025-12-31T11:00:00.000Z'],
    ['done', 'completed', 3, 3, '2025-12-31T10:00:00.000Z'],
  ]);
  const done = toRunId(1);
  expect(store.run(done)!.config).toEqual({ ...RUN_DEFAULTS, steps: 3 });
  expect(store.scalars(done, 'loss').map((s) => s.value)).toEqual([3, 2, 1]);
  const decoded = [...store.frames(done, toSliceId(1))];
  decoded.forEach((d, i) => expect(Array.from(d.frame.labels)).toEqual(Array.from(frames[i]!.labels)));
  expect(store.snapshots(done)).toEqual([{ step: 3, path: '/runs/done/snapshots/3' }]);
  expect(Array.from(store.sliceSet(store.run(done)!.setId!)!.slices[0]!.vectors.c)).toEqual(
    [1, 1 / 3].map(Math.fround),
  );

  // The rebuilt runs table is still what the other tables refer to, with foreign keys enforced.
  expect(() => store.putScalars(toRunId(99), 1, { loss: 1 })).toThrow(/FOREIGN KEY/);
  // The commit log starts at the migration; the migrated runs are known from the start.
  expect(store.changesSince(START_CURSOR)).toMatchObject({ steps: [], scalars: [] });
  expect(store.changesSince(START_CURSOR).runs.map((r) => r.name)).toEqual(['done', 'killed', 'marked']);
  store.reopenRun(toRunId(2), 5);
  store.putStep(toRunId(2), 3, { loss: 1 }, []);
  expect(store.changesSince(START_CURSOR).steps).toEqual([{ runId: 2, step: 3 }]);
  expect(store.run(toRunId(2))).toMatchObject({ status: 'running', step: 3, totalSteps: 5 });
  store.close();
  // Opening again finds version 2 and changes nothing.
  new SqliteStore(path).close();
  expect(versionOf(path)).toBe('2');
});

test('a reading command on a version 1 store migrates it once, then reads', () => {
  const path = tempStore();
  v1Store(path);
  const reader = SqliteStore.openExisting(path, { readonly: true });
  expect(versionOf(path)).toBe('2');
  expect(reader.runs().map((r) => r.name)).toEqual(['marked', 'killed', 'done']);
  reader.close();
});

test('a migration that fails leaves the version 1 file as it was', () => {
  const path = tempStore();
  v1Store(path, (db) => {
    db.pragma('foreign_keys = OFF');
    db.prepare("INSERT INTO scalars VALUES (42, 1, 'loss', 1)").run();
  });
  expect(() => new SqliteStore(path)).toThrow(`${path}: 1 rows refer to missing records`);
  expect(versionOf(path)).toBe('1');
  expect(runColumns(path)).toContain('pid');
  expect(raw(path, (db) => db.prepare('SELECT COUNT(*) FROM runs').pluck().get())).toBe(3);
});

test('a store of a newer schema version is refused, for writing and for reading', () => {
  const path = tempStore();
  writeV1Store(path, (db) => db.prepare("UPDATE meta SET value = '3' WHERE key = 'schema_version'").run());
  const message = `${path}: store schema version 3, this slicewatch reads up to version 2; update slicewatch`;
  expect(() => new SqliteStore(path)).toThrow(message);
  expect(() => SqliteStore.openExisting(path, { readonly: true })).toThrow(message);
  expect(versionOf(path)).toBe('3');
});
