import { describe, expect, test } from 'vitest';
import { learningRate, parseSchedule } from '../../trainer/schedule.js';

describe('learning-rate schedules', () => {
  test.each([
    { epoch: 0, expected: 0.1 },
    { epoch: 59.9, expected: 0.1 },
    { epoch: 60, expected: 0.02 },
    { epoch: 120, expected: 0.004 },
    { epoch: 199, expected: 0.0008 },
  ])('the WRN recipe step:0.2@60,120,160 gives $expected at epoch $epoch', ({ epoch, expected }) => {
    expect(learningRate(parseSchedule('step:0.2@60,120,160', 200), 0.1, epoch)).toBeCloseTo(expected, 12);
  });

  test('plain step puts the milestones at 30, 60 and 80% of the run', () => {
    expect(parseSchedule('step', 10)).toEqual({ kind: 'step', factor: 0.2, milestones: [3, 6, 8] });
  });

  test('cosine goes 0.1 → 0.05 at half time → 0 at the end, and constant stays', () => {
    const cosine = parseSchedule('cosine', 20);
    expect(learningRate(cosine, 0.1, 0)).toBeCloseTo(0.1, 12);
    expect(learningRate(cosine, 0.1, 10)).toBeCloseTo(0.05, 12);
    expect(learningRate(cosine, 0.1, 20)).toBeCloseTo(0, 12);
    expect(learningRate(parseSchedule('constant', 20), 0.1, 17)).toBe(0.1);
  });

  test('rejects an unknown schedule with the accepted forms', () => {
    expect(() => parseSchedule('linear', 10)).toThrow(
      'invalid schedule: linear; expected constant, cosine, step or step:FACTOR@EPOCH,EPOCH,…',
    );
  });
});
