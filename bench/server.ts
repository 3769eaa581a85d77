import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io as connect, type Socket } from 'socket.io-client';
import { SqliteStore } from '../store/sqlite-store.js';
import { RUN_DEFAULTS } from '../trainer/run-config.js';
import { inTempDir, median } from './measure.js';

/** Steps committed per measurement, and the time between commits in ms (not a multiple of the 100 ms poll). */
const STEPS = 100;
const COMMIT_EVERY_MS = 37;

const BIN = fileURLToPath(new URL('../server/bin.js', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.ceil((p / 100) * xs.length) - 1]!;

/**
 * Push latency: from a step's commit to the store (its scalar `committedAt`, wall-clock ms) to its
 * `scalar:new` reaching each of `clients` socket.io clients of a server on loopback polling every
 * 100 ms. The server is a real `slicewatch serve` child (bench sits beside server/, not above it);
 * the writer and the clients share this process.
 */
function pushLatency(clients: number): Promise<number[]> {
  return inTempDir('slicewatch-bench-server-', (dir) => pushLatencyIn(join(dir, 'store.db'), clients));
}

async function pushLatencyIn(path: string, clients: number): Promise<number[]> {
  const writer = new SqliteStore(path);
  const runId = writer.createRun({
    name: 'bench',
    setId: null,
    config: { ...RUN_DEFAULTS, steps: STEPS },
    backend: { kind: 'cpu', detail: 'bench', warnings: [] },
    totalSteps: STEPS,
  });
  const { server, url } = await serveChild(path);
  const latencies: number[] = [];
  const sockets: Socket[] = [];
  for (let i = 0; i < clients; i++) {
    const socket = connect(url, { transports: ['websocket'], forceNew: true });
    socket.on('scalar:new', (push: { values: Record<string, number> }) => {
      const committedAt = push.values['committedAt'];
      if (committedAt !== undefined) latencies.push(Date.now() - committedAt);
    });
    await socket.emitWithAck('run:watch', { runId });
    sockets.push(socket);
  }
  for (let step = 1; step <= STEPS; step++) {
    writer.putStep(runId, step, { loss: 1, committedAt: Date.now() }, []);
    await sleep(COMMIT_EVERY_MS);
  }
  const deadline = Date.now() + 5000;
  while (latencies.length < STEPS * clients && Date.now() < deadline) await sleep(20);
  for (const socket of sockets) socket.disconnect();
  server.kill('SIGTERM');
  await once(server, 'exit');
  writer.close();
  if (latencies.length !== STEPS * clients)
    throw new Error(`push latency: ${latencies.length} of ${STEPS * clients} scalar pushes arrived`);
  return latencies;
}

/** Starts a `slicewatch serve` child on a store and resolves with it and its URL. */
async function serveChild(path: string): Promise<{ server: ReturnType<typeof spawn>; url: string }> {
  const server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--store', path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(server.stdout!, 'data')) as [Buffer];
  const url = /(http:\/\/\S+)/.exec(line.toString())?.[1];
  if (url === undefined) throw new Error(`slicewatch serve printed no URL: ${line.toString()}`);
  return { server, url };
}

/**
 * The training step time of a real `slicewatch train --record` child (MNIST CNN, three 32 × 32
 * slices recorded every step) while `clients` socket.io clients of a serve child watch the run: the
 * child's own rate over its last step line, as ms per step.
 */
function watchedStepMs(clients: number): Promise<number> {
  return inTempDir('slicewatch-bench-watched-', (dir) => watchedStepMsIn(dir, clients));
}

async function watchedStepMsIn(dir: string, clients: number): Promise<number> {
  const path = join(dir, 'store.db');
  new SqliteStore(path).close();
  const { server, url } = await serveChild(path);
  const steps = 60;
  const trainer = spawn(
    process.execPath,
    [BIN, 'train', '--record', '--store', path, '--out', join(dir, 'run'), '--steps', String(steps)].concat([
      '--record-resolution',
      '32',
      '--eval-every',
      '0',
      '--eval-attack',
      'none',
    ]),
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  trainer.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const reader = SqliteStore.openExisting(path, { readonly: true });
  let run = reader.runByName(join(dir, 'run'));
  while (run === undefined) {
    await sleep(50);
    run = reader.runByName(join(dir, 'run'));
  }
  const sockets: Socket[] = [];
  for (let i = 0; i < clients; i++) {
    const socket = connect(url, { transports: ['websocket'], forceNew: true });
    socket.on('frame:new', (_frame: unknown, ack?: () => void) => ack?.());
    await socket.emitWithAck('run:watch', { runId: run.id });
    sockets.push(socket);
  }
  await once(trainer, 'exit');
  for (const socket of sockets) socket.disconnect();
  reader.close();
  server.kill('SIGTERM');
  await once(server, 'exit');
  const rate = [...output.matchAll(new RegExp(`^step ${steps}/${steps} .* (\\d+) img/s`, 'gm'))].at(-1)?.[1];
  if (rate === undefined) throw new Error(`the trainer printed no rate:\n${output}`);
  return (RUN_DEFAULTS.batchSize * 1000) / Number(rate);
}

/** `npm run bench -- --server`: push latency from store commit to client receipt, median and p95, with 1 and 50 clients. */
export async function benchServer(): Promise<void> {
  const none: number[] = [];
  const fifty: number[] = [];
  for (let round = 0; round < 2; round++) {
    none.push(await watchedStepMs(0));
    fifty.push(await watchedStepMs(50));
  }
  console.log(
    `training step (MNIST CNN, 3 slices of 32 × 32 recorded every step) with no client watching: median ${median(none).toFixed(0)} ms; ` +
      `with 50 clients watching: median ${median(fifty).toFixed(0)} ms (${((median(fifty) / median(none) - 1) * 100).toFixed(1)}%)`,
  );
  for (const clients of [1, 50]) {
    const latencies = await pushLatency(clients);
    console.log(
      `push latency, commit to scalar:new, ${clients} client(s), ${STEPS} steps every ${COMMIT_EVERY_MS} ms, 100 ms poll: ` +
        `median ${median(latencies).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms`,
    );
  }
}
