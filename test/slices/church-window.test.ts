import { expect, test } from 'vitest';
import { churchWindows, randomDirection, windowGeometry } from '../../slices/church-window.js';
import { norm, dot } from '../../slices/vector.js';

test('a window of half-width 0.25 around the centre of the 3-cube is wholly feasible', () => {
  const g = windowGeometry([0.5, 0.5, 0.5], [2, 0, 0], [1, 1, 0], 0.25, 8);
  expect(Array.from(g.u)).toEqual([1, 0, 0]);
  expect(Array.from(g.w)).toEqual([0, 1, 0]);
  expect(g.rect).toEqual({ sMin: -0.25, sMax: 0.25, tMin: -0.25, tMax: 0.25 });
  expect(g.feasibleCount).toBe(64);
});

test('a window of half-width 1 is not stretched: the cube fills its middle quarter', () => {
  // The cube spans s, t ∈ [−0.5, 0.5]: 8 × 8 of the 16 × 16 pixels.
  const g = windowGeometry([0.5, 0.5, 0.5], [1, 0, 0], [0, 1, 0], 1, 16);
  expect(g.feasibleCount).toBe(64);
  expect(g.feasible[0]).toBe(0);
  expect(g.feasible[8 * 16 + 8]).toBe(1);
});

test('random directions are unit vectors, seeded, and nearly orthogonal in high dimension', () => {
  const a = randomDirection(784, 1);
  expect(norm(a)).toBeCloseTo(1, 12);
  expect(Array.from(randomDirection(784, 1))).toEqual(Array.from(a));
  expect(Math.abs(dot(a, randomDirection(784, 2)))).toBeLessThan(0.15);
});

test('Figure 4 layout: N windows along the adversarial direction, then N random against random', () => {
  const centre = new Float64Array(50).fill(0.5);
  const adversarial = new Float64Array(50);
  adversarial[3] = 0.2;
  const windows = churchWindows(centre, adversarial, { halfWidth: 0.1, resolution: 4, count: 3 });
  expect(windows.map((w) => `${w.along}/${w.across}`)).toEqual([
    'adversarial/random:1',
    'adversarial/random:2',
    'adversarial/random:3',
    'random:1001/random:2001',
    'random:1002/random:2002',
    'random:1003/random:2003',
  ]);
  expect(windows[0]!.geometry.u[3]).toBe(1);
  expect(() => windowGeometry(centre, adversarial, adversarial, 0.1, 4)).toThrow(
    'the two directions of a window must be non-zero and not parallel',
  );
});
