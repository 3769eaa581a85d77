import { expect, test } from 'vitest';
import { axisScale, tickLabel, toAxis, toStep } from '../../client/charts/axis.js';

test('epochs at 125 steps per epoch: step 250 is epoch 2, epoch 1.5 is step 187.5 → 188', () => {
  const scale = axisScale('epoch', 125, 64);
  expect(scale).toEqual({ axis: 'epoch', perStep: 0.008, title: 'epoch' });
  expect(toAxis(scale, 250)).toBe(2);
  expect(toStep(scale, 1.5)).toBe(188);
  expect(tickLabel(scale, 1.23456)).toBe('1.23');
});

test('examples at batch size 64: step 150 is 9,600 examples, labelled 9.6k; 1,600,000 is 1.6M', () => {
  const scale = axisScale('examples', 125, 64);
  expect(toAxis(scale, 150)).toBe(9600);
  expect(toStep(scale, 9630)).toBe(150);
  expect(tickLabel(scale, 9600)).toBe('9.6k');
  expect(tickLabel(scale, 1_600_000)).toBe('1.6M');
  expect(tickLabel(scale, 320)).toBe('320');
});

test('steps are themselves; epochs of a run with no epoch series yet fall back to steps', () => {
  expect(axisScale('step', 125, 64)).toEqual({ axis: 'step', perStep: 1, title: 'step' });
  expect(axisScale('epoch', 0, 64)).toEqual({ axis: 'step', perStep: 1, title: 'step' });
  expect(toStep(axisScale('step', 0, 64), 41.6)).toBe(42);
});
