import { expect, test } from 'vitest';
import {
  formatCount,
  formatEpoch,
  formatExamples,
  formatMetric,
  formatPercent,
  formatProgress,
  freshRunName,
  runLabel,
} from '../../client/model/format.js';

test.each([
  ['/tmp/dev/runs/base', 'base'],
  ['runs/madry/', 'madry'],
  ['C:\\runs\\mixup', 'mixup'],
  ['plain', 'plain'],
])('runLabel(%s) = %s', (name, expected) => {
  expect(runLabel(name)).toBe(expected);
});

test.each([
  [0.05119601637125015, '0.0512'],
  [0.8400131464004517, '0.84'],
  [2.302585, '2.3'],
  [123.456, '123'],
  [0, '0'],
  [0.0001234, '1.23e-4'],
  [1234567, '1.23e+6'],
  [null, '—'],
  [Number.NaN, '—'],
])('formatMetric(%s) = %s', (value, expected) => {
  expect(formatMetric(value)).toBe(expected);
});

test.each([
  [0.9554108216432866, '95.5%'],
  [0.49, '49.0%'],
  [0, '0.0%'],
  [1, '100.0%'],
  [null, '—'],
])('formatPercent(%s) = %s', (value, expected) => {
  expect(formatPercent(value)).toBe(expected);
});

test.each([
  [0, '0'],
  [999, '999'],
  [1000, '1,000'],
  [1234567, '1,234,567'],
  [-9600, '-9,600'],
])('formatCount(%s) = %s', (value, expected) => {
  expect(formatCount(value)).toBe(expected);
});

test('epochs and examples seen at a step', () => {
  // 150 steps of batch 64 over 60,000 examples: 937.5 steps per epoch.
  expect(formatEpoch(150, 937.5)).toBe('0.16');
  expect(formatEpoch(1875, 937.5)).toBe('2.00');
  expect(formatEpoch(150, 0)).toBe('—');
  expect(formatExamples(150, 64)).toBe('9,600');
  expect(formatExamples(150, undefined)).toBe('—');
});

test.each([
  [0, '0%'],
  [0.5, '50%'],
  [0.999, '99%'],
  [1, '100%'],
  [1.2, '100%'],
  [-0.1, '0%'],
])('formatProgress(%s) = %s', (value, expected) => {
  expect(formatProgress(value)).toBe(expected);
});

test('freshRunName takes the first number no run has', () => {
  expect(freshRunName('baseline', [])).toBe('baseline-1');
  expect(freshRunName('baseline', ['/srv/runs/baseline-1', 'runs/baseline-3', 'madry-2'])).toBe('baseline-2');
  expect(freshRunName('madry', ['runs/madry-1', 'runs/madry-2'])).toBe('madry-3');
});
