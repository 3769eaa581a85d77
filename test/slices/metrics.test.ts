import { expect, test } from 'vitest';
import { connectedComponents, frameMetrics } from '../../slices/metrics.js';

const X = 255;
// 4×4 labels: class 0 in two pieces (left column, and the bottom-right corner), class 1 between, one infeasible pixel.
const labels = Uint8Array.from([0, 1, 1, X, 0, 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0]);

test('components with 4-connectivity: diagonal contact does not connect', () => {
  expect(connectedComponents(labels, 4, 3)).toEqual([2, 1, 0]);
  expect(connectedComponents(Uint8Array.from([0, 1, 1, 0]), 2, 2)).toEqual([2, 2]);
});

test('area, boundary and flips of a hand-made frame', () => {
  const previous = Uint8Array.from([0, 0, 1, X, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 0, 0]);
  const m = frameMetrics(labels, 4, 4, 3, previous);
  // 15 feasible pixels: 7 of class 0, 8 of class 1.
  expect(m.area).toEqual([7 / 15, 8 / 15, 0]);
  // Pixels (x, y) with no 4-neighbour of another class: (2, 0), (2, 1) and (3, 3); the other 12 are boundary.
  expect(m.boundary).toBe(12);
  expect(m.flipped).toBe(2);
  expect(frameMetrics(labels, 4, 4, 3).flipped).toBe(0);
});
