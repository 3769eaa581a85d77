import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { renderVideo } from '../../app/render-video.js';
import { rerender } from '../../app/rerender.js';
import { readRunJson } from '../../app/run-export.js';
import { runSession } from '../../app/train-session.js';
import { parsePoint } from '../../slices/points.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { initBackend } from '../../trainer/backend.js';
import type { BackendInfo } from '../../trainer/backend-info.js';
import { RUN_DEFAULTS } from '../../trainer/run-config.js';
import type { TrainEvent } from '../../trainer/run.js';
import { probeVideo } from '../fixtures/ffprobe.js';

let backend: BackendInfo;
const dir = mkdtempSync(join(tmpdir(), 'slicewatch-app-'));
const storePath = join(dir, 'store.db');
const out = join(dir, 'run');
const events: TrainEvent[] = [];
const logged: string[] = [];

beforeAll(async () => {
  backend = await initBackend('wasm');
  await runSession(
    {
      config: { ...RUN_DEFAULTS, steps: 6, checkpointEvery: 2, evalEvery: 3, evalLimit: 50, evalAttack: 'none' },
      out,
      store: storePath,
      resume: false,
      backend,
      recording: {
        sliceSet: 'app',
        resolution: 12,
        mode: { kind: 'full' },
        policy: 'wait',
        every: 1,
        sliceModel: '',
      },
    },
    { onEvent: (e) => events.push(e), log: (line) => logged.push(line) },
  );
});

describe('runSession (a training run with recording)', () => {
  test('reports through its callbacks and writes nothing to stdout itself', () => {
    expect(events.filter((e) => e.kind === 'step').map((e) => (e.kind === 'step' ? e.result.step : 0))).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    expect(events.filter((e) => e.kind === 'checkpoint').map((e) => (e.kind === 'checkpoint' ? e.step : 0))).toEqual([
      2, 4, 6,
    ]);
    expect(logged[0]).toMatch(/^recording slice set app into .*store\.db:\n {2}three classes: a = test:\d+/);
  });

  test('the store holds the run, completed, with every step’s scalars and frames', () => {
    const store = SqliteStore.openExisting(storePath, { readonly: true });
    const run = store.runByName(out)!;
    expect(run).toMatchObject({ status: 'completed', step: 6, totalSteps: 6, error: null });
    expect(store.scalars(run.id, 'loss').map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(store.scalars(run.id, 'testAccuracy').map((s) => s.step)).toEqual([3, 6]);
    for (const slice of store.sliceSet(run.setId!)!.slices) {
      expect([...store.frames(run.id, slice.id)].map((f) => f.step)).toEqual([1, 2, 3, 4, 5, 6]);
    }
    store.close();
  });

  test('run.json is an export of the store’s record', () => {
    const exported = readRunJson(out);
    expect(exported).toMatchObject({ name: out, store: storePath, status: 'completed', step: 6, totalSteps: 6 });
    expect(exported.testAccuracy).toBeGreaterThan(0.1);
    expect(exported.config.steps).toBe(6);
  });

  test('resumed without --record, a recorded run goes on recording, and says so', async () => {
    const lines: string[] = [];
    await runSession(
      { config: RUN_DEFAULTS, length: { steps: 8 }, out, store: storePath, resume: true, backend },
      { log: (line) => lines.push(line) },
    );
    expect(lines[0]).toBe(`resuming recorded run ${out}: recording it every step, as --record does`);
    const store = SqliteStore.openExisting(storePath, { readonly: true });
    const run = store.runByName(out)!;
    expect(run).toMatchObject({ status: 'completed', step: 8, totalSteps: 8 });
    for (const slice of store.sliceSet(run.setId!)!.slices) {
      expect([...store.frames(run.id, slice.id)].map((f) => f.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    }
    store.close();
  });

  test('the same name again is refused without --resume, and nothing changes', async () => {
    const before = readFileSync(join(out, 'run.json'), 'utf8');
    await expect(
      runSession({ config: { ...RUN_DEFAULTS, steps: 2 }, out, store: storePath, resume: false, backend }),
    ).rejects.toThrow(`${storePath} already holds a run named ${out}; pass --resume to continue it`);
    expect(readFileSync(join(out, 'run.json'), 'utf8')).toBe(before);
  });
});

describe('renderVideo', () => {
  test('reports progress per frame and writes an MP4 of one frame per recorded step (8, after the resume)', async () => {
    const store = SqliteStore.openExisting(storePath, { readonly: true });
    const progress: number[] = [];
    const file = join(dir, 'video.mp4');
    const result = await renderVideo(
      store,
      { runs: [out], slices: 'all', time: 'every', frames: 240, fps: 12, scale: 2, out: file },
      { onProgress: (p) => progress.push(p.written / p.total) },
    );
    store.close();
    expect(result).toMatchObject({ file, frames: 8, fps: 12, firstStep: 1, lastStep: 8 });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => n / 8));
    expect(probeVideo(file, ['codec_name', 'pix_fmt', 'nb_read_frames'])).toBe('h264,yuv420p,8');
  });

  test('aborting during encoding leaves the previous file and no partial one', async () => {
    const store = SqliteStore.openExisting(storePath, { readonly: true });
    const folder = mkdtempSync(join(tmpdir(), 'slicewatch-abort-'));
    const file = join(folder, 'video.mp4');
    writeFileSync(file, 'previous');
    const controller = new AbortController();
    await expect(
      renderVideo(
        store,
        { runs: [out], slices: 'all', time: 'every', frames: 240, fps: 12, scale: 2, out: file },
        {
          onProgress: ({ written }) => written === 3 && controller.abort(new Error('cancelled')),
          signal: controller.signal,
        },
      ),
    ).rejects.toThrow('cancelled');
    store.close();
    expect(readFileSync(file, 'utf8')).toBe('previous');
    expect(readdirSync(folder)).toEqual(['video.mp4']);
  });
});

describe('rerender', () => {
  test('renders a later slice through the snapshots; degenerate points leave no slice set behind', async () => {
    const store = new SqliteStore(storePath);
    const points = { a: parsePoint('test:9'), b: parsePoint('test:4'), c: parsePoint('grey') };
    const done: number[] = [];
    const result = await rerender(
      store,
      { run: out, points, name: 'later', resolution: 10, mode: { kind: 'full' } },
      { onProgress: (p) => done.push(p.done) },
    );
    expect(result).toMatchObject({ frames: 8, firstStep: 1, lastStep: 8 });
    expect(done).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const coincident = { a: parsePoint('test:9'), b: parsePoint('test:9'), c: parsePoint('grey') };
    await expect(
      rerender(store, { run: out, points: coincident, name: 'broken', resolution: 10, mode: { kind: 'full' } }),
    ).rejects.toThrow(/^points a and b coincide/);
    expect(store.sliceSetByName('broken')).toBeUndefined();
    store.close();
    expect(existsSync(join(out, 'snapshots'))).toBe(true);
  });
});

describe('stopping a run', () => {
  test('an abort ends the run stopped at the step it reached, with a checkpoint to resume from', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'slicewatch-stop-'));
    const run = join(folder, 'run');
    const db = join(folder, 'store.db');
    const controller = new AbortController();
    const config = { ...RUN_DEFAULTS, steps: 10, evalEvery: 0, evalAttack: 'none' };
    const result = await runSession(
      { config, out: run, store: db, resume: false, backend },
      { onEvent: (e) => e.kind === 'step' && e.result.step === 3 && controller.abort(), signal: controller.signal },
    );
    expect(result.stopped).toBe(true);
    const store = SqliteStore.openExisting(db, { readonly: true });
    expect(store.runByName(run)).toMatchObject({ status: 'stopped', step: 3, totalSteps: 10 });
    store.close();
    expect(readRunJson(run)).toMatchObject({ status: 'stopped', step: 3 });
    expect(readdirSync(join(run, 'checkpoints'))).toEqual(['step-00000003']);
    const resumed = await runSession({ config, out: run, store: db, resume: true, backend });
    expect(resumed.stopped).toBe(false);
    expect(readRunJson(run)).toMatchObject({ status: 'completed', step: 10 });
  });
});
