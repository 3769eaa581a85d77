import { describe, expect, test } from 'vitest';
import { EDGE_TOLERANCE, makeGrid, pixelAt } from '../../slices/grid.js';

/** Points on the closed rectangle: its four vertices and one point inside each edge. */
describe('every point of the closed rectangle gets a pixel', () => {
  // Square: [0, 1]², resolution 4 → pixels of 0.25, grid 4 × 4 from sLeft 0 and tTop 1.
  const square = makeGrid({ sMin: 0, sMax: 1, tMin: 0, tMax: 1 }, 4);
  // Wide: [0, 2] × [0, 1], resolution 4 → pixels of 0.5, grid 4 × 2 from sLeft 0 and tTop 1.
  const wide = makeGrid({ sMin: 0, sMax: 2, tMin: 0, tMax: 1 }, 4);

  test('the grids are the rectangles, with no slack', () => {
    expect(square).toEqual({ width: 4, height: 4, pixelSize: 0.25, sLeft: 0, tTop: 1 });
    expect(wide).toEqual({ width: 4, height: 2, pixelSize: 0.5, sLeft: 0, tTop: 1 });
  });

  test.each([
    { where: 'vertex (sMin, tMax)', s: 0, t: 1, expected: { x: 0, y: 0 } },
    { where: 'vertex (sMax, tMax)', s: 1, t: 1, expected: { x: 3, y: 0 } },
    { where: 'vertex (sMin, tMin)', s: 0, t: 0, expected: { x: 0, y: 3 } },
    { where: 'vertex (sMax, tMin)', s: 1, t: 0, expected: { x: 3, y: 3 } },
    { where: 'top edge t = tMax at s = 0.375', s: 0.375, t: 1, expected: { x: 1, y: 0 } },
    { where: 'bottom edge t = tMin at s = 0.375', s: 0.375, t: 0, expected: { x: 1, y: 3 } },
    { where: 'left edge s = sMin at t = 0.625', s: 0, t: 0.625, expected: { x: 0, y: 1 } },
    { where: 'right edge s = sMax at t = 0.625', s: 1, t: 0.625, expected: { x: 3, y: 1 } },
  ])('square 4 × 4: $where', ({ s, t, expected }) => {
    expect(pixelAt(square, s, t)).toEqual(expected);
  });

  test.each([
    { where: 'vertex (sMin, tMax)', s: 0, t: 1, expected: { x: 0, y: 0 } },
    { where: 'vertex (sMax, tMax)', s: 2, t: 1, expected: { x: 3, y: 0 } },
    { where: 'vertex (sMin, tMin)', s: 0, t: 0, expected: { x: 0, y: 1 } },
    { where: 'vertex (sMax, tMin)', s: 2, t: 0, expected: { x: 3, y: 1 } },
    { where: 'top edge t = tMax at s = 1.25', s: 1.25, t: 1, expected: { x: 2, y: 0 } },
    { where: 'bottom edge t = tMin at s = 1.25', s: 1.25, t: 0, expected: { x: 2, y: 1 } },
    { where: 'left edge s = sMin at t = 0.75', s: 0, t: 0.75, expected: { x: 0, y: 0 } },
    { where: 'right edge s = sMax at t = 0.25', s: 2, t: 0.25, expected: { x: 3, y: 1 } },
  ])('wide 4 × 2: $where', ({ s, t, expected }) => {
    expect(pixelAt(wide, s, t)).toEqual(expected);
  });

  test('rounding just outside an edge (1e-12 in plane units) still gets the edge pixel', () => {
    expect(pixelAt(square, 1 + 1e-12, 0.625)).toEqual({ x: 3, y: 1 });
    expect(pixelAt(square, -1e-12, 1 + 1e-12)).toEqual({ x: 0, y: 0 });
    expect(pixelAt(wide, 2 + 1e-12, -1e-12)).toEqual({ x: 3, y: 1 });
  });
});

describe('points outside the grid get no pixel', () => {
  const square = makeGrid({ sMin: 0, sMax: 1, tMin: 0, tMax: 1 }, 4);

  test.each([
    { where: 'right of sMax by 0.01', s: 1.01, t: 0.5 },
    { where: 'below tMin by 0.01', s: 0.5, t: -0.01 },
    { where: 'left of sMin by twice the tolerance', s: -2 * EDGE_TOLERANCE * 0.25, t: 0.5 },
    { where: 'above tMax by twice the tolerance', s: 0.5, t: 1 + 2 * EDGE_TOLERANCE * 0.25 },
    { where: 'not a number', s: Number.NaN, t: 0.5 },
  ])('$where', ({ s, t }) => {
    expect(pixelAt(square, s, t)).toBeUndefined();
  });
});
