import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderVideo, type VideoRequest } from '../../app/render-video.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { encodeFrame } from '../../slices/frame-codec.js';
import { StoreError } from '../../store/errors.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { probeVideo } from '../fixtures/ffprobe.js';
import { syntheticFrame } from '../fixtures/frames.js';
import { newRun } from '../fixtures/store.js';

const dir = mkdtempSync(join(tmpdir(), 'slicewatch-render-video-'));
let store: SqliteStore;

/** An MNIST run `run` with a 16×16 frame recorded at every other step, 2 to 20 (10 frames), on one slice. */
beforeAll(() => {
  store = new SqliteStore(join(dir, 'store.db'));
  const setId = store.createSliceSet('set', 'mnist', [
    {
      name: 'only',
      points: { a: { kind: 'grey' }, b: { kind: 'random', seed: 1 }, c: { kind: 'random', seed: 2 } },
      vectors: {
        a: new Float32Array(784),
        b: new Float32Array(784).fill(1),
        c: new Float32Array(784).map((_, i) => (i < 392 ? 1 : 0)),
      },
      resolution: 16,
    },
  ]);
  const sliceId = store.sliceSet(setId)!.slices[0]!.id;
  const runId = store.createRun(newRun('run', setId, 20));
  for (let step = 2; step <= 20; step += 2)
    store.putStep(runId, step, { loss: 1 / step }, [
      { sliceId, delta: false, data: encodeFrame(syntheticFrame(step / 2, 16)) },
    ]);
});
afterAll(() => store.close());

const request = (range: Partial<VideoRequest>, name: string): VideoRequest => ({
  runs: ['run'],
  slices: 'all',
  time: 'every',
  frames: 240,
  fps: 12,
  scale: 2,
  out: join(dir, `${name}.mp4`),
  ...range,
});

describe('a video over a step range', () => {
  test.each([
    ['steps 5 to 14: the frames of 6, 8, 10, 12, 14', { from: 5, to: 14 }, 5, 6, 14],
    [
      'from step 16, in the colour-blind palette: 16, 18, 20',
      { from: 16, palette: 'colour-blind' as const },
      3,
      16,
      20,
    ],
    ['to step 7: 2, 4, 6', { to: 7 }, 3, 2, 6],
  ])('%s', async (name, range, frames, firstStep, lastStep) => {
    const result = await renderVideo(store, request(range, name.replace(/\W+/g, '-')));
    expect(result).toMatchObject({ frames, firstStep, lastStep });
    expect(probeVideo(result.file, ['nb_read_frames'])).toBe(String(frames));
  });

  test('a reversed range and a range without frames are refused, naming the steps', async () => {
    await expect(renderVideo(store, request({ from: 9, to: 3 }, 'reversed'))).rejects.toThrow(
      new InvalidArgumentError('reversed step range: from 9 is after to 3'),
    );
    await expect(renderVideo(store, request({ from: 21 }, 'empty'))).rejects.toThrow(
      new StoreError('the chosen runs have no recorded frames from step 21 to the end'),
    );
  });
});
