import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import { initBackend } from '../../trainer/backend.js';
import { SgdMomentum } from '../../trainer/optimizer.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** Two updates of one 1×1 kernel w = 1 with constant gradient 2 at lr 0.1. */
function twoSteps(options: { momentum: number; nesterov: boolean; weightDecay: number }): number[] {
  const w = tf.variable(tf.tensor2d([[1]]));
  const sgd = new SgdMomentum(options);
  const seen: number[] = [];
  for (let i = 0; i < 2; i++) {
    const g = tf.tensor2d([[2]]);
    sgd.apply([w], [g], 0.1);
    g.dispose();
    seen.push(w.dataSync()[0]!);
  }
  sgd.dispose();
  w.dispose();
  return seen;
}

test.each([
  // v = 2 → w = 0.8; v = 0.9·2 + 2 = 3.8 → w = 0.8 − 0.38 = 0.42.
  { name: 'momentum', options: { momentum: 0.9, nesterov: false, weightDecay: 0 }, expected: [0.8, 0.42] },
  // step = g + μv: 2 + 1.8 = 3.8 → 0.62; v = 3.8, step = 2 + 3.42 = 5.42 → 0.078.
  { name: 'Nesterov', options: { momentum: 0.9, nesterov: true, weightDecay: 0 }, expected: [0.62, 0.078] },
  // g = 2 + 0.5·1 = 2.5 → w = 0.75; g = 2 + 0.375 = 2.375 → w = 0.5125.
  {
    name: 'plain SGD with L2 decay 0.5',
    options: { momentum: 0, nesterov: false, weightDecay: 0.5 },
    expected: [0.75, 0.5125],
  },
])('$name matches the hand-computed updates', ({ options, expected }) => {
  const seen = twoSteps(options);
  expect(seen[0]).toBeCloseTo(expected[0]!, 6);
  expect(seen[1]).toBeCloseTo(expected[1]!, 6);
});

test('weight decay leaves biases (rank 1) alone', () => {
  const b = tf.variable(tf.tensor1d([1]));
  const sgd = new SgdMomentum({ momentum: 0, nesterov: false, weightDecay: 0.5 });
  sgd.apply([b], [tf.tensor1d([2])], 0.1);
  expect(b.dataSync()[0]).toBeCloseTo(0.8, 6);
});
