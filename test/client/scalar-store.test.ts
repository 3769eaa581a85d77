import { expect, test } from 'vitest';
import { ScalarStore } from '../../client/model/scalar-store.js';
import type { RunId } from '../../core/ids.js';
import { MAX_SCALAR_SPAN } from '../../server/wire-format.js';

const run = 1 as RunId;

test('a series loads in spans the server accepts and extends with live pushes', async () => {
  const store = new ScalarStore();
  const asked: [number, number][] = [];
  await store.load(run, ['loss'], MAX_SCALAR_SPAN + 5, async (_run, _name, from, to) => {
    asked.push([from, to]);
    return [{ step: from + 1, value: from }];
  });
  expect(asked).toEqual([
    [0, MAX_SCALAR_SPAN - 1],
    [MAX_SCALAR_SPAN, MAX_SCALAR_SPAN + 5],
  ]);
  expect(store.get(run, 'loss')).toEqual({ steps: [1, MAX_SCALAR_SPAN + 1], values: [0, MAX_SCALAR_SPAN] });
  store.push(run, MAX_SCALAR_SPAN + 2, { loss: 0.5, testAccuracy: 0.9 });
  expect(store.get(run, 'loss')?.values.at(-1)).toBe(0.5);
  expect(store.get(run, 'testAccuracy')).toEqual({ steps: [MAX_SCALAR_SPAN + 2], values: [0.9] });
  expect(store.newestStep(run)).toBe(MAX_SCALAR_SPAN + 2);
});

test('a resumed run commits its steps again: a push replaces the series from its step on', () => {
  const store = new ScalarStore();
  for (const step of [1, 2, 3, 4, 5]) store.push(run, step, { loss: step });
  const version = store.version;
  store.push(run, 3, { loss: 30 });
  expect(store.get(run, 'loss')).toEqual({ steps: [1, 2, 3], values: [1, 2, 30] });
  expect(store.version).toBeGreaterThan(version);
});
