import { mkdtempSync } from 'node:fs';
import { unzlibSync } from 'fflate';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { encodeFrame } from '../../slices/frame-codec.js';
import type { ErrorReply, SliceMetricSeries, SlicePointsDto, SliceSetDto } from '../../server/protocol.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import type { NewSlice } from '../../store/types.js';
import { syntheticFrame } from '../fixtures/frames.js';
import { newRun } from '../fixtures/store.js';
import { json, serveStore } from './real-server.js';

/** A slice in d = 4 (a 2×2 greyscale image): a = (0, ¼, ½, 1), b all ones, c all zeros. */
const slice: NewSlice = {
  name: 'only',
  points: { a: { kind: 'grey' }, b: { kind: 'random', seed: 1 }, c: { kind: 'random', seed: 2 } },
  vectors: { a: Float32Array.of(0, 0.25, 0.5, 1), b: new Float32Array(4).fill(1), c: new Float32Array(4) },
  resolution: 16,
};

/**
 * A store with four slice sets: `digits` (mnist) with a run of 6 steps whose frame at step s is
 * syntheticFrame(s, 16) (key frames at steps 1 and 5); `letters` (an idx folder) with a run whose one
 * frame has 8 classes; `fashion` (an idx folder named fashion) and `blank` (an idx folder) with no run.
 */
function buildStore() {
  const path = join(mkdtempSync(join(tmpdir(), 'slicewatch-dashboard-')), 's.db');
  const writer = new SqliteStore(path);
  const setId = writer.createSliceSet('digits', 'mnist', [slice]);
  const sliceId = writer.sliceSet(setId)!.slices[0]!.id;
  const runId = writer.createRun(newRun('digits-run', setId, 6));
  let previous = syntheticFrame(0, 16);
  for (let step = 1; step <= 6; step++) {
    const frame = syntheticFrame(step, 16);
    const key = step % 4 === 1;
    writer.putStep(runId, step, { loss: 1 / step }, [
      { sliceId, delta: !key, data: encodeFrame(frame, key ? undefined : previous) },
    ]);
    previous = frame;
  }
  writer.putScalars(runId, 3, { testAccuracy: 0.75 });
  writer.putScalars(runId, 8, { testAccuracy: 0.5 });
  const lettersId = writer.createSliceSet('letters', 'idx:/data/letters', [slice]);
  const lettersRun = writer.createRun(newRun('letters-run', lettersId, 1));
  const eightClasses = {
    ...syntheticFrame(2, 16),
    classes: 8,
    pointProbabilities: new Float32Array(3 * 8),
    profiles: new Float32Array(3 * 4 * 8),
  };
  writer.putStep(lettersRun, 1, {}, [
    { sliceId: writer.sliceSet(lettersId)!.slices[0]!.id, delta: false, data: encodeFrame(eightClasses) },
  ]);
  writer.createSliceSet('fashion', 'idx:/data/fashion-mnist', [slice]);
  writer.createSliceSet('blank', 'idx:/data/blank', [slice]);
  return { path, writer, runId, sliceId };
}

describe('the routes the dashboard needs, on a real server', () => {
  let fixture: ReturnType<typeof buildStore>;
  let served: Awaited<ReturnType<typeof serveStore>>;
  let url: string;
  beforeAll(async () => {
    fixture = buildStore();
    served = await serveStore(fixture.path);
    url = served.url;
  });
  afterAll(async () => {
    await served.close();
    fixture.writer.close();
  });

  test('a slice’s points: the stored vectors and the 2×2×1 image shape of d = 4, cached for good', async () => {
    const res = await fetch(`${url}/api/slices/${fixture.sliceId}/points`);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(await json<SlicePointsDto>(res)).toEqual({
      shape: [2, 2, 1],
      a: [0, 0.25, 0.5, 1],
      b: [1, 1, 1, 1],
      c: [0, 0, 0, 0],
    });
  });

  test('slice sets carry class names (from the dataset spec, else 0…K−1 by the frames’ K) and the image shape', async () => {
    const sets = await json<SliceSetDto[]>(fetch(`${url}/api/slice-sets`));
    const byName = Object.fromEntries(sets.map((s) => [s.name, s]));
    expect(byName['digits']!.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(byName['letters']!.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(byName['fashion']!.classNames.slice(0, 2)).toEqual(['T-shirt/top', 'Trouser']);
    expect(byName['fashion']!.classNames).toHaveLength(10);
    expect(byName['blank']!.classNames).toHaveLength(10);
    expect(byName['digits']!.imageShape).toEqual([2, 2, 1]);
    const one = await json<SliceSetDto>(fetch(`${url}/api/slice-sets/${byName['letters']!.id}`));
    expect(one.classNames).toHaveLength(8);
  });

  // syntheticFrame(s, 16): 6 grey pixels (x + y < 16/6), class 0 left of column s, 3 up to column 11,
  // 7 in columns 12–15; 250 feasible pixels. Class 0 holds 16·s pixels less the grey ones in its
  // columns (3, 2, 1 in columns 0, 1, 2): 42 at s = 3, 58 from s = 4; class 7 holds 64.
  test('metrics of steps 3–4 (delta frames after the key frame of step 1): areas, components, boundary, flips', async () => {
    const res = await fetch(`${url}/api/runs/${fixture.runId}/slices/${fixture.sliceId}/metrics?from=3&to=4`);
    expect(res.headers.get('cache-control')).toContain('immutable');
    const series = await json<SliceMetricSeries>(res);
    const shares = (zero: number) => [zero, 0, 0, 250 - zero - 64, 0, 0, 0, 64, 0, 0].map((n) => n / 250);
    expect(series).toEqual({
      runId: fixture.runId,
      sliceId: fixture.sliceId,
      steps: [3, 4],
      area: [shares(42), shares(58)],
      components: [
        [1, 0, 0, 1, 0, 0, 0, 1, 0, 0],
        [1, 0, 0, 1, 0, 0, 0, 1, 0, 0],
      ],
      // 0|3: 15 + 15 pixels at s = 3 (the grey (2, 0) breaks one pair), 16 + 16 at s = 4; 3|7: 16 + 16.
      boundary: [62, 64],
      // Column s − 1 turns from 3 to 0: its feasible pixels, 15 at s = 3, 16 at s = 4.
      flipped: [15, 16],
    });
    const again = await json<SliceMetricSeries>(
      fetch(`${url}/api/runs/${fixture.runId}/slices/${fixture.sliceId}/metrics?from=3&to=4`),
    );
    expect(again).toEqual(series);
  });

  test('a key frame’s flips count against the frame before it; a range past the run’s step revalidates', async () => {
    const res = await fetch(`${url}/api/runs/${fixture.runId}/slices/${fixture.sliceId}/metrics?from=5`);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const series = await json<SliceMetricSeries>(res);
    expect(series.steps).toEqual([5, 6]);
    expect(series.flipped).toEqual([16, 16]);
    const first = await json<SliceMetricSeries>(
      fetch(`${url}/api/runs/${fixture.runId}/slices/${fixture.sliceId}/metrics?to=1`),
    );
    expect(first.flipped).toEqual([0]);
  });

  test('all of a run’s scalars as one wide CSV: a row per step, empty where a series has no value', async () => {
    const res = await fetch(`${url}/api/runs/${fixture.runId}/scalars.csv`);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toContain(`run-${fixture.runId}-scalars.csv`);
    expect(await res.text()).toBe(
      'step,loss,testAccuracy\n1,1,\n2,0.5,\n3,0.3333333333333333,0.75\n4,0.25,\n5,0.2,\n6,0.16666666666666666,\n8,,0.5\n',
    );
    expect((await fetch(`${url}/api/runs/${fixture.runId}/scalars.csv?from=2`)).status).toBe(400);
  });

  /** The RGB of pixel (x, y) of a PNG as encodePng writes it: 8-bit RGB, every row with filter 0. */
  async function pngPixel(path: string, x: number, y: number): Promise<number[]> {
    const png = new Uint8Array(await (await fetch(`${url}${path}`)).arrayBuffer());
    const view = new DataView(png.buffer);
    const width = view.getUint32(16);
    const data: number[] = [];
    for (let o = 8; o < png.length; o += 12 + view.getUint32(o)) {
      if (String.fromCharCode(...png.subarray(o + 4, o + 8)) === 'IDAT')
        data.push(...png.subarray(o + 8, o + 8 + view.getUint32(o)));
    }
    const raw = unzlibSync(Uint8Array.from(data));
    const at = y * (1 + 3 * width) + 1 + 3 * x;
    return [...raw.subarray(at, at + 3)];
  }

  test('a frame PNG in the colour-blind palette: class 0 indigo, class 7 olive, grey outside H; default otherwise', async () => {
    const frame = `/api/runs/${fixture.runId}/slices/${fixture.sliceId}/frames/3.png?scale=1`;
    expect(await pngPixel(`${frame}&palette=colour-blind`, 0, 15)).toEqual([51, 34, 136]);
    expect(await pngPixel(`${frame}&palette=colour-blind`, 15, 15)).toEqual([170, 170, 0]);
    expect(await pngPixel(`${frame}&palette=colour-blind`, 0, 0)).toEqual([128, 128, 128]);
    expect(await pngPixel(frame, 0, 15)).toEqual([31, 119, 180]);
    expect(await pngPixel(`${frame}&palette=default`, 15, 15)).toEqual([188, 189, 34]);
  });

  test.each([
    [{ from: 4, to: 2 }, 'invalid job request: reversed step range: from must not exceed to'],
    [{ palette: 'pink' }, 'invalid job request: palette: Invalid option: expected one of "default"|"colour-blind"'],
    [{ from: -1 }, 'invalid job request: from: Too small: expected number to be >=0'],
  ])('a video job request with %j → 400 %s', async (fields, message) => {
    const video = { kind: 'video', runs: ['r'], slices: 'all', time: 'every', frames: 9, fps: 9, scale: 1 };
    const res = await fetch(`${url}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...video, ...fields }),
    });
    expect(res.status).toBe(400);
    expect((await json<ErrorReply>(res)).error).toEqual({ code: 'BAD_REQUEST', message });
  });

  test.each([
    ['a frame PNG in an unknown palette', '/api/runs/1/slices/1/frames/3.png?palette=pink', 400, 'BAD_REQUEST'],
    ['points of an unknown slice', '/api/slices/999/points', 404, 'NOT_FOUND'],
    ['points of slice id ..', '/api/slices/..%2F1/points', 400, 'BAD_REQUEST'],
    ['metrics over 101 steps', '/api/runs/1/slices/1/metrics?from=0&to=100', 400, 'BAD_REQUEST'],
    ['metrics over a reversed range', '/api/runs/1/slices/1/metrics?from=4&to=3', 400, 'BAD_REQUEST'],
    ['metrics with an unknown key', '/api/runs/1/slices/1/metrics?step=3', 400, 'BAD_REQUEST'],
    ['metrics of an unknown run', '/api/runs/77/slices/1/metrics', 404, 'NOT_FOUND'],
  ])('%s → %i %s', async (_name, path, status, code) => {
    const res = await fetch(`${url}${path}`);
    expect(res.status).toBe(status);
    expect((await json<ErrorReply>(res)).error).toMatchObject({ code, message: expect.any(String) });
  });
});
