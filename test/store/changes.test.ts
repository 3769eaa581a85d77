import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { encodeFrame } from '../../slices/frame-codec.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { HEARTBEAT_TIMEOUT_MS, START_CURSOR, type StoreChanges } from '../../store/types.js';
import { syntheticFrame } from '../fixtures/frames.js';
import { newRun } from '../fixtures/store.js';

const tempStore = () => join(mkdtempSync(join(tmpdir(), 'slicewatch-changes-')), 'slicewatch.db');

/** A change list in a form that reads at a glance: steps as `run:step`, runs as `name status`. */
const summary = (changes: StoreChanges, names: Map<number, string>) => ({
  steps: changes.steps.map((s) => `${names.get(s.runId)}:${s.step}`),
  scalars: changes.scalars.map((s) => `${names.get(s.runId)}:${s.step}`),
  runs: changes.runs.map((r) => `${r.name} ${r.status}`),
});

test('a second connection sees each committed step once and in commit order, and run changes', () => {
  const path = tempStore();
  const writer = new SqliteStore(path);
  const reader = new SqliteStore(path);
  const names = new Map<number, string>();
  let cursor = reader.cursor();
  const poll = () => {
    const changes = reader.changesSince(cursor);
    cursor = changes.cursor;
    return summary(changes, names);
  };
  const nothing = { steps: [], scalars: [], runs: [] };
  expect(poll()).toEqual(nothing);

  const a = writer.createRun(newRun('a', null, 3));
  names.set(a, 'a');
  expect(poll()).toEqual({ ...nothing, runs: ['a running'] });
  writer.putStep(a, 1, { loss: 2 }, []);
  writer.putStep(a, 2, { loss: 1 }, []);
  expect(poll()).toEqual({ ...nothing, steps: ['a:1', 'a:2'] });
  expect(poll()).toEqual(nothing);

  const b = writer.createRun(newRun('b', null, 2));
  names.set(b, 'b');
  writer.putStep(b, 1, { loss: 5 }, []);
  writer.putStep(a, 3, { loss: 0.5 }, []);
  writer.putScalars(a, 3, { testAccuracy: 0.9 });
  writer.endRun(a, 'completed');
  expect(poll()).toEqual({ steps: ['b:1', 'a:3'], scalars: ['a:3'], runs: ['a completed', 'b running'] });
  // A heartbeat, a snapshot and frames rendered after the fact are no news.
  writer.heartbeat(b);
  writer.putSnapshot(b, 1, '/tmp/1');
  expect(poll()).toEqual(nothing);
  writer.reopenRun(a, 6);
  expect(poll()).toEqual({ ...nothing, runs: ['a running'] });

  // From the start, a reader sees the whole history.
  expect(summary(reader.changesSince(START_CURSOR), names)).toEqual({
    steps: ['a:1', 'a:2', 'b:1', 'a:3'],
    scalars: ['a:3'],
    runs: ['a running', 'b running'],
  });
  writer.close();
  reader.close();
});

test('a poll that finds nothing new returns the same cursor; writes through the same connection are seen', () => {
  const store = new SqliteStore(tempStore());
  const cursor = store.cursor();
  const empty = store.changesSince(cursor);
  expect(empty.cursor).toBe(cursor);
  const run = store.createRun(newRun('self', null, 1));
  // PRAGMA data_version does not change for a connection's own commits; the store counts them.
  const changes = store.changesSince(cursor);
  expect(changes.runs.map((r) => r.id)).toEqual([run]);
  store.putStep(run, 1, {}, []);
  expect(store.changesSince(changes.cursor).steps).toEqual([{ runId: run, step: 1 }]);
  store.close();
});

test('heartbeat: a running run whose heartbeat is older than the timeout reads as interrupted, reported once', () => {
  const path = tempStore();
  let now = Date.UTC(2026, 0, 1, 12);
  const clock = { now: () => now };
  const writer = new SqliteStore(path, clock);
  const reader = SqliteStore.openExisting(path, { ...clock, readonly: true });
  const run = writer.createRun(newRun('r', null, 10));
  let cursor = reader.cursor();
  const poll = () => {
    const changes = reader.changesSince(cursor);
    cursor = changes.cursor;
    return changes.runs.map((r) => r.status);
  };
  now += HEARTBEAT_TIMEOUT_MS;
  // Exactly the timeout old is not older than it.
  expect(reader.run(run)!.status).toBe('running');
  expect(poll()).toEqual([]);
  now += 1;
  expect(reader.run(run)!.status).toBe('interrupted');
  expect(reader.runs()[0]!.status).toBe('interrupted');
  expect(poll()).toEqual(['interrupted']);
  now += 60_000;
  expect(poll()).toEqual([]);
  // The writer beats again: running again, and said so once.
  writer.heartbeat(run);
  expect(poll()).toEqual(['running']);
  expect(poll()).toEqual([]);
  // A step beats as well.
  now += HEARTBEAT_TIMEOUT_MS + 1;
  expect(poll()).toEqual(['interrupted']);
  writer.putStep(run, 1, { loss: 1 }, []);
  const changes = reader.changesSince(cursor);
  expect(changes.runs.map((r) => [r.status, r.heartbeatAt])).toEqual([['running', new Date(now).toISOString()]]);
  expect(changes.steps).toEqual([{ runId: run, step: 1 }]);
  cursor = changes.cursor;
  // An ended run never goes stale.
  writer.endRun(run, 'completed');
  expect(poll()).toEqual(['completed']);
  now += 10 * HEARTBEAT_TIMEOUT_MS;
  expect(reader.run(run)!.status).toBe('completed');
  expect(poll()).toEqual([]);
  writer.close();
  reader.close();
});

test('reads change nothing: neither the data version another connection sees nor the bytes of the db and WAL', () => {
  const path = tempStore();
  const writer = new SqliteStore(path);
  const setId = writer.createSliceSet('set', 'mnist', [
    {
      name: 's',
      points: { a: { kind: 'grey' }, b: { kind: 'grey' }, c: { kind: 'grey' } },
      vectors: { a: new Float32Array(4), b: new Float32Array(4).fill(0.5), c: new Float32Array(4).fill(1) },
      resolution: 32,
    },
  ]);
  const sliceId = writer.sliceSet(setId)!.slices[0]!.id;
  const run = writer.createRun(newRun('r', setId, 3));
  const frames = [syntheticFrame(10), syntheticFrame(11), syntheticFrame(12)];
  frames.forEach((frame, i) =>
    writer.putStep(run, i + 1, { loss: 1 / (i + 1) }, [
      { sliceId, delta: i > 0, data: encodeFrame(frame, i > 0 ? frames[i - 1] : undefined) },
    ]),
  );
  writer.putSnapshot(run, 3, '/tmp/3');
  const observer = new Database(path, { readonly: true });
  const dataVersion = () => observer.pragma('data_version', { simple: true });
  const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
  const bytes = () => [sha256(path), sha256(`${path}-wal`)];
  const before = { version: dataVersion(), bytes: bytes() };

  // An hour later the writer's heartbeat is stale: the run reads interrupted, and that is not written.
  const later = { now: () => Date.now() + 3_600_000 };
  for (const reader of [new SqliteStore(path, later), SqliteStore.openExisting(path, { ...later, readonly: true })]) {
    expect(reader.runs()[0]!.status).toBe('interrupted');
    reader.run(run);
    reader.runByName('r');
    reader.sliceSets();
    reader.sliceSet(setId);
    reader.sliceSetByName('set');
    reader.scalarNames(run);
    reader.scalars(run, 'loss', { from: 2 });
    reader.frameRows(run, sliceId, { from: 2 });
    reader.frameSteps(run, sliceId);
    expect([...reader.frames(run, sliceId, { from: 2 })]).toHaveLength(2);
    reader.snapshots(run);
    const changes = reader.changesSince(reader.cursor());
    expect(reader.changesSince(START_CURSOR).runs.map((r) => r.status)).toEqual(['interrupted']);
    reader.changesSince(changes.cursor);
    reader.close();
  }
  expect(dataVersion()).toBe(before.version);
  expect(bytes()).toEqual(before.bytes);
  expect(observer.prepare('SELECT status FROM runs').pluck().get()).toBe('running');
  observer.close();
  writer.close();
});
