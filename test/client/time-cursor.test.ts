import { expect, test } from 'vitest';
import { advance, clampStep, cursorStep, stepOnAxis } from '../../client/model/time-cursor.js';

const timeline = { first: 1, last: 100 };

test('the cursor is the newest step when following or unset, else its own step within the timeline', () => {
  expect(cursorStep(timeline, 40, 'following')).toBe(100);
  expect(cursorStep(timeline, null, 'paused')).toBe(100);
  expect(cursorStep(timeline, 40, 'paused')).toBe(40);
  expect(cursorStep(timeline, 400, 'playing')).toBe(100);
  expect(clampStep(timeline, -3)).toBe(1);
  expect(clampStep(timeline, 7.6)).toBe(8);
});

test('playback at 10 fps moves one step per 100 ms and carries the rest into the next tick', () => {
  expect(advance(timeline, 10, 10, 16)).toEqual({ step: 10, carryMs: 16, ended: false });
  const moved = advance(timeline, 10, 10, 250);
  expect(moved.step).toBe(12);
  expect(moved.carryMs).toBeCloseTo(50, 9);
  expect(moved.ended).toBe(false);
  // Sixty ticks of 1000/60 ms at 30 fps: exactly 30 steps, whatever the refresh rate.
  let state = { step: 1, carryMs: 0 };
  for (let i = 0; i < 60; i++) state = advance(timeline, state.step, 30, state.carryMs + 1000 / 60);
  expect(state.step).toBe(31);
});

test('playback stops at the newest step', () => {
  expect(advance(timeline, 99, 10, 500)).toEqual({ step: 100, carryMs: 0, ended: true });
});

test('a step on the epoch and examples axes', () => {
  expect(stepOnAxis(250, 'epoch', 1000, 64)).toBe(0.25);
  expect(stepOnAxis(250, 'examples', 1000, 64)).toBe(16000);
  expect(stepOnAxis(250, 'step', 1000, 64)).toBe(250);
  expect(stepOnAxis(250, 'epoch', 0, 64)).toBe(0);
});
