import { expect, test } from 'vitest';
import { changedMask, disagreeMask, maskShare, paintMask } from '../../client/draw/pixel-masks.js';

// 3×2 frames; pixel 2 is outside H in all of them.
const now = Uint8Array.from([0, 1, 255, 2, 9, 0]);
const pinned = Uint8Array.from([0, 3, 255, 2, 9, 1]);
const other = Uint8Array.from([0, 1, 255, 7, 9, 0]);
const third = Uint8Array.from([5, 1, 255, 2, 9, 0]);

test('changedMask: feasible pixels whose class differs from the pinned frame', () => {
  expect(Array.from(changedMask(now, pinned))).toEqual([0, 1, 0, 0, 0, 1]);
  expect(Array.from(changedMask(now, now))).toEqual([0, 0, 0, 0, 0, 0]);
});

test('disagreeMask: pixels where any compared run gives another class', () => {
  expect(Array.from(disagreeMask([now, other]))).toEqual([0, 0, 0, 1, 0, 0]);
  expect(Array.from(disagreeMask([now, other, third]))).toEqual([1, 0, 0, 1, 0, 0]);
  expect(Array.from(disagreeMask([now]))).toEqual([0, 0, 0, 0, 0, 0]);
  expect(disagreeMask([]).length).toBe(0);
});

test('maskShare: flagged share of the 5 feasible pixels', () => {
  expect(maskShare(disagreeMask([now, other, third]), now)).toBe(2 / 5);
  expect(maskShare(changedMask(now, pinned), now)).toBe(2 / 5);
  expect(maskShare(Uint8Array.from([1]), Uint8Array.from([255]))).toBe(0);
});

test('frames of different sizes throw', () => {
  expect(() => disagreeMask([now, Uint8Array.from([0])])).toThrow(
    'expected frames of the same size, received 6, 1 pixels',
  );
});

test('paintMask: `on` where flagged, `off` at the other feasible pixels, transparent outside H', () => {
  const out = paintMask(
    new Uint8ClampedArray(16),
    Uint8Array.from([1, 0, 1, 0]),
    Uint8Array.from([3, 4, 5, 255]),
    [255, 255, 255, 200],
    [0, 0, 0, 60],
  );
  expect(Array.from(out)).toEqual([
    ...[255, 255, 255, 200],
    ...[0, 0, 0, 60],
    ...[255, 255, 255, 200],
    ...[0, 0, 0, 0],
  ]);
});
