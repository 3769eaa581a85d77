import { expect, test } from 'vitest';
import { epochMarkers, lrMarkers, timeMarkers } from '../../client/charts/markers.js';

const series = (values: number[], first = 1) => ({ steps: values.map((_, i) => first + i), values });

test('an epoch boundary is the first step whose epoch reaches the next whole number (drift within 1e-6 counts)', () => {
  expect(epochMarkers(series([0.4, 0.8, 1.2, 1.6, 1.9999999]))).toEqual([
    { kind: 'epoch', step: 3, label: 'epoch 1' },
    { kind: 'epoch', step: 5, label: 'epoch 2' },
  ]);
});

test('a step schedule 0.1 → 0.02 → 0.004 marks its two milestones', () => {
  expect(lrMarkers(series([0.1, 0.1, 0.1, 0.02, 0.02, 0.004]))).toEqual([
    { kind: 'lr', step: 4, label: 'lr 0.1 → 0.02' },
    { kind: 'lr', step: 6, label: 'lr 0.02 → 0.004' },
  ]);
});

test('a cosine schedule over 100 steps glides: no marker, not even near 0 at its end', () => {
  const cosine = Array.from({ length: 101 }, (_, k) => 0.5 * (1 + Math.cos((Math.PI * k) / 100)));
  expect(lrMarkers(series(cosine))).toEqual([]);
});

test('two runs: markers once per kind and step, in step order; evaluations at the test accuracy steps', () => {
  const run = { epoch: series([0.5, 1, 1.5]), testAccuracy: { steps: [2, 3], values: [0.9, 0.95] } };
  expect(timeMarkers([run, { ...run, lr: series([0.1, 0.1, 0.01]) }])).toEqual([
    { kind: 'epoch', step: 2, label: 'epoch 1' },
    { kind: 'eval', step: 2, label: 'evaluation' },
    { kind: 'eval', step: 3, label: 'evaluation' },
    { kind: 'lr', step: 3, label: 'lr 0.1 → 0.01' },
  ]);
  expect(timeMarkers([{}])).toEqual([]);
});
