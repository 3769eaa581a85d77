import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterEach, expect, test } from 'vitest';
import { startWritersServer, TOKEN, type TestServer } from '../fixtures/writers-server.js';
import { startReplication, type ReplicationStatus } from '../../app/replicate.js';
import type { RunId, SliceId } from '../../core/ids.js';
import { encodeFrame } from '../../slices/frame-codec.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import type { StoreReader } from '../../store/types.js';
import { WRITE_EVENT, type WriteAck } from '../../store/wire.js';
import { syntheticFrame } from '../fixtures/frames.js';
import { newRun } from '../fixtures/store.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'slicewatch-writers-'));

const open: TestServer[] = [];
const startServer = async (...args: Parameters<typeof startWritersServer>) => {
  const server = await startWritersServer(...args);
  open.push(server);
  return server;
};
afterEach(async () => {
  for (const server of open.splice(0)) await server.close();
});

const until = async (check: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const connectError = (url: string, auth: object) =>
  new Promise<Error>((resolve, reject) => {
    const socket = connect(`${url}/writers`, { auth, reconnection: false });
    socket.on('connect', () => reject(new Error('connected')));
    socket.on('connect_error', (error) => {
      socket.close();
      resolve(error);
    });
  });

test('a writer without the token, or with another, is refused with a clear error', async () => {
  const server = await startServer(join(tempDir(), 'server.db'));
  expect((await connectError(server.url, {})).message).toBe('unauthorized: a writer token is required; pass --token T');
  expect((await connectError(server.url, { token: 'open' })).message).toBe(
    'unauthorized: wrong writer token; pass the token the server was started with',
  );
  const closed = await startServer(join(tempDir(), 'server.db'), 0, null);
  expect((await connectError(closed.url, { token: TOKEN })).message).toBe(
    'unauthorized: this server accepts no remote trainers; start it with a writer token',
  );
});

test('a bad message is refused in its acknowledgement with a code; nothing is written', async () => {
  const server = await startServer(join(tempDir(), 'server.db'));
  const socket = connect(`${server.url}/writers`, { auth: { token: TOKEN } });
  const send = (message: unknown) => socket.emitWithAck(WRITE_EVENT, message) as Promise<WriteAck>;
  expect(await send({ kind: 'step', seq: 4, run: 'r', step: -1, scalars: {}, frames: [] })).toEqual({
    ok: false,
    seq: 4,
    error: { code: 'INVALID_MESSAGE', message: 'invalid writer message: step: Too small: expected number to be >=0' },
  });
  expect(await send({ kind: 'step', seq: 5, run: 'r', step: 1, scalars: { loss: 1 }, frames: [] })).toEqual({
    ok: false,
    seq: 5,
    error: { code: 'UNKNOWN_RUN', message: 'no run named r; send the run before its steps' },
  });
  socket.close();
  expect(server.store.runs()).toEqual([]);
});

/** Every frame of a run on each slice of its set, decoded, by slice position: `step: labels`. */
function decodedFrames(store: StoreReader, name: string) {
  const run = store.runByName(name)!;
  return store
    .sliceSet(run.setId!)!
    .slices.map((s) => [...store.frames(run.id, s.id)].map(({ step, frame }) => [step, [...frame.labels]]));
}

/** A step with a delta-coded frame on each of two slices, as the recorder commits it. */
function writeStep(spool: SqliteStore, runId: RunId, slices: SliceId[], step: number) {
  // The frames of step − 1: slice 0 cut at step + 9, slice 1 at 22 − step.
  const previous = step === 1 ? undefined : [syntheticFrame(step + 9, 16), syntheticFrame(22 - step, 16)];
  const frames = [syntheticFrame(step + 10, 16), syntheticFrame(21 - step, 16)].map((frame, i) => {
    const data = encodeFrame(frame, step % 4 === 1 ? undefined : previous?.[i]);
    return { sliceId: slices[i]!, delta: step % 4 !== 1, data };
  });
  spool.putStep(runId, step, { loss: 1 / step, lr: 0.05 }, frames);
}

test('a server stopped and restarted mid-run ends with exactly the spool: steps, scalars, frames, status', async () => {
  const dir = tempDir();
  const spool = new SqliteStore(join(dir, 'spool.db'));
  const vector = (v: number) => new Float32Array(8).fill(v);
  const slice = (name: string) => ({
    name,
    points: { a: { kind: 'grey' as const }, b: { kind: 'random' as const, seed: 1 }, c: { kind: 'grey' as const } },
    vectors: { a: vector(0.25), b: vector(0.5), c: vector(1 / 3) },
    resolution: 16,
  });
  const setId = spool.createSliceSet('set', 'mnist', [slice('s0'), slice('s1')]);
  const slices = spool.sliceSet(setId)!.slices.map((s) => s.id);
  const runId = spool.createRun(newRun('runs/a', setId, 10));

  const serverDb = join(dir, 'server.db');
  let server = await startServer(serverDb);
  const statuses: ReplicationStatus['kind'][] = [];
  const replication = startReplication({
    spool: SqliteStore.openExisting(spool.path, { readonly: true }),
    runName: 'runs/a',
    url: server.url,
    token: TOKEN,
    onStatus: (status) => statuses.push(status.kind),
  });
  for (let step = 1; step <= 5; step++) writeStep(spool, runId, slices, step);
  await until(() => server.store.runByName('runs/a')?.step === 5);
  const port = server.port;
  await server.close();

  for (let step = 6; step <= 10; step++) writeStep(spool, runId, slices, step);
  spool.putScalars(runId, 10, { testAccuracy: 0.5 });
  spool.endRun(runId, 'completed');
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(replication.backlog).toBeGreaterThan(5);

  server = await startServer(serverDb, port);
  await replication.flush();
  await replication.close();
  expect(statuses).toEqual(['connected', 'disconnected', 'connected']);

  const copy = server.store.runByName('runs/a')!;
  expect(copy).toMatchObject({ status: 'completed', step: 10, totalSteps: 10, config: newRun('a', null, 10).config });
  for (const name of ['loss', 'lr', 'testAccuracy'])
    expect(server.store.scalars(copy.id, name)).toEqual(spool.scalars(runId, name));
  expect(server.store.scalars(copy.id, 'loss')).toHaveLength(10);
  const frames = decodedFrames(server.store, 'runs/a');
  expect(frames).toEqual(decodedFrames(spool, 'runs/a'));
  expect(frames.map((f) => f.length)).toEqual([10, 10]);
  // The stored rows, delta flags included, are the spool's.
  const serverSlices = server.store.sliceSet(copy.setId!)!.slices;
  expect(serverSlices.map((s) => server.store.frameRows(copy.id, s.id))).toEqual(
    slices.map((id) => spool.frameRows(runId, id)),
  );
  spool.close();
});

test('a trainer started before its server says so once, then delivers everything; a wrong token fails flush', async () => {
  const dir = tempDir();
  const spool = new SqliteStore(join(dir, 'spool.db'));
  const runId = spool.createRun(newRun('runs/b', null, 3));
  for (let step = 1; step <= 3; step++) spool.putStep(runId, step, { loss: step }, []);
  spool.endRun(runId, 'completed');
  // A free port, closed again: nothing listens there until the server starts.
  const probe = await startServer(join(dir, 'probe.db'));
  await probe.close();
  const statuses: string[] = [];
  const replication = startReplication({
    spool,
    runName: 'runs/b',
    url: probe.url,
    token: TOKEN,
    onStatus: (status) =>
      statuses.push(status.kind === 'disconnected' ? `disconnected ${status.backlog}` : status.kind),
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const server = await startServer(join(dir, 'server.db'), probe.port);
  await replication.flush();
  await replication.close();
  expect(statuses).toEqual(['disconnected 5', 'connected']);
  const copy = server.store.runByName('runs/b')!;
  expect(copy).toMatchObject({ status: 'completed', step: 3, setId: null });
  expect(server.store.scalars(copy.id, 'loss').map((p) => p.value)).toEqual([1, 2, 3]);

  const refused = startReplication({ spool, runName: 'runs/b', url: server.url, token: 'open' });
  await expect(refused.flush()).rejects.toMatchObject({
    code: 'UNAUTHORIZED',
    message: `${server.url}: unauthorized: wrong writer token; pass the token the server was started with`,
  });
  await refused.close();
  spool.close();
});
