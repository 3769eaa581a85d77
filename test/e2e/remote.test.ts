import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { SqliteStore } from '../../store/sqlite-store.js';
import type { StoreReader } from '../../store/types.js';
import { startWritersServer, TOKEN, type TestServer } from '../fixtures/writers-server.js';

const open: TestServer[] = [];
afterEach(async () => {
  for (const server of open.splice(0)) await server.close();
});

const TRAIN = [
  '--import',
  'tsx',
  'server/bin.ts',
  'train',
  '--record',
  '--steps',
  '12',
  '--record-resolution',
  '12',
  '--eval-every',
  '0',
  '--eval-attack',
  'none',
  '--seed',
  '3',
];

/** Runs `slicewatch train` with the extra arguments; resolves with its exit code and output. */
function train(args: string[]): { done: Promise<{ code: number | null; output: string }> } {
  const child = spawn(process.execPath, [...TRAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { done: new Promise((resolve) => child.once('exit', (code) => resolve({ code, output }))) };
}

/** A run's recorded steps as they read: each step's loss, and the decoded labels of each slice's frames. */
function recorded(store: StoreReader, name: string) {
  const run = store.runByName(name)!;
  return {
    status: run.status,
    step: run.step,
    loss: store.scalars(run.id, 'loss'),
    frames: store
      .sliceSet(run.setId!)!
      .slices.map((s) => [...store.frames(run.id, s.id)].map(({ step, frame }) => `${step}:${frame.labels.join('')}`)),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a remote trainer whose server stops and restarts mid-run leaves the same frames and losses as a local run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slicewatch-remote-'));
  const serverDb = join(dir, 'server.db');
  let server = await startWritersServer(serverDb);
  open.push(server);
  const remoteOut = join(dir, 'remote');
  const remote = train(['--server', server.url, '--token', TOKEN, '--out', remoteOut]);
  const local = train(['--out', join(dir, 'local'), '--store', join(dir, 'local.db')]);

  // Stop the server a few steps in, and start it again on the same port and file two seconds later.
  const deadline = Date.now() + 120_000;
  while ((server.store.runByName(remoteOut)?.step ?? 0) < 3) {
    expect(Date.now()).toBeLessThan(deadline);
    await sleep(50);
  }
  const stoppedAt = server.store.runByName(remoteOut)!.step;
  await server.close();
  await sleep(2000);
  server = await startWritersServer(serverDb, server.port);
  open.push(server);

  const [remoteResult, localResult] = await Promise.all([remote.done, local.done]);
  expect(localResult.code, localResult.output).toBe(0);
  expect(remoteResult.code, remoteResult.output).toBe(0);
  expect(remoteResult.output).toMatch(/unreachable .*; spooling to .*spool\.db/);
  expect(stoppedAt).toBeLessThan(12);

  const localStore = SqliteStore.openExisting(join(dir, 'local.db'), { readonly: true });
  const expected = recorded(localStore, join(dir, 'local'));
  localStore.close();
  const actual = recorded(server.store, remoteOut);
  expect(actual.status).toBe('completed');
  expect(actual.step).toBe(12);
  expect(actual.loss.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  expect(actual.loss).toEqual(expected.loss);
  expect(actual.frames.map((f) => f.length)).toEqual(expected.frames.map(() => 12));
  expect(actual.frames).toEqual(expected.frames);
});
