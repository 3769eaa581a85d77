import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { initBackend } from '../../trainer/backend.js';
import type { Dataset } from '../../trainer/datasets/dataset.js';
import { loadDataset } from '../../trainer/datasets/load.js';
import { classifierOf } from '../../trainer/models/classifier.js';
import { SliceEvaluator } from '../../recorder/evaluate.js';
import { sliceGeometry } from '../../slices/geometry.js';
import { loadCheckpoint, resolveCheckpoint } from '../../trainer/checkpoint.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { newestRunOnceInterrupted } from '../fixtures/store.js';
import { killResumeTrial } from '../stress/kill-resume.js';
import { createRng } from '../../core/rng.js';
import { probeVideo } from '../fixtures/ffprobe.js';

let mnist: Dataset;
beforeAll(async () => {
  await initBackend('wasm');
  mnist = loadDataset('mnist');
});

const tempDir = () => mkdtempSync(join(tmpdir(), 'slicewatch-record-'));

test('kill -9 of `slicewatch train --record`, then --resume: every step recorded once, run completed', async () => {
  const dir = tempDir();
  const out = join(dir, 'run');
  const db = join(dir, 'store.db');
  const args = [
    '--import',
    'tsx',
    'server/bin.ts',
    'train',
    '--record',
    '--store',
    db,
    '--out',
    out,
    '--record-resolution',
    '24',
    '--checkpoint-every',
    '5',
    '--eval-every',
    '0',
    '--eval-attack',
    'none',
  ];
  const child = spawn(process.execPath, [...args, '--steps', '200'], { stdio: 'ignore' });
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      try {
        const store = SqliteStore.openExisting(db, { readonly: true });
        const step = store.runs()[0]?.step ?? 0;
        store.close();
        if (step >= 12) {
          clearInterval(poll);
          resolve();
        }
      } catch {
        // Not created yet.
      }
    }, 100);
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  const killed = SqliteStore.openExisting(db, { readonly: true });
  const run = await newestRunOnceInterrupted(killed);
  expect(run!.status).toBe('interrupted');
  const killedAt = run!.step;
  killed.close();

  const resumed = spawnSync(process.execPath, [...args, '--resume', '--steps', '20'], { encoding: 'utf8' });
  expect(resumed.stderr).toBe('');
  // The newest checkpoint at or before the kill: a multiple of 5.
  expect(resumed.stdout).toMatch(new RegExp(`^resuming at step ${Math.floor(killedAt / 5) * 5} of 20`, 'm'));
  const store = SqliteStore.openExisting(db, { readonly: true });
  const [done] = store.runs();
  expect(done).toMatchObject({ status: 'completed', step: 20 });
  for (const slice of store.sliceSet(done!.setId!)!.slices) {
    expect([...store.frames(done!.id, slice.id)].map((f) => f.step)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  }
  expect(store.scalars(done!.id, 'loss').map((s) => s.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  store.close();

  // The recorded run as a video of all its slices: one frame per recorded step.
  const mp4 = join(dir, 'run.mp4');
  const video = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'server/bin.ts', 'video', '--store', db, '--runs', out, '--slices', 'all', '--out', mp4],
    {
      encoding: 'utf8',
    },
  );
  expect(video.stderr).toBe('');
  expect(video.stdout).toMatch(/^wrote .*run\.mp4: 20 frames, \d+x\d+, 24 fps \(steps 1-20\), encoded by /m);
  expect(probeVideo(mp4, ['codec_name', 'nb_read_frames'])).toBe('h264,20');

  // `video` killed mid-encode (at its first progress line) leaves the file that was there untouched.
  const previous = join(dir, 'previous.mp4');
  writeFileSync(previous, 'the previous video');
  const encoding = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'server/bin.ts',
      'video',
      '--store',
      db,
      '--runs',
      out,
      '--slices',
      'all',
      '--scale',
      '12',
      '--out',
      previous,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => {
    encoding.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('encoding')) encoding.kill('SIGKILL');
    });
    encoding.once('exit', (_code, killedBy) => resolve(killedBy));
  });
  expect(signal).toBe('SIGKILL');
  expect(readFileSync(previous, 'utf8')).toBe('the previous video');

  // A slice chosen afterwards, rendered back through the run's weight snapshots (every step up to 100).
  const rerender = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'server/bin.ts',
      'rerender',
      '--store',
      db,
      '--run',
      out,
      '--a',
      'test:9',
      '--b',
      'test:4',
      '--c',
      'grey',
      '--resolution',
      '20',
      '--mode',
      'full',
      '--name',
      'later',
    ],
    { encoding: 'utf8' },
  );
  expect(rerender.stderr).toBe('');
  const after = SqliteStore.openExisting(db, { readonly: true });
  const [later] = after.sliceSetByName('later')!.slices;
  const rerendered = [...after.frames(done!.id, later!.id)];
  expect(rerendered.map((f) => f.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  // Its last frame is what the final checkpoint (step 20) gives on that slice.
  const { model } = await loadCheckpoint(resolveCheckpoint(out));
  const evaluator = new SliceEvaluator(
    sliceGeometry(later!.vectors.a, later!.vectors.b, later!.vectors.c, { resolution: 20 }),
    mnist.imageShape,
  );
  const final = await evaluator.evaluate(classifierOf(model));
  evaluator.dispose();
  expect(Array.from(rerendered.at(-1)!.frame.labels)).toEqual(Array.from(final.labels));
  after.close();
}, 240_000);

test.each([
  { seed: 3, killResume: false },
  { seed: 4, killResume: true },
])(
  'kill -9 at a random moment (seed $seed, killing the resume too: $killResume), then resume: steps 1..16 once each',
  async ({ seed, killResume }) => {
    const report = await killResumeTrial(createRng(seed), {
      steps: 16,
      checkpointEvery: 4,
      killResume,
    });
    expect(report.problems).toEqual([]);
    expect(report.videoFrames).toBe(16);
  },
);
