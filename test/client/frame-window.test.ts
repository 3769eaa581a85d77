import { expect, test } from 'vitest';
import { CHUNK_STEPS, FrameWindow, frameBytes } from '../../client/model/frame-window.js';
import type { RunId, SliceId } from '../../core/ids.js';
import { encodeFrame } from '../../slices/frame-codec.js';
import type { FrameRow } from '../../server/wire-format.js';
import { syntheticFrame } from '../fixtures/frames.js';

const run = 1 as RunId;
const slice = 2 as SliceId;

/** Stored rows of a slice recorded at `steps`: a key frame every 16th, deltas between; frame k cut at column 8 + k mod 40. */
function storedRows(steps: number[]): FrameRow[] {
  let previous: ReturnType<typeof syntheticFrame> | undefined;
  return steps.map((step, i) => {
    const frame = syntheticFrame(8 + (step % 40), 32);
    const key = i % 16 === 0;
    const row = { step, delta: !key, data: encodeFrame(frame, key ? undefined : previous) };
    previous = frame;
    return row;
  });
}

/** What the server answers for ?from=&to=: the rows from the key frame at or before `from`. */
function server(rows: FrameRow[]) {
  const asked: [number, number][] = [];
  const fetch = async (_run: RunId, _slice: SliceId, from: number, to: number) => {
    asked.push([from, to]);
    let start = rows.findIndex((r) => r.step >= from);
    if (start < 0) start = rows.length;
    let key = Math.min(start, rows.length - 1);
    while (key > 0 && (rows[key]!.delta || rows[key]!.step > from)) key--;
    return rows.filter((r, i) => i >= key && r.step <= to);
  };
  return { asked, fetch };
}

/** Waits until the window has fetched and decoded every range it wants (a range decodes over several tasks). */
async function settle(window: FrameWindow): Promise<void> {
  do await new Promise((resolve) => setTimeout(resolve, 0));
  while (window.loading);
}

test('a frame loads with its range, decodes through the deltas and equals the recorded frame', async () => {
  const rows = storedRows(Array.from({ length: 200 }, (_, i) => i + 1));
  const { asked, fetch } = server(rows);
  const window = new FrameWindow(fetch, () => undefined);
  expect(window.at(run, slice, 100, 200)).toBeUndefined();
  await settle(window);
  expect(asked).toEqual([[64, 127]]);
  const frame = window.at(run, slice, 100, 200)!;
  expect(Array.from(frame.labels)).toEqual(Array.from(syntheticFrame(8 + (100 % 40), 32).labels));
  // The range was decoded once: its other steps need no fetch.
  expect(window.at(run, slice, 127, 200)?.labels).toEqual(syntheticFrame(8 + (127 % 40), 32).labels);
  expect(asked).toHaveLength(1);
});

test('between recorded steps the cursor shows the newest frame at or before it, even from an earlier range', async () => {
  const rows = storedRows([1, 2, 50, 300]);
  const { fetch } = server(rows);
  const window = new FrameWindow(fetch, () => undefined);
  window.at(run, slice, 200, 300);
  await settle(window);
  // Range 192..255 holds no frame; its rows start at the key frame (step 1) and run up to step 50.
  expect(window.at(run, slice, 200, 300)?.labels).toEqual(syntheticFrame(8 + (50 % 40), 32).labels);
});

test('the window stays within its budget, and an evicted frame is fetched again', async () => {
  const rows = storedRows(Array.from({ length: 640 }, (_, i) => i + 1));
  const { asked, fetch } = server(rows);
  const perFrame = frameBytes(syntheticFrame(8, 32));
  const window = new FrameWindow(fetch, () => undefined, 100 * perFrame);
  for (let step = 1; step <= 640; step += CHUNK_STEPS) {
    window.at(run, slice, step, 640);
    await settle(window);
    expect(window.bytes).toBeLessThanOrEqual(100 * perFrame);
  }
  expect(window.size).toBeLessThanOrEqual(100);
  const before = asked.length;
  expect(window.at(run, slice, 5, 640)).toBeUndefined();
  await settle(window);
  expect(asked.length).toBe(before + 1);
  expect(window.at(run, slice, 5, 640)?.labels).toEqual(syntheticFrame(8 + 5, 32).labels);
});

test('a range read ahead again after its frames were evicted is fetched again', async () => {
  // Playback past a range whose frames the budget evicted waits on it: its prefetch must fetch it.
  const rows = storedRows(Array.from({ length: 128 }, (_, i) => i + 1));
  const { asked, fetch } = server(rows);
  const window = new FrameWindow(fetch, () => undefined, 100 * frameBytes(syntheticFrame(8, 32)));
  window.prefetch(run, slice, 1, 63, 128);
  await settle(window);
  window.prefetch(run, slice, 64, 127, 128);
  await settle(window);
  expect(window.recordedStep(run, slice, 5, 128)).toBeUndefined();
  const before = asked.length;
  window.prefetch(run, slice, 5, 5, 128);
  await settle(window);
  expect(asked.slice(before)).toEqual([[0, 63]]);
  expect(window.recordedStep(run, slice, 5, 128)).toBe(5);
  expect(window.at(run, slice, 5, 128)?.labels).toEqual(syntheticFrame(8 + 5, 32).labels);
});

test('a range decodes in tasks of its time budget: with none, a frame a task, the page running in between', async () => {
  const rows = storedRows(Array.from({ length: 64 }, (_, i) => i + 64));
  const { fetch } = server(rows);
  let loads = 0;
  const window = new FrameWindow(fetch, () => loads++, 64 * 2 ** 20, 0);
  window.at(run, slice, 127, 127);
  // The page's turns (timers here) see the range part-decoded, again and again.
  const partial = new Set<number>();
  do {
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (window.size > 0 && window.size < 64) partial.add(window.size);
  } while (window.loading);
  expect(partial.size).toBeGreaterThanOrEqual(4);
  expect(loads).toBe(1);
  expect(window.size).toBe(64);
  expect(window.at(run, slice, 127, 127)?.labels).toEqual(syntheticFrame(8 + (127 % 40), 32).labels);
});

test('a run forgotten while its range decodes keeps none of it, and its range is fetched afresh at once', async () => {
  const rows = storedRows(Array.from({ length: 64 }, (_, i) => i + 64));
  const { asked, fetch } = server(rows);
  const window = new FrameWindow(fetch, () => undefined, 64 * 2 ** 20, 0);
  window.at(run, slice, 100, 127);
  while (window.size === 0) await new Promise((resolve) => setTimeout(resolve, 0));
  window.forget(run);
  expect(window.size).toBe(0);
  // Asked again while the forgotten range still decodes: a new fetch, not a wait for the old one.
  expect(window.at(run, slice, 100, 127)).toBeUndefined();
  expect(asked).toHaveLength(2);
  await settle(window);
  expect(window.at(run, slice, 100, 127)?.labels).toEqual(syntheticFrame(8 + (100 % 40), 32).labels);
  expect(window.size).toBe(64);
});

test('live pushes decode on the frame pushed before; a push on an unknown base is refused', () => {
  const rows = storedRows([1, 2, 3]);
  const window = new FrameWindow(server(rows).fetch, () => undefined);
  expect(window.push(run, slice, 2, 1, [rows[1]!])).toBe(false);
  expect(window.push(run, slice, 1, null, [rows[0]!])).toBe(true);
  expect(window.push(run, slice, 2, 1, [rows[1]!])).toBe(true);
  // At the run's newest step the newest pushed frame shows without a fetch.
  expect(window.at(run, slice, 3, 3)?.labels).toEqual(syntheticFrame(8 + 2, 32).labels);
  expect(window.at(run, slice, 2, 3)?.labels).toEqual(syntheticFrame(8 + 2, 32).labels);
});
