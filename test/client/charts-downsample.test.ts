import { expect, test } from 'vitest';
import { downsample, lowerBound } from '../../client/charts/downsample.js';

const steps = Array.from({ length: 20 }, (_, i) => i + 1);
// 0, 7, 4, 1, 8, 5, 2, 9, 6, 3, then the same again.
const values = steps.map((_, i) => (i * 7) % 10);

test('at most 2 × buckets points: all of them', () => {
  expect(downsample(steps, values, 1, 20, 10)).toEqual(steps.map((_, i) => i));
});

test('steps 1–20 in 2 buckets: the minimum and maximum of steps 1–10 (indices 0, 7) and 11–20 (10, 17)', () => {
  expect(downsample(steps, values, 1, 20, 2)).toEqual([0, 7, 10, 17]);
});

test('steps 6–15 in 2 buckets keep the neighbours outside the range (indices 4 and 15)', () => {
  expect(downsample(steps, values, 6, 15, 2)).toEqual([4, 6, 7, 10, 14, 15]);
});

test('lowerBound: the first index at or past a step', () => {
  expect(lowerBound([2, 4, 6], 4)).toBe(1);
  expect(lowerBound([2, 4, 6], 5)).toBe(2);
  expect(lowerBound([2, 4, 6], 7)).toBe(3);
});
