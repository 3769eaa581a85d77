import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { expect, test } from 'vitest';
import type { RunId } from '../../core/ids.js';
import type { Frame } from '../../slices/frame.js';
import { decodeFrame } from '../../slices/frame-codec.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { createApp, type App } from '../../server/app.js';
import {
  unpackFrameRows,
  type ClientToServerEvents,
  type RunSummary,
  type ServerToClientEvents,
} from '../../server/protocol.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ROOT = join(import.meta.dirname, '../..');

/** A real `slicewatch train --record` child writing run `out` to the store `db`. */
function train(db: string, out: string, steps: number): ChildProcess {
  const args = ['train', '--record', '--steps', String(steps), '--record-resolution', '16', '--eval-every', '0'];
  return spawn(
    process.execPath,
    ['--import', 'tsx', 'server/bin.ts', ...args, '--eval-attack', 'none', '--store', db, '--out', out],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

/** The store once the child has created the run, and the run's id. */
async function runOf(db: string, out: string): Promise<{ store: SqliteStore; runId: RunId }> {
  for (let i = 0; i < 1200; i++) {
    try {
      const store = SqliteStore.openExisting(db, { readonly: true });
      const run = store.runByName(out);
      if (run !== undefined) return { store, runId: run.id };
      store.close();
    } catch {
      // The trainer has not created the store yet.
    }
    await sleep(100);
  }
  throw new Error(`run ${out} never appeared in ${db}`);
}

async function serve(store: SqliteStore): Promise<{ server: App; url: string }> {
  const server = createApp({ store, host: '127.0.0.1' });
  server.http.listen(0, '127.0.0.1');
  await once(server.http, 'listening');
  return { server, url: `http://127.0.0.1:${(server.http.address() as AddressInfo).port}` };
}

/**
 * A watching client that records scalar steps, statuses and frames; it decodes every frame push on
 * the frame it holds (base) and takes it after `frameDelayMs` (a slow client).
 */
function watcher(url: string, runId: RunId, frameDelayMs: number) {
  const socket: Client = connect(url, { transports: ['websocket'], forceNew: true });
  const state = {
    steps: [] as number[],
    rows: [] as string[],
    statuses: [] as string[],
    frameSteps: new Map<number, number[]>(),
    badFrames: 0,
  };
  const held = new Map<number, { step: number; frame: Frame }>();
  socket.on('scalar:new', (push) => {
    if ('loss' in push.values) state.steps.push(push.step);
    state.rows.push(...Object.keys(push.values).map((name) => `${push.step}:${name}`));
  });
  socket.on('run:status', (run: RunSummary) => {
    if (run.id === runId) state.statuses.push(run.status);
  });
  socket.on('frame:new', (push, received) => {
    const current = held.get(push.sliceId);
    if (push.base !== null && current?.step !== push.base) state.badFrames++;
    let frame = push.base === null ? undefined : current?.frame;
    for (const row of unpackFrameRows(new Uint8Array(push.rows)))
      frame = decodeFrame(row.data, row.delta ? frame : undefined);
    held.set(push.sliceId, { step: push.step, frame: frame! });
    state.frameSteps.set(push.sliceId, [...(state.frameSteps.get(push.sliceId) ?? []), push.step]);
    setTimeout(received, frameDelayMs);
  });
  const watch = async () => {
    const reply = await socket.emitWithAck('run:watch', { runId, fromStep: state.steps.at(-1) ?? 0 });
    expect(reply.ok).toBe(true);
  };
  socket.on('connect', () => void watch());
  return { socket, state };
}

const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);

test('two clients watch a real `train --record`: every scalar step once and in order, newest-wins frames, a reconnect catches up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slicewatch-serve-'));
  const db = join(dir, 's.db');
  const out = join(dir, 'run');
  const child = train(db, out, 20);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const { store, runId } = await runOf(db, out);
  const { server, url } = await serve(store);
  const fast = watcher(url, runId, 0);
  const slow = watcher(url, runId, 400);

  // Disconnect the fast client for a few steps, then reconnect from the step it has.
  await expect.poll(() => fast.state.steps.length, { timeout: 120_000, interval: 50 }).toBeGreaterThanOrEqual(3);
  fast.socket.disconnect();
  const seen = fast.state.steps.at(-1)!;
  await expect.poll(() => store.run(runId)!.step, { timeout: 120_000, interval: 50 }).toBeGreaterThan(seen + 2);
  fast.socket.connect();

  expect(await exited).toBe(0);
  for (const { state } of [fast, slow]) {
    await expect.poll(() => state.statuses, { timeout: 10_000 }).toContain('completed');
    await expect.poll(() => state.steps.length, { timeout: 10_000 }).toBe(20);
    expect(state.steps).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(state.rows).size).toBe(state.rows.length);
    expect(state.badFrames).toBe(0);
    expect(state.frameSteps.size).toBeGreaterThan(0);
    for (const steps of state.frameSteps.values()) expect(increasing(steps)).toBe(true);
  }
  // Newest wins: the slow client skipped frames instead of queueing them.
  const total = (m: Map<number, number[]>) => [...m.values()].reduce((n, steps) => n + steps.length, 0);
  expect(total(slow.state.frameSteps)).toBeLessThanOrEqual(total(fast.state.frameSteps));
  fast.socket.disconnect();
  slow.socket.disconnect();
  await server.close();
  store.close();
}, 180_000);

test('kill -9 of the trainer turns the run interrupted on both clients within 8 s', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slicewatch-serve-kill-'));
  const db = join(dir, 's.db');
  const out = join(dir, 'run');
  const child = train(db, out, 1000);
  const { store, runId } = await runOf(db, out);
  const { server, url } = await serve(store);
  const clients = [watcher(url, runId, 0), watcher(url, runId, 0)];
  await expect
    .poll(() => Math.min(...clients.map((c) => c.state.steps.length)), { timeout: 120_000, interval: 50 })
    .toBeGreaterThanOrEqual(2);
  child.kill('SIGKILL');
  const killedAt = Date.now();
  for (const { state } of clients) {
    await expect
      .poll(() => state.statuses, { timeout: 8000 - (Date.now() - killedAt), interval: 50 })
      .toContain('interrupted');
    expect(increasing(state.steps)).toBe(true);
  }
  expect(Date.now() - killedAt).toBeLessThan(8000);
  for (const { socket } of clients) socket.disconnect();
  await server.close();
  store.close();
}, 180_000);
