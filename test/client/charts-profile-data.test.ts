import { expect, test } from 'vitest';
import { classColours, withAlpha } from '../../client/charts/colours.js';
import { PROFILE_TICKS, profileLines } from '../../client/charts/profile-data.js';

test('2 classes, 2 samples a segment: class 0 runs a 0.9, b 0.2, b 0.2, c 0.3, c 0.3, a 0.9 at x 0, 1, 1, 2, 2, 3', () => {
  // segment, sample, class: a→b = (a, b), b→c = (b, c), c→a = (c, a); a = (0.9, 0.1), b = (0.2, 0.8), c = (0.3, 0.7).
  const profiles = [0.9, 0.1, 0.2, 0.8, 0.2, 0.8, 0.3, 0.7, 0.3, 0.7, 0.9, 0.1];
  const [zero, one] = profileLines({ classes: 2, profileSamples: 2, profiles });
  expect(zero!.map((p) => [p.x, p.y])).toEqual([
    [0, 0.9],
    [1, 0.2],
    [1, 0.2],
    [2, 0.3],
    [2, 0.3],
    [3, 0.9],
  ]);
  expect(one!.map((p) => p.y)).toEqual([0.1, 0.8, 0.8, 0.7, 0.7, 0.1]);
  expect(PROFILE_TICKS).toEqual(['a', 'b', 'c', 'a']);
});

test('3 samples a segment sit at x = s, s + 0.5, s + 1', () => {
  const lines = profileLines({ classes: 1, profileSamples: 3, profiles: [1, 2, 3, 4, 5, 6, 7, 8, 9] });
  expect(lines[0]).toEqual([
    { x: 0, y: 1 },
    { x: 0.5, y: 2 },
    { x: 1, y: 3 },
    { x: 1, y: 4 },
    { x: 1.5, y: 5 },
    { x: 2, y: 6 },
    { x: 2, y: 7 },
    { x: 2.5, y: 8 },
    { x: 3, y: 9 },
  ]);
});

test('profiles of the wrong length are refused', () => {
  expect(() => profileLines({ classes: 2, profileSamples: 2, profiles: [0.5] })).toThrow(
    'invalid profiles: 1 values; expected 3 × 2 × 2',
  );
});

test('class colours are the palette as CSS; a run colour at 25% opacity', () => {
  expect(classColours('default')[0]).toBe('rgb(31, 119, 180)');
  expect(classColours('colour-blind')).toHaveLength(10);
  expect(withAlpha('#e6194b', 0.25)).toBe('rgba(230, 25, 75, 0.25)');
  expect(withAlpha('rgb(31, 119, 180)', 0.5)).toBe('rgba(31, 119, 180, 0.5)');
});
