import { expect, test } from 'vitest';
import type { RunId, SliceId } from '../../core/ids.js';
import { chunkOrder, MetricStore } from '../../client/charts/metric-store.js';

const run = 1 as RunId;
const slice = 3 as SliceId;

test('chunks: the newest first, then coarse to fine', () => {
  expect(chunkOrder(5)).toEqual([4, 0, 2, 1, 3]);
  expect(chunkOrder(1)).toEqual([0]);
  expect(chunkOrder(0)).toEqual([]);
});

/** A server whose run records every step from 1: metrics that name their step; requests are logged. */
function setup() {
  const requests: string[] = [];
  let clock = 0;
  let changes = 0;
  const store = new MetricStore(
    async (r, s, from, to) => {
      requests.push(`${from}-${to}`);
      const steps = Array.from({ length: to - Math.max(1, from) + 1 }, (_, i) => Math.max(1, from) + i);
      return {
        runId: r,
        sliceId: s,
        steps,
        area: steps.map((n) => [n / 1000]),
        components: steps.map(() => [1]),
        boundary: steps,
        flipped: steps.map((n) => n % 3),
      };
    },
    () => changes++,
    () => clock,
  );
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { store, requests, settle, tick: (ms: number) => (clock += ms), changes: () => changes };
}

test('a 250-step run: chunk 200–250 and 0–99 first (two in flight), a gap at 100 until 100–199 arrives', async () => {
  const { store, requests, settle } = setup();
  expect(store.get(run, slice, 250)).toBeUndefined();
  expect(requests).toEqual(['200-250', '0-99']);
  await settle();
  const partial = store.get(run, slice, 250)!;
  expect(requests).toEqual(['200-250', '0-99', '100-199']);
  expect(partial.steps.length).toBe(99 + 1 + 51);
  expect(partial.steps[99]).toBe(100);
  expect(partial.boundary[99]).toBeNaN();
  expect(partial.area[99]).toEqual([]);
  await settle();
  const whole = store.get(run, slice, 250)!;
  expect(whole.steps).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
  expect(whole.area[249]).toEqual([0.25]);
});

test('a growing run fetches only its new steps, at most twice a second', async () => {
  const { store, requests, settle, tick } = setup();
  store.get(run, slice, 50);
  await settle();
  store.get(run, slice, 60);
  expect(requests).toEqual(['0-50', '51-60']);
  await settle();
  tick(100);
  store.get(run, slice, 70);
  expect(requests).toHaveLength(2);
  tick(400);
  store.get(run, slice, 70);
  expect(requests).toEqual(['0-50', '51-60', '61-70']);
  await settle();
  expect(store.get(run, slice, 70)!.flipped.slice(-3)).toEqual([68 % 3, 69 % 3, 70 % 3]);
});

test('a failed request is shown and retried after 5 s; a resumed run (fewer steps) starts over', async () => {
  let fail = true;
  const requests: string[] = [];
  let clock = 0;
  const store = new MetricStore(
    async (runId, sliceId, from, to) => {
      requests.push(`${from}-${to}`);
      if (fail) throw new Error('metrics failed');
      return { runId, sliceId, steps: [to], area: [[1]], components: [[1]], boundary: [0], flipped: [0] };
    },
    () => undefined,
    () => clock,
  );
  store.get(run, slice, 20);
  await new Promise((resolve) => setTimeout(resolve, 0));
  expect(store.error).toBe('metrics failed');
  clock = 4999;
  store.get(run, slice, 20);
  expect(requests).toEqual(['0-20']);
  clock = 5000;
  fail = false;
  store.get(run, slice, 20);
  await new Promise((resolve) => setTimeout(resolve, 0));
  expect(store.error).toBeNull();
  expect(store.get(run, slice, 10)).toBeUndefined();
  expect(requests).toEqual(['0-20', '0-20', '0-10']);
});
