import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunId } from '../../core/ids.js';
import { decodeFrame, encodeFrame } from '../../slices/frame-codec.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { createApp, type App } from '../../server/app.js';
import {
  FRAME_ROWS_TYPE,
  unpackFrameRows,
  type ClientToServerEvents,
  type ErrorReply,
  type RunDetail,
  type RunSummary,
  type ScalarSeries,
  type ServerToClientEvents,
  type SliceSetDto,
} from '../../server/protocol.js';
import { syntheticFrame } from '../fixtures/frames.js';
import { newRun } from '../fixtures/store.js';
import { json, listen } from './real-server.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A store with one run `<b>one</b>` of 6 steps: loss 1/step, a frame on its one slice every step, a key frame at steps 1 and 5. */
function buildStore() {
  const path = join(mkdtempSync(join(tmpdir(), 'slicewatch-app-')), 's.db');
  const writer = new SqliteStore(path);
  const setId = writer.createSliceSet('set', 'mnist', [
    {
      name: 'only',
      points: { a: { kind: 'grey' }, b: { kind: 'random', seed: 1 }, c: { kind: 'random', seed: 2 } },
      vectors: { a: new Float32Array(4).fill(0.5), b: new Float32Array(4).fill(1), c: new Float32Array(4) },
      resolution: 16,
    },
  ]);
  const sliceId = writer.sliceSet(setId)!.slices[0]!.id;
  const runId = writer.createRun(newRun('<b>one</b>', setId, 6));
  let previous = syntheticFrame(0, 16);
  for (let step = 1; step <= 6; step++) {
    const frame = syntheticFrame(step, 16);
    const key = step % 4 === 1;
    const data = encodeFrame(frame, key ? undefined : previous);
    writer.putStep(runId, step, { loss: 1 / step }, [{ sliceId, delta: !key, data }]);
    previous = frame;
  }
  writer.putScalars(runId, 6, { testAccuracy: 0.5 });
  return { path, writer, runId, sliceId };
}

/** Resolves on a socket's next `connect` or `connect_error`, with the error if any. */
function connected(socket: Client): Promise<Error | undefined> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(undefined));
    socket.once('connect_error', (error) => resolve(error));
  });
}

function client(url: string, auth?: { token: string }): Client {
  return connect(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth });
}

describe('REST on a real server', () => {
  let fixture: ReturnType<typeof buildStore>;
  let reader: SqliteStore;
  let server: App;
  let url: string;
  beforeAll(async () => {
    fixture = buildStore();
    reader = SqliteStore.openExisting(fixture.path, { readonly: true });
    server = createApp({ store: reader, host: '127.0.0.1' });
    url = await listen(server);
  });
  afterAll(async () => {
    await server.close();
    reader.close();
    fixture.writer.close();
  });

  test('runs: status, backend, step and newest loss (1/6) and test accuracy; one run with its configuration', async () => {
    const runs = await json<RunSummary[]>(fetch(`${url}/api/runs`));
    expect(runs).toEqual([
      expect.objectContaining({ id: fixture.runId, status: 'running', backend: 'wasm', step: 6, totalSteps: 6 }),
    ]);
    expect(runs[0]!.loss).toBeCloseTo(1 / 6, 6);
    expect(runs[0]!.accuracy).toBe(0.5);
    expect(runs[0]!.robustAccuracy).toBe(null);
    const run = await json<RunDetail>(fetch(`${url}/api/runs/${fixture.runId}`));
    expect(run).toMatchObject({ config: { steps: 6 }, scalarNames: ['loss', 'testAccuracy'], error: null });
  });

  test('slice sets with provenance; thumbnails are PNGs of 2×2 images (d = 4) at scale 4', async () => {
    const [set] = await json<SliceSetDto[]>(fetch(`${url}/api/slice-sets`));
    expect(set!.slices[0]!).toMatchObject({ name: 'only', points: { a: 'grey', b: 'random:1', c: 'random:2' } });
    const res = await fetch(`${url}${set!.slices[0]!.thumbnails.b}`);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = new Uint8Array(await res.arrayBuffer());
    expect([...png.slice(1, 4)]).toEqual([80, 78, 71]);
    // IHDR width and height: 2 × 4 = 8.
    expect(new DataView(png.buffer).getUint32(16)).toBe(8);
    expect(new DataView(png.buffer).getUint32(20)).toBe(8);
  });

  test('scalars by step range, as JSON and as a CSV download', async () => {
    const series = await json<ScalarSeries>(fetch(`${url}/api/runs/${fixture.runId}/scalars/loss?from=2&to=4`));
    expect(series.points).toEqual([
      { step: 2, value: 0.5 },
      { step: 3, value: expect.closeTo(1 / 3, 6) },
      { step: 4, value: 0.25 },
    ]);
    const csv = await fetch(`${url}/api/runs/${fixture.runId}/scalars/loss?from=4&to=5&format=csv`);
    expect(csv.headers.get('content-disposition')).toContain(`run-${fixture.runId}-loss.csv`);
    expect(await csv.text()).toBe('step,value\n4,0.25\n5,0.2\n');
  });

  test('frames of steps 3–4 start at the key frame of step 1 and decode to the written frames; cached for good', async () => {
    const res = await fetch(`${url}/api/runs/${fixture.runId}/slices/${fixture.sliceId}/frames?from=3&to=4`);
    expect(res.headers.get('content-type')).toBe(FRAME_ROWS_TYPE);
    expect(res.headers.get('cache-control')).toContain('immutable');
    const rows = unpackFrameRows(new Uint8Array(await res.arrayBuffer()));
    expect(rows.map((r) => [r.step, r.delta])).toEqual([
      [1, false],
      [2, true],
      [3, true],
      [4, true],
    ]);
    let frame = decodeFrame(rows[0]!.data);
    for (const row of rows.slice(1)) frame = decodeFrame(row.data, frame);
    expect(frame.labels).toEqual(syntheticFrame(4, 16).labels);
  });

  test('one frame as a PNG of 16 × 2 pixels a side at scale 2', async () => {
    const res = await fetch(`${url}/api/runs/${fixture.runId}/slices/${fixture.sliceId}/frames/3.png?scale=2`);
    expect(res.status).toBe(200);
    const png = new Uint8Array(await res.arrayBuffer());
    expect(new DataView(png.buffer).getUint32(16)).toBe(32);
  });

  test('replies carry a content security policy and nosniff', async () => {
    const res = await fetch(`${url}/api/runs`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  const bad = (path: string, init?: RequestInit) => ({ path, init, toString: () => path });
  test.each([
    ['unknown run', bad('/api/runs/999'), 404, 'NOT_FOUND'],
    ['run id not a number', bad('/api/runs/abc'), 400, 'BAD_REQUEST'],
    ['run id negative', bad('/api/runs/-1'), 400, 'BAD_REQUEST'],
    ['traversal in run id', bad('/api/runs/..%2F..%2Fetc%2Fpasswd'), 400, 'BAD_REQUEST'],
    ['traversal in scalar name', bad('/api/runs/1/scalars/..%2Fx'), 400, 'BAD_REQUEST'],
    ['traversal in slice id', bad('/api/runs/1/slices/..%2F1/frames'), 400, 'BAD_REQUEST'],
    ['traversal in frame file', bad('/api/runs/1/slices/1/frames/..%2F3.png'), 404, 'NOT_FOUND'],
    ['traversal in thumbnail', bad('/api/slices/1/thumbnails/..%2Fa.png'), 404, 'NOT_FOUND'],
    ['traversal in video id', bad('/api/videos/..%2F..%2Fetc'), 400, 'BAD_REQUEST'],
    ['unknown slice', bad('/api/runs/1/slices/77/frames'), 404, 'NOT_FOUND'],
    ['unknown slice set', bad('/api/slice-sets/9'), 404, 'NOT_FOUND'],
    ['reversed range', bad('/api/runs/1/scalars/loss?from=5&to=2'), 400, 'BAD_REQUEST'],
    ['huge frame range', bad('/api/runs/1/slices/1/frames?from=0&to=1000000'), 400, 'BAD_REQUEST'],
    ['huge scalar range', bad('/api/runs/1/scalars/loss?from=0&to=99999999999'), 400, 'BAD_REQUEST'],
    ['step not a number', bad('/api/runs/1/scalars/loss?from=x'), 400, 'BAD_REQUEST'],
    ['step given twice', bad('/api/runs/1/scalars/loss?from=1&from=2'), 400, 'BAD_REQUEST'],
    ['unknown query key', bad('/api/runs/1/scalars/loss?path=../x'), 400, 'BAD_REQUEST'],
    ['bad scale', bad('/api/runs/1/slices/1/frames/3.png?scale=99'), 400, 'BAD_REQUEST'],
    ['missing frame', bad('/api/runs/1/slices/1/frames/99.png'), 404, 'NOT_FOUND'],
    ['unknown route', bad('/etc/passwd'), 404, 'NOT_FOUND'],
    ['jobs without a registry', bad('/api/jobs'), 503, 'NO_JOBS'],
    [
      'malformed JSON body',
      bad('/api/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind":' }),
      400,
      'ENTITY_PARSE_FAILED',
    ],
    [
      'oversized body',
      bad('/api/jobs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'train', name: 'x'.repeat(100_000) }),
      }),
      413,
      'ENTITY_TOO_LARGE',
    ],
  ])('%s → %i %s, then the server keeps serving', async (_name, { path, init }, status, code) => {
    const res = await fetch(`${url}${path}`, init);
    expect(res.status).toBe(status);
    expect((await json<ErrorReply>(res)).error).toMatchObject({ code, message: expect.any(String) });
    expect((await fetch(`${url}/api/runs`)).status).toBe(200);
  });

  test('two sockets watch the run: ack with the run, replay after fromStep, then every new step once and in order', async () => {
    const [a, b] = [client(url), client(url)];
    const received: Record<string, number[]> = { a: [], b: [] };
    a.on('scalar:new', (push) => received['a']!.push(push.step));
    b.on('scalar:new', (push) => received['b']!.push(push.step));
    const frames: number[] = [];
    a.on('frame:new', (push, done) => {
      frames.push(push.step);
      done();
    });
    b.on('frame:new', (_push, done) => done());
    const ackA = await a.emitWithAck('run:watch', { runId: fixture.runId, fromStep: 4 });
    const ackB = await b.emitWithAck('run:watch', { runId: fixture.runId });
    expect(ackA).toMatchObject({ ok: true, run: { step: 6 } });
    expect(ackB.ok).toBe(true);
    const writer = fixture.writer;
    writer.reopenRun(fixture.runId, 9);
    for (let step = 7; step <= 9; step++) writer.putStep(fixture.runId, step, { loss: 1 / step }, []);
    writer.endRun(fixture.runId, 'completed');
    const statuses: string[] = [];
    b.on('run:status', (run) => statuses.push(run.status));
    await expect.poll(() => statuses).toContain('completed');
    expect(received['a']).toEqual([5, 6, 7, 8, 9]);
    expect(received['b']).toEqual([7, 8, 9]);
    expect(frames).toEqual([6]);
    a.disconnect();
    b.disconnect();
  });

  test.each([
    ['not an object', 'BAD_REQUEST', 'hello'],
    ['runId a string with ../', 'BAD_REQUEST', { runId: '../1' }],
    ['fromStep negative', 'BAD_REQUEST', { runId: 1, fromStep: -3 }],
    ['extra key', 'BAD_REQUEST', { runId: 1, path: '/etc' }],
    ['unknown run', 'NOT_FOUND', { runId: 4242 }],
  ])('run:watch with %s is rejected with %s, and the socket keeps serving', async (_name, code, payload) => {
    const socket = client(url);
    const reply = await socket.emitWithAck('run:watch', payload as never);
    expect(reply).toMatchObject({ ok: false, error: { code, message: expect.any(String) } });
    expect((await socket.emitWithAck('run:watch', { runId: fixture.runId })).ok).toBe(true);
    socket.disconnect();
  });
});

describe('security beyond loopback', () => {
  test('refuses to bind 0.0.0.0 without a token', () => {
    const store = SqliteStore.openExisting(buildStore().path, { readonly: true });
    expect(() => createApp({ store, host: '0.0.0.0' })).toThrow(/without a token/);
    store.close();
  });

  test('with a token every request and handshake must carry it: bearer, ?token= link setting an HttpOnly cookie', async () => {
    const store = SqliteStore.openExisting(buildStore().path, { readonly: true });
    const server = createApp({ store, host: '0.0.0.0', token: 's3cret' });
    const url = await listen(server); // bound to 127.0.0.1 for the test
    expect((await fetch(`${url}/api/runs`)).status).toBe(401);
    expect((await fetch(`${url}/api/runs`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${url}/api/runs`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    const link = await fetch(`${url}/?token=s3cret`);
    expect(link.status).toBe(200);
    const cookie = link.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect((await fetch(`${url}/api/runs`, { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);

    const refused = client(url);
    expect(await connected(refused)).toBeInstanceOf(Error);
    const allowed = client(url, { token: 's3cret' });
    expect(await connected(allowed)).toBe(undefined);
    expect((await allowed.emitWithAck('run:watch', { runId: 1 as RunId })).ok).toBe(true);
    allowed.disconnect();
    refused.disconnect();
    await server.close();
    store.close();
  }, 20_000);
});
