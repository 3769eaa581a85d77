import { expect, test } from 'vitest';
import { walkOrder } from '../../recorder/walk-order.js';

/** Pixel index of (x, y) on a 10 × 10 grid. */
const at = (x: number, y: number) => y * 10 + x;

test('the walk goes to the nearest pixel not yet visited, from where it stands', () => {
  // A row of four and, three rows down, a pair; the walk stands left of the row.
  const pixels = [at(5, 2), at(2, 2), at(4, 2), at(3, 2), at(3, 5), at(4, 5)];
  expect([...walkOrder(pixels, 10, 10, at(0, 2))]).toEqual([
    at(2, 2),
    at(3, 2),
    at(4, 2),
    at(5, 2),
    at(4, 5),
    at(3, 5),
  ]);
});

test('lone pixels are walked too, the nearest of a ring first by straight-line distance', () => {
  // From (0, 0): (1, 1) is next; then (5, 9) and (9, 9) are both 8 rows down, (5, 9) nearer; then (9, 9).
  const pixels = [at(0, 0), at(1, 1), at(9, 9), at(5, 9)];
  expect([...walkOrder(pixels, 10, 10)]).toEqual([at(0, 0), at(1, 1), at(5, 9), at(9, 9)]);
  // From (9, 0), a corner away: (9, 9) and (5, 9) are 9 and 9 rings away, (9, 9) straight below.
  expect([...walkOrder([at(5, 9), at(9, 9)], 10, 10, at(9, 0))]).toEqual([at(9, 9), at(5, 9)]);
});

test('a walk starting on a listed pixel begins there; no pixels, no walk', () => {
  expect([...walkOrder([at(7, 7), at(6, 7)], 10, 10, at(7, 7))]).toEqual([at(7, 7), at(6, 7)]);
  expect(walkOrder([], 10, 10, at(1, 1))).toEqual(new Int32Array(0));
});
