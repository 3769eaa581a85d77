import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runSession } from '../../app/train-session.js';
import { createApp, type App } from '../../server/app.js';
import type { JobRecord, Jobs } from '../../server/job-types.js';
import { createJobs } from '../../server/jobs.js';
import { listen } from '../../server/listen.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { initBackend } from '../../trainer/backend.js';
import { RUN_DEFAULTS } from '../../trainer/run-config.js';
import { probeVideo } from '../fixtures/ffprobe.js';

const dir = mkdtempSync(join(tmpdir(), 'slicewatch-jobs-http-'));
const storePath = join(dir, 'store.db');
const run = join(dir, 'run');
let reader: SqliteStore;
let jobs: Jobs;
let server: App;
let base: string;

beforeAll(async () => {
  const backend = await initBackend('wasm');
  await runSession({
    config: { ...RUN_DEFAULTS, steps: 5, evalEvery: 0, evalAttack: 'none' },
    out: run,
    store: storePath,
    resume: false,
    backend,
    recording: { sliceSet: '', resolution: 12, mode: { kind: 'full' }, policy: 'wait', every: 1, sliceModel: '' },
  });
  reader = SqliteStore.openExisting(storePath, { readonly: true });
  jobs = createJobs({ storePath, runsFolder: join(dir, 'runs'), videosFolder: join(dir, 'videos') });
  server = createApp({ store: reader, jobs, host: '127.0.0.1' });
  base = `http://127.0.0.1:${await listen(server.http, '127.0.0.1', 0)}`;
});

afterAll(async () => {
  await jobs.close();
  await server.close();
  reader.close();
});

const post = (body: unknown) =>
  fetch(`${base}/api/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function until(id: string, done: (job: JobRecord) => boolean): Promise<JobRecord[]> {
  const seen: JobRecord[] = [];
  for (let i = 0; i < 600; i++) {
    const job = (await (await fetch(`${base}/api/jobs/${id}`)).json()) as JobRecord;
    seen.push(job);
    if (done(job)) return seen;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${id} did not end`);
}

const video = { kind: 'video', runs: [run], slices: 'all', time: 'every', frames: 240, fps: 12, scale: 8 };

test('a video job over REST: queued, progress, done; the MP4 downloads whole and in ranges, and ffprobe accepts it', async () => {
  const response = await post(video);
  expect(response.status).toBe(202);
  const job = (await response.json()) as JobRecord;
  expect(job).toMatchObject({ kind: 'video', state: expect.stringMatching(/queued|running/) });
  const seen = await until(job.id, (j) => j.state === 'done');
  expect(seen.at(-1)).toMatchObject({ state: 'done', progress: 1, error: null });
  expect(seen.at(-1)!.message).toMatch(/^5 frames, \d+x\d+, encoded by /);
  const file = join(dir, 'downloaded.mp4');
  const whole = await fetch(`${base}/api/videos/${job.id}`);
  expect(whole.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
  const bytes = new Uint8Array(await whole.arrayBuffer());
  writeFileSync(file, bytes);
  expect(probeVideo(file, ['codec_name', 'pix_fmt', 'nb_read_frames'])).toBe('h264,yuv420p,5');
  const part = await fetch(`${base}/api/videos/${job.id}`, { headers: { range: 'bytes=100-199' } });
  expect(part.status).toBe(206);
  expect(Array.from(new Uint8Array(await part.arrayBuffer()))).toEqual(Array.from(bytes.subarray(100, 200)));
});

test('a cancelled video job over REST ends cancelled and leaves no file', async () => {
  const before = readdirSync(join(dir, 'videos'));
  const job = (await (await post({ ...video, scale: 16, fps: 24 })).json()) as JobRecord;
  await until(job.id, (j) => j.state === 'running');
  const cancel = await fetch(`${base}/api/jobs/${job.id}`, { method: 'DELETE' });
  expect(await cancel.json()).toEqual({ cancelled: true });
  const seen = await until(job.id, (j) => j.state !== 'running' && j.state !== 'queued');
  expect(seen.at(-1)!.state).toBe('cancelled');
  expect(readdirSync(join(dir, 'videos'))).toEqual(before);
  expect(existsSync(join(dir, 'videos', `${job.id}.mp4`))).toBe(false);
});

test('bad job requests get 400 with a code, and the server goes on serving', async () => {
  for (const body of [
    { ...video, runs: ['../../etc'] },
    { ...video, fps: 0 },
    { kind: 'train', preset: 'baseline', name: '../x', steps: 5, dataset: 'mnist' },
    { kind: 'train', preset: 'baseline', name: 'x', steps: 5, dataset: 'cifar10:../../secret' },
    { kind: 'dance' },
  ]) {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  }
  expect((await fetch(`${base}/api/runs`)).status).toBe(200);
});
