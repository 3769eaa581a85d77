import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { toRunId, toSliceSetId, type RunId, type SliceId } from '../../core/ids.js';
import { encodeFrame } from '../../slices/frame-codec.js';
import type { Frame } from '../../slices/frame.js';
import { SqliteStore, StoreError } from '../../store/sqlite-store.js';
import type { NewSlice } from '../../store/types.js';
import { syntheticFrame } from '../fixtures/frames.js';
import { newRun } from '../fixtures/store.js';

const tempStore = () => join(mkdtempSync(join(tmpdir(), 'slicewatch-reader-')), 'slicewatch.db');
const NOON = Date.UTC(2026, 0, 1, 12);
const grey = { a: { kind: 'grey' }, b: { kind: 'grey' }, c: { kind: 'grey' } } as const;
const slice = (name: string, d: number, resolution = 32): NewSlice => ({
  name,
  points: grey,
  vectors: { a: new Float32Array(d), b: new Float32Array(d).fill(0.5), c: new Float32Array(d).fill(1) },
  resolution,
});
const bits = (v: Float32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));

test('runs newest first, a run by id and by name, with times from the store clock and the lifecycle', () => {
  const store = new SqliteStore(tempStore(), { now: () => NOON });
  const setId = store.createSliceSet('set', 'mnist', [slice('s', 4)]);
  const a = store.createRun(newRun('a', setId, 5));
  const b = store.createRun(newRun('b', setId, 7));
  const c = store.createRun(newRun('c', null, 1));
  expect(store.runs().map((r) => r.name)).toEqual(['c', 'b', 'a']);
  expect(store.run(b)).toEqual({
    id: b,
    name: 'b',
    setId,
    config: newRun('b', setId, 7).config,
    backend: { kind: 'wasm', detail: 'test', warnings: [] },
    status: 'running',
    step: 0,
    totalSteps: 7,
    error: null,
    createdAt: '2026-01-01T12:00:00.000Z',
    updatedAt: '2026-01-01T12:00:00.000Z',
    heartbeatAt: '2026-01-01T12:00:00.000Z',
  });
  expect(store.runByName('a')!.id).toBe(a);
  expect(store.runByName('c')!.setId).toBeNull();
  expect(store.run(toRunId(999))).toBeUndefined();
  expect(store.runByName('nope')).toBeUndefined();
  expect(() => store.createRun(newRun('a', setId))).toThrow(StoreError);

  store.endRun(b, 'failed', 'loss is NaN at step 3');
  store.endRun(c, 'stopped');
  store.endRun(a, 'completed');
  expect(store.runs().map((r) => [r.name, r.status, r.error])).toEqual([
    ['c', 'stopped', null],
    ['b', 'failed', 'loss is NaN at step 3'],
    ['a', 'completed', null],
  ]);
  store.reopenRun(b, 9);
  expect(store.run(b)).toMatchObject({ status: 'running', error: null, totalSteps: 9 });
  expect(() => store.endRun(toRunId(999), 'completed')).toThrow(`no run with id 999 in ${store.path}`);
  store.close();
});

test('slice sets with their slices: provenance, positions and bit-identical vectors', () => {
  const store = new SqliteStore(tempStore());
  // Values float32 keeps exactly but decimal text would not: π, 1/3, a subnormal, 1 - 2^-24.
  const vectors = {
    a: Float32Array.of(Math.PI, 1 / 3, 1e-40),
    b: Float32Array.of(1 - 2 ** -24, 0, 0.1),
    c: Float32Array.of(0.5, 0.25, 2 / 3),
  };
  const points = {
    a: { kind: 'dataset', split: 'test', index: 3 },
    b: { kind: 'random', seed: 9 },
    c: { kind: 'grey' },
  } as const;
  const first = store.createSliceSet('first', 'mnist', [
    { name: 'exact', points, vectors, resolution: 48 },
    slice('second', 3, 16),
  ]);
  const other = store.createSliceSet('other', 'idx:/data/fashion', [slice('only', 2)]);
  const sets = store.sliceSets();
  expect(sets.map((s) => [s.id, s.name, s.dataset, s.slices.map((x) => [x.name, x.position, x.setId])])).toEqual([
    [
      first,
      'first',
      'mnist',
      [
        ['exact', 0, first],
        ['second', 1, first],
      ],
    ],
    [other, 'other', 'idx:/data/fashion', [['only', 0, other]]],
  ]);
  const exact = sets[0]!.slices[0]!;
  expect(exact.points).toEqual(points);
  expect(exact.resolution).toBe(48);
  for (const name of ['a', 'b', 'c'] as const) expect(bits(exact.vectors[name])).toEqual(bits(vectors[name]));
  expect(store.sliceSet(other)).toEqual(sets[1]);
  expect(store.sliceSetByName('first')).toEqual(sets[0]);
  expect(store.sliceSet(toSliceSetId(99))).toBeUndefined();
  expect(() =>
    store.createSliceSet('bad', 'mnist', [
      { ...slice('uneven', 3), vectors: { ...slice('x', 3).vectors, c: new Float32Array(2) } },
    ]),
  ).toThrow('slice uneven: a, b and c have 3, 3 and 2 values; expected equal');
  store.close();
});

test('scalars by name and inclusive step range; evaluations written apart leave the step counter alone', () => {
  const store = new SqliteStore(tempStore());
  const run = store.createRun(newRun('r', null, 6));
  for (let step = 1; step <= 6; step++) {
    store.putStep(run, step, step % 2 === 0 ? { loss: 10 - step, lr: step / 100 } : { loss: 10 - step }, []);
  }
  store.putScalars(run, 4, { testAccuracy: 0.5 });
  expect(store.scalarNames(run)).toEqual(['loss', 'lr', 'testAccuracy']);
  expect(store.scalars(run, 'loss', { from: 2, to: 4 })).toEqual([
    { step: 2, value: 8 },
    { step: 3, value: 7 },
    { step: 4, value: 6 },
  ]);
  expect(store.scalars(run, 'loss', { from: 5 }).map((s) => s.step)).toEqual([5, 6]);
  expect(store.scalars(run, 'loss', { to: 1 })).toEqual([{ step: 1, value: 9 }]);
  expect(store.scalars(run, 'lr')).toEqual([
    { step: 2, value: 0.02 },
    { step: 4, value: 0.04 },
    { step: 6, value: 0.06 },
  ]);
  expect(store.scalars(run, 'testAccuracy')).toEqual([{ step: 4, value: 0.5 }]);
  expect(store.run(run)!.step).toBe(6);
  store.close();
});

/** Steps 1..n of one slice, a key frame every 4 frames (steps 1, 5, 9, …), the boundary moving each step. */
function recordChain(n: number): { store: SqliteStore; run: RunId; sliceId: SliceId; frames: Frame[] } {
  const store = new SqliteStore(tempStore());
  const setId = store.createSliceSet('set', 'mnist', [slice('s', 4)]);
  const sliceId = store.sliceSet(setId)!.slices[0]!.id;
  const run = store.createRun(newRun('r', setId, n));
  const frames = Array.from({ length: n }, (_, i) => syntheticFrame(10 + (i % 40), 24));
  frames.forEach((frame, i) => {
    const key = i % 4 === 0;
    store.putStep(run, i + 1, { loss: 1 }, [
      { sliceId, delta: !key, data: encodeFrame(frame, key ? undefined : frames[i - 1]) },
    ]);
  });
  return { store, run, sliceId, frames };
}

test('frame rows of a range start at the key frame at or before it, and no earlier', () => {
  const { store, run, sliceId } = recordChain(10);
  const steps = (from?: number, to?: number) => store.frameRows(run, sliceId, { from, to }).map((r) => r.step);
  // Key frames at 1, 5, 9.
  expect(store.frameRows(run, sliceId).map((r) => r.delta)).toEqual([
    false,
    true,
    true,
    true,
    false,
    true,
    true,
    true,
    false,
    true,
  ]);
  expect(steps(7, 8)).toEqual([5, 6, 7, 8]);
  expect(steps(5)).toEqual([5, 6, 7, 8, 9, 10]);
  expect(steps(9, 9)).toEqual([9]);
  expect(steps(4, 4)).toEqual([1, 2, 3, 4]);
  expect(steps(undefined, 3)).toEqual([1, 2, 3]);
  expect(steps(11)).toEqual([]);
  expect(store.frameSteps(run, sliceId, { from: 3, to: 6 })).toEqual([3, 4, 5, 6]);
  store.close();
});

test('frames of a range decode exactly as in a decode of the whole run, flips included', () => {
  const { store, run, sliceId, frames } = recordChain(10);
  const all = [...store.frames(run, sliceId)];
  expect(all.map((f) => f.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  all.forEach((f, i) => expect(Array.from(f.frame.labels)).toEqual(Array.from(frames[i]!.labels)));
  // Each step moves the 0 | 3 boundary one column right (cut = 10 + i), flipping one whole column:
  // 24 pixels, none of them in the grey corner x + y < 4.
  expect(all.map((f) => f.frame.metrics.flipped)).toEqual([0, 24, 24, 24, 24, 24, 24, 24, 24, 24]);
  for (const [from, to] of [
    [7, 8],
    [5, 6],
    [1, 1],
    [9, 10],
    [2, 100],
  ] as const) {
    const part = [...store.frames(run, sliceId, { from, to })];
    expect(part).toEqual(all.filter((f) => f.step >= from && f.step <= to));
  }
  store.close();
});

test('a long run decodes page by page, the same as in one go', () => {
  const { store, run, sliceId, frames } = recordChain(300);
  const all = [...store.frames(run, sliceId)];
  expect(all).toHaveLength(300);
  expect(all.at(-1)!.step).toBe(300);
  expect(Array.from(all[299]!.frame.labels)).toEqual(Array.from(frames[299]!.labels));
  expect([...store.frames(run, sliceId, { from: 250 })]).toEqual(all.slice(249));
  store.close();
});

test('weight snapshots by step', () => {
  const store = new SqliteStore(tempStore());
  const run = store.createRun(newRun('r', null));
  store.putSnapshot(run, 20, '/runs/r/snapshots/20');
  store.putSnapshot(run, 10, '/runs/r/snapshots/10');
  expect(store.snapshots(run)).toEqual([
    { step: 10, path: '/runs/r/snapshots/10' },
    { step: 20, path: '/runs/r/snapshots/20' },
  ]);
  store.close();
});
