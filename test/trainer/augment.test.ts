import { expect, test } from 'vitest';
import { cropAndFlip } from '../../trainer/augment.js';
import type { Rng } from '../../core/rng.js';

/** An Rng that replays fixed draws: int(n) takes the next value as the integer. */
function replay(ints: number[], floats: number[]): Rng {
  return { int: () => ints.shift()!, next: () => floats.shift()! };
}

// A 3×3 single-channel image with pixel value 10·row + column.
const image = Uint8Array.from([0, 1, 2, 10, 11, 12, 20, 21, 22]);

test.each([
  { name: 'no shift, no flip', ints: [1, 1], flip: 0.9, expected: [0, 1, 2, 10, 11, 12, 20, 21, 22] },
  { name: 'no shift, flipped', ints: [1, 1], flip: 0.1, expected: [2, 1, 0, 12, 11, 10, 22, 21, 20] },
  // Shift down by one (dy = -1): row -1 reflects to row 1.
  {
    name: 'dy = -1 reflects row 1 in at the top',
    ints: [0, 1],
    flip: 0.9,
    expected: [10, 11, 12, 0, 1, 2, 10, 11, 12],
  },
  // dx = +1: column 3 reflects to column 1.
  {
    name: 'dx = +1 reflects column 1 in at the right',
    ints: [1, 2],
    flip: 0.9,
    expected: [1, 2, 1, 11, 12, 11, 21, 22, 21],
  },
])('crop with 1-pixel reflect padding: $name', ({ ints, flip, expected }) => {
  const out = new Uint8Array(9);
  cropAndFlip(image, out, [3, 3, 1], 1, replay(ints, [flip]));
  expect(Array.from(out)).toEqual(expected);
});

test('keeps channels together', () => {
  const rgb = Uint8Array.from([1, 2, 3, 4, 5, 6]); // 1×2 image, pixels (1,2,3) and (4,5,6)
  const out = new Uint8Array(6);
  cropAndFlip(rgb, out, [1, 2, 3], 0, replay([0, 0], [0.1]));
  expect(Array.from(out)).toEqual([4, 5, 6, 1, 2, 3]);
});
