import { expect, test } from 'vitest';
import { walkOrder } from '../../recorder/walk-order.js';

/** Pixel index of (x, y) on a 10 × 10 grid. */
const at = (x: number, y: number) => y * 10 + x;

test('the walk goes to the nearest pixel not yet visited, from where it stands', () => {
  // A row of four and, three rows down, a pair; the walk stands left of the row.
  const pixels = [at(5, 2), at(2, 2), at(4, 2), at(3, 2), at(3, 5), at(4, 5)];
  const { walk, alone } = walkOrder(pixels, 10, 10, at(0, 2), 3);
  expect([...walk]).toEqual([at(2, 2), at(3, 2), at(4, 2), at(5, 2), at(4, 5), at(3, 5)]);
  expect([...alone]).toEqual([]);
});

test('pixels with no other within reach are left to be evaluated as images', () => {
  // (9, 9) is 4 from (5, 9) in Chebyshev distance: out of reach 3, in reach 4.
  const pixels = [at(0, 0), at(1, 1), at(9, 9), at(5, 9)];
  const far = walkOrder(pixels, 10, 10, undefined, 3);
  expect([...far.walk]).toEqual([at(0, 0), at(1, 1)]);
  expect([...far.alone]).toEqual([at(9, 9), at(5, 9)]);
  const near = walkOrder(pixels, 10, 10, undefined, 4);
  expect([...near.walk]).toEqual([at(0, 0), at(1, 1), at(5, 9), at(9, 9)]);
  expect([...near.alone]).toEqual([]);
});

test('a walk starting on a listed pixel begins there; no pixels, no walk', () => {
  expect([...walkOrder([at(7, 7), at(6, 7)], 10, 10, at(7, 7), 3).walk]).toEqual([at(7, 7), at(6, 7)]);
  expect(walkOrder([], 10, 10, at(1, 1), 3)).toEqual({ walk: new Int32Array(0), alone: new Int32Array(0) });
});
