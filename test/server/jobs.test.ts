import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runSession } from '../../app/train-session.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { initBackend } from '../../trainer/backend.js';
import { RUN_DEFAULTS } from '../../trainer/run-config.js';
import { TRAIN_PRESETS, type JobRecord, type JobRequest, type Jobs } from '../../server/job-types.js';
import { createJobs } from '../../server/jobs.js';
import { PRESET_FLAGS } from '../../server/job-requests.js';
import { TRAIN_OPTIONS } from '../../server/commands/train-options.js';
import { parseOptions } from '../../server/options.js';
import { probeVideo } from '../fixtures/ffprobe.js';

const dir = mkdtempSync(join(tmpdir(), 'slicewatch-jobs-'));
const storePath = join(dir, 'store.db');
const recorded = join(dir, 'recorded');
const runsFolder = join(dir, 'runs');
const videosFolder = join(dir, 'videos');
let jobs: Jobs;

/** Every event of a job, until it ends. */
function eventsOf(id: string): { events: JobRecord[]; ended: Promise<JobRecord> } {
  const events: JobRecord[] = [];
  const ended = new Promise<JobRecord>((resolve) => {
    const off = jobs.onChange((job) => {
      if (job.id !== id) return;
      events.push(job);
      if (job.state === 'done' || job.state === 'failed' || job.state === 'cancelled') {
        off();
        resolve(job);
      }
    });
  });
  return { events, ended };
}

/** The first event of a job that passes the test. */
function when(id: string, test: (job: JobRecord) => boolean): Promise<JobRecord> {
  return new Promise((resolve) => {
    const off = jobs.onChange((job) => {
      if (job.id === id && test(job)) {
        off();
        resolve(job);
      }
    });
  });
}

function runNamed(name: string) {
  const store = SqliteStore.openExisting(storePath, { readonly: true });
  try {
    return store.runByName(name);
  } finally {
    store.close();
  }
}

const video: Extract<JobRequest, { kind: 'video' }> = {
  kind: 'video',
  runs: [recorded],
  slices: 'all',
  time: 'every',
  frames: 240,
  fps: 12,
  scale: 2,
};
const train = (name: string, steps: number): Extract<JobRequest, { kind: 'train' }> => ({
  kind: 'train',
  preset: 'baseline',
  name,
  steps,
  dataset: 'mnist',
});

beforeAll(async () => {
  const backend = await initBackend('wasm');
  await runSession({
    config: { ...RUN_DEFAULTS, steps: 6, checkpointEvery: 2, evalEvery: 3, evalLimit: 50, evalAttack: 'none' },
    out: recorded,
    store: storePath,
    resume: false,
    backend,
    recording: { sliceSet: 'jobs', resolution: 12, mode: { kind: 'full' }, policy: 'wait', every: 1, sliceModel: '' },
  });
  jobs = createJobs({
    storePath,
    runsFolder,
    videosFolder,
    trainFlags: ['--record-resolution', '12', '--eval-attack', 'none', '--eval-limit', '50', '--backend', 'wasm'],
    killGraceMs: 20_000,
  });
});

afterAll(async () => {
  await jobs?.close();
});

describe('video jobs', () => {
  test('report rising progress and write an MP4 named by its content; the same request again is cached', async () => {
    const job = jobs.start(video);
    expect(job).toMatchObject({ kind: 'video', state: 'queued', progress: 0, file: null, error: null });
    const { events, ended } = eventsOf(job.id);
    const done = await ended;
    expect(done).toMatchObject({ state: 'done', progress: 1, error: null, runId: runNamed(recorded)!.id });
    const progress = events.map((e) => e.progress);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
    expect(progress.filter((p) => p > 0 && p < 1).length).toBeGreaterThan(0);
    expect(done.file).toMatch(/^[0-9a-f]{32}\.mp4$/);
    const file = jobs.filePath(job.id)!;
    expect(file).toBe(join(videosFolder, done.file!));
    expect(probeVideo(file, ['codec_name', 'pix_fmt', 'nb_read_frames'])).toBe('h264,yuv420p,6');
    const written = statSync(file).mtimeMs;

    const again = jobs.start(video);
    const cached = await eventsOf(again.id).ended;
    expect(cached).toMatchObject({ state: 'done', progress: 1, message: 'cached', file: done.file });
    expect(statSync(file).mtimeMs).toBe(written);
    expect(jobs.list().map((j) => j.id)).toEqual([job.id, again.id]);
  });

  test('cancelled on its first progress event, ends cancelled and leaves no file', async () => {
    const before = readdirSync(videosFolder);
    const job = jobs.start({ ...video, scale: 3 });
    const { ended } = eventsOf(job.id);
    void when(job.id, (j) => j.progress > 0).then(() => expect(jobs.cancel(job.id)).toBe(true));
    expect(await ended).toMatchObject({ state: 'cancelled', file: null });
    expect(readdirSync(videosFolder)).toEqual(before);
    expect(jobs.filePath(job.id)).toBeUndefined();
    expect(jobs.cancel(job.id)).toBe(false);
  });

  test('a video of a run that is not in the store fails and says why', async () => {
    const job = jobs.start({ ...video, runs: ['nowhere'] });
    expect(await eventsOf(job.id).ended).toMatchObject({ state: 'failed', error: 'no run named nowhere in the store' });
  });
});

describe('train jobs', () => {
  test('the baseline preset runs a child to the end: the store has a completed run of 5 steps', async () => {
    const job = jobs.start(train('base', 5));
    const { events, ended } = eventsOf(job.id);
    const done = await ended;
    expect(done).toMatchObject({ state: 'done', progress: 1, error: null });
    expect(events.some((e) => e.state === 'running' && /^step \d\/5/.test(e.message))).toBe(true);
    const run = runNamed(join(runsFolder, 'base'))!;
    expect(run).toMatchObject({ status: 'completed', step: 5, totalSteps: 5 });
    expect(done.runId).toBe(run.id);
  });

  test('one training job at a time: the second waits queued; a cancelled one ends its run stopped', async () => {
    const first = jobs.start(train('long-a', 100));
    const second = jobs.start(train('long-b', 100));
    const firstEvents = eventsOf(first.id);
    const secondEvents = eventsOf(second.id);
    // The child's first line once training begins (`training 100 steps …`), before step 1.
    await when(first.id, (j) => j.message.startsWith('training'));
    expect(jobs.get(second.id)!.state).toBe('queued');
    expect(jobs.cancel(first.id)).toBe(true);
    expect(await firstEvents.ended).toMatchObject({ state: 'cancelled', error: null });
    expect(runNamed(join(runsFolder, 'long-a'))).toMatchObject({ status: 'stopped' });
    await when(second.id, (j) => j.state === 'running');
    expect(jobs.cancel(second.id)).toBe(true);
    expect(await secondEvents.ended).toMatchObject({ state: 'cancelled' });
  });

  test('a child that fails says why in one line: its last error line', async () => {
    const job = jobs.start({ ...train('unreadable', 5), dataset: `idx:${dir}` });
    const failed = await eventsOf(job.id).ended;
    expect(failed).toMatchObject({
      state: 'failed',
      error: `${join(dir, 'train-images-idx3-ubyte')}: file not found (also looked for train-images-idx3-ubyte.gz, train-images.idx3-ubyte, train-images.idx3-ubyte.gz)`,
    });
  });
});

describe('rerender jobs', () => {
  test('render a new slice through the run’s snapshots, with progress per snapshot', async () => {
    const job = jobs.start({
      kind: 'rerender',
      run: recorded,
      a: 'test:9',
      b: 'test:4',
      c: 'grey',
      name: 'later',
      resolution: 10,
      mode: 'full',
    });
    const { events, ended } = eventsOf(job.id);
    expect(await ended).toMatchObject({ state: 'done', progress: 1, message: '6 frames, steps 1-6', error: null });
    expect(events.some((e) => e.message.startsWith('snapshot '))).toBe(true);
    const store = SqliteStore.openExisting(storePath, { readonly: true });
    const set = store.sliceSetByName('later')!;
    expect([...store.frames(runNamed(recorded)!.id, set.slices[0]!.id)].map((f) => f.step)).toEqual([1, 2, 3, 4, 5, 6]);
    store.close();
  });
});

describe('requests', () => {
  test('each training preset is a valid train command line', () => {
    expect(TRAIN_PRESETS.map((preset) => parseOptions(PRESET_FLAGS[preset], TRAIN_OPTIONS))).toMatchObject([
      { adv: 'none', mixup: 0 },
      { adv: 'pgd-linf:steps=7,step=0.1', mixup: 0 },
      { adv: 'none', mixup: 1 },
    ]);
  });

  test('bad requests are refused with one-line errors', () => {
    const refused = (request: JobRequest) => {
      try {
        jobs.start(request);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refused({ ...train('x', 5), name: '../x' })).toBe(
      `invalid name: "../x"; expected 1-64 letters, digits, '.', '_' or '-' (not . or ..)`,
    );
    mkdirSync(join(runsFolder, 'taken'), { recursive: true });
    expect(refused(train('taken', 5))).toBe(
      `run folder ${join(runsFolder, 'taken')} exists already; choose another name`,
    );
    expect(refused(train('x', 0))).toBe('expected steps to be an integer from 1 to 10000000, received 0');
    expect(refused({ ...train('x', 5), dataset: 'idx:/no/such/folder' })).toBe(
      'invalid dataset: idx:/no/such/folder; the server cannot read /no/such/folder',
    );
    expect(refused({ ...video, fps: 0 })).toBe('expected fps to be a number in [1, 120], received 0');
    expect(refused({ ...video, runs: [] })).toBe('expected runs to be a list of 1 to 8 run names');
    expect(
      refused({
        kind: 'rerender',
        run: recorded,
        a: 'test:1',
        b: 'nope',
        c: 'grey',
        name: 'r',
        resolution: 10,
        mode: 'full',
      }),
    ).toMatch(/^invalid --b: point: nope; unknown form/);
    expect(jobs.get('../../etc')).toBeUndefined();
    expect(jobs.filePath('../x')).toBeUndefined();
    expect(existsSync(join(runsFolder, 'x'))).toBe(false);
  });
});
