import { expect, test } from 'vitest';
import { debiasedEma } from '../../client/charts/smoothing.js';

test('weight 0.6 on [1, 2, 3]: 1, 1.04 / 0.64 = 1.625, 1.824 / 0.784 = 114/49 (no pull toward 0)', () => {
  const [a, b, c] = debiasedEma([1, 2, 3], 0.6);
  expect(a).toBeCloseTo(1, 12);
  expect(b).toBeCloseTo(1.625, 12);
  expect(c).toBeCloseTo(114 / 49, 12);
});

test('weight 0 is the raw series; a constant series stays constant', () => {
  expect([...debiasedEma([3, -1, 4], 0)]).toEqual([3, -1, 4]);
  for (const v of debiasedEma([5, 5, 5, 5], 0.9)) expect(v).toBeCloseTo(5, 12);
});

test('a NaN passes through and does not move the average: [1, NaN, 3] at 0.6 → 1, NaN, 1.44 / 0.64 = 2.25', () => {
  const out = debiasedEma([1, NaN, 3], 0.6);
  expect(out[0]).toBeCloseTo(1, 12);
  expect(out[1]).toBeNaN();
  expect(out[2]).toBeCloseTo(2.25, 12);
});

test('a weight outside [0, 1) is refused', () => {
  expect(() => debiasedEma([1], 1)).toThrow('invalid smoothing weight: 1');
});
