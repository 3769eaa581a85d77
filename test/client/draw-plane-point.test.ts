import { describe, expect, test } from 'vitest';
import { planePointAt, pointImage, slicePlane } from '../../client/draw/plane-point.js';

const r2 = Math.SQRT2;

describe('the unit square: a = (0, 0), b = (1, 0), c = (0, 1) at resolution 4', () => {
  // u = (1, 0), w = (0, 1); the slice is the square itself, pixels of side 1/4, row 0 at t = 1.
  const plane = slicePlane({ shape: [1, 2, 1], a: [0, 0], b: [1, 0], c: [0, 1] }, 4);

  test('pixel (1, 2) is centred at (s, t) = (3/8, 3/8), the point (0.375, 0.375)', () => {
    const at = planePointAt(plane.geometry, 1, 2);
    expect([at.s, at.t]).toEqual([0.375, 0.375]);
    expect(Array.from(at.point)).toEqual([0.375, 0.375]);
  });

  test('a is in the bottom-left pixel, b bottom-right, c top-left', () => {
    expect(plane.geometry.width).toBe(4);
    expect(plane.geometry.height).toBe(4);
    expect(plane.markers).toEqual([
      { name: 'a', x: 0, y: 3 },
      { name: 'b', x: 3, y: 3 },
      { name: 'c', x: 0, y: 0 },
    ]);
  });
});

describe('a tilted plane in d = 3: a = 0, b = (1, 1, 0), c = (0, 0, 1) at resolution 4', () => {
  // u = (1, 1, 0)/√2, w = (0, 0, 1); feasible s ∈ [0, √2], t ∈ [0, 1]. Pixels of side √2/4:
  // 4 columns from s = 0, ceil(1/(√2/4)) = 3 rows centred on t = 1/2, so the top edge is t = 1/2 + 3√2/8.
  const plane = slicePlane({ shape: [1, 3, 1], a: [0, 0, 0], b: [1, 1, 0], c: [0, 0, 1] }, 4);

  test('a 4 × 3 grid', () => {
    expect([plane.geometry.width, plane.geometry.height]).toEqual([4, 3]);
  });

  test('pixel (2, 1) is centred at s = 2.5·√2/4, t = 1/2, the point (0.625, 0.625, 0.5)', () => {
    const at = planePointAt(plane.geometry, 2, 1);
    expect(at.s).toBeCloseTo((2.5 * r2) / 4, 12);
    expect(at.t).toBeCloseTo(0.5, 12);
    expect(at.point[0]).toBeCloseTo(0.625, 12);
    expect(at.point[1]).toBeCloseTo(0.625, 12);
    expect(at.point[2]).toBeCloseTo(0.5, 12);
  });

  test('a and b in the bottom row (t = 0 is 2.91 pixels down), c in the top row', () => {
    expect(plane.markers).toEqual([
      { name: 'a', x: 0, y: 2 },
      { name: 'b', x: 3, y: 2 },
      { name: 'c', x: 0, y: 0 },
    ]);
  });
});

describe('pointImage', () => {
  test('one channel: grey, clamped to [0, 1], rounded', () => {
    expect(Array.from(pointImage([0.5, 1.2], [1, 2, 1]).rgba)).toEqual([128, 128, 128, 255, 255, 255, 255, 255]);
  });

  test('three channels: RGB', () => {
    const image = pointImage([0, 0.2, 1], [1, 1, 3]);
    expect([image.width, image.height]).toEqual([1, 1]);
    expect(Array.from(image.rgba)).toEqual([0, 51, 255, 255]);
  });

  test('a vector that does not fit the shape throws', () => {
    expect(() => pointImage([0, 1], [2, 2, 1])).toThrow('expected 4 values for shape 2×2×1, received 2');
  });
});
