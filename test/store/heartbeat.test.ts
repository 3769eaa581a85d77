import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { toRunId } from '../../core/ids.js';
import { StoreError } from '../../store/errors.js';
import { startHeartbeat } from '../../store/heartbeat.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { newRun } from '../fixtures/store.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const iso = (ms: number) => new Date(ms).toISOString();

test('startHeartbeat beats at once and then every interval until stopped', async () => {
  const t0 = Date.UTC(2026, 0, 1, 12);
  let now = t0;
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'slicewatch-beat-')), 's.db'), { now: () => now });
  const run = store.createRun(newRun('r', null));
  now = t0 + 1000;
  const heartbeat = startHeartbeat(store, run, 20);
  expect(store.run(run)!.heartbeatAt).toBe(iso(t0 + 1000));
  now = t0 + 2000;
  await sleep(100);
  expect(store.run(run)!.heartbeatAt).toBe(iso(t0 + 2000));
  heartbeat.stop();
  now = t0 + 3000;
  await sleep(100);
  expect(store.run(run)!.heartbeatAt).toBe(iso(t0 + 2000));
  // An ended run takes no more beats.
  store.endRun(run, 'completed');
  store.heartbeat(run);
  expect(store.run(run)!.heartbeatAt).toBe(iso(t0 + 2000));
  store.close();
});

test('a failed beat goes to onError and the next tick tries again', async () => {
  const errors: string[] = [];
  let calls = 0;
  const locked = {
    heartbeat: () => {
      calls++;
      throw new StoreError('database is locked');
    },
  };
  const heartbeat = startHeartbeat(locked, toRunId(1), 20, (error) => errors.push(error.message));
  await sleep(70);
  heartbeat.stop();
  expect(calls).toBeGreaterThanOrEqual(2);
  expect(errors).toHaveLength(calls);
  expect(errors[0]).toBe('database is locked');
});
