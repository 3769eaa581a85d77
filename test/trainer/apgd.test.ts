import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  advanceStepSize,
  apgdCheckpoints,
  apgdLoss,
  startStepSize,
  type ApgdLoss,
} from '../../trainer/attacks/apgd.js';
import { initBackend } from '../../trainer/backend.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('APGD checkpoints w_j = ⌈p_j·N⌉, p = 0, 0.22, 0.41, 0.57, 0.70, 0.80, 0.87, 0.93, 0.99', () => {
  test.each([
    { iterations: 100, expected: [0, 22, 41, 57, 70, 80, 87, 93, 99] },
    { iterations: 1000, expected: [0, 220, 410, 570, 700, 800, 870, 930, 990] },
    // 2.2 → 3, 4.1 → 5, 5.7 → 6, 7, 8, 8.7 → 9; 9.3 and 9.9 round up to the last iteration.
    { iterations: 10, expected: [0, 3, 5, 6, 7, 8, 9] },
    // 1.1 → 2, 2.05 → 3, 2.85 → 3 (once), 3.5 → 4, 4 (once), 4.35 → 5 = N.
    { iterations: 5, expected: [0, 2, 3, 4] },
    { iterations: 1, expected: [0] },
  ])('$iterations iterations', ({ iterations, expected }) => {
    expect(apgdCheckpoints(iterations)).toEqual(expected);
  });
  test('a non-integer count is refused', () => {
    expect(() => apgdCheckpoints(2.5)).toThrow('expected APGD iterations to be a positive integer, received 2.5');
  });
});

/** Feeds f(x^(0)), …, f(x^(N)) to the step-size rule (ε = 0.5, so η^(0) = 1) and lists what it did. */
function schedule(losses: number[], iterations = 10) {
  const checkpoints = new Set(apgdCheckpoints(iterations));
  let state = startStepSize(0.5, losses[0]!);
  const halvedAt: number[] = [];
  const improvedAt: number[] = [];
  losses.slice(1).forEach((loss, i) => {
    const step = advanceStepSize(state, i + 1, loss, checkpoints);
    state = step.state;
    if (step.halved) halvedAt.push(i + 1);
    if (step.improved) improvedAt.push(i + 1);
  });
  return { halvedAt, improvedAt, eta: state.eta };
}

describe('APGD step size: halve at a checkpoint on condition 1 or 2 (10 iterations: checkpoints 3, 5, 6, 7, 8, 9)', () => {
  test('a loss that rises at every step keeps η = 2ε', () => {
    expect(schedule([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual({
      halvedAt: [],
      improvedAt: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      eta: 1,
    });
  });
  test('a flat loss halves η at every checkpoint (no step raised it: condition 1)', () => {
    expect(schedule(Array(11).fill(2))).toEqual({ halvedAt: [3, 5, 6, 7, 8, 9], improvedAt: [], eta: 1 / 64 });
  });
  test.each([
    // Steps 1–3 raised the loss 3 times: 3 ≥ 0.75·3.
    { losses: [0, 1, 2, 3], halved: false },
    // 2 of 3 is below 0.75·3 = 2.25, even though the best loss rose.
    { losses: [0, 1, 2, 1], halved: true },
    { losses: [0, 1, 0, 1], halved: true },
  ])('condition 1 at the first checkpoint: $losses → halved $halved', ({ losses, halved }) => {
    expect(schedule(losses).halvedAt).toEqual(halved ? [3] : []);
  });
  test('condition 2: a rising loss below f_max halves η unless η was halved at the checkpoint before', () => {
    // f_max = 10 throughout. At 3: 2 rises of 3 (condition 1). At 5: 2 rises of 2, and η was just
    // halved. At 6: 1 rise of 1, η not halved at 5 and f_max unchanged (condition 2). At 7: halved
    // at 6. At 8: condition 2 again. At 9: halved at 8.
    expect(schedule([10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9.5])).toEqual({ halvedAt: [3, 6, 8], improvedAt: [], eta: 1 / 8 });
  });
});

describe('APGD losses on the logits z = (4, 1, 3, 0, 2), sorted 4 > 3 > 2 > 1 > 0', () => {
  const logits = () => tf.tensor2d([[4, 1, 3, 0, 2]]);
  const value = (loss: ApgdLoss, label: number, target?: number, z = logits()) =>
    apgdLoss(
      loss,
      z,
      tf.tensor1d([label], 'int32'),
      target === undefined ? undefined : tf.tensor1d([target], 'int32'),
    ).arraySync()[0]!;
  test.each([
    // log Σ e^z − z_y = 4 + log(1 + e^−3 + e^−1 + e^−4 + e^−2) − z_y
    { loss: 'ce' as const, label: 0, expected: 0.4519143 },
    { loss: 'ce' as const, label: 3, expected: 4.4519143 },
    // −(z_y − max_{i≠y} z_i) / (z_π1 − z_π3): −(4 − 3)/(4 − 2), −(1 − 4)/(4 − 2)
    { loss: 'dlr' as const, label: 0, expected: -0.5 },
    { loss: 'dlr' as const, label: 1, expected: 1.5 },
    // −(z_y − z_t) / (z_π1 − (z_π3 + z_π4)/2): −(4 − 0)/(4 − 1.5), −(1 − 3)/(4 − 1.5)
    { loss: 'dlr-targeted' as const, label: 0, target: 3, expected: -1.6 },
    { loss: 'dlr-targeted' as const, label: 1, target: 2, expected: 0.8 },
  ])('$loss, y = $label, t = $target: $expected', ({ loss, label, target, expected }) => {
    expect(value(loss, label, target)).toBeCloseTo(expected, 5);
  });
  test('DLR does not change when the logits are shifted and scaled', () => {
    const moved = tf.add(tf.mul(logits(), 3), 7) as tf.Tensor2D;
    expect(value('dlr', 1, undefined, moved)).toBeCloseTo(1.5, 5);
    expect(value('dlr-targeted', 0, 3, moved)).toBeCloseTo(-1.6, 5);
  });
  test('the DLR gradient flows through the sorted logits: (z_2 − z_0)/(z_0 − z_4) at y = 0', () => {
    // ∂/∂z_2 = 1/(z_0 − z_4) = 0.5; ∂/∂z_4 = (z_2 − z_0)/(z_0 − z_4)² = −0.25;
    // ∂/∂z_0 = (−(z_0 − z_4) − (z_2 − z_0))/(z_0 − z_4)² = −0.25.
    const grad = tf.grad((z: tf.Tensor) => apgdLoss('dlr', z as tf.Tensor2D, tf.tensor1d([0], 'int32')))(logits());
    Array.from(grad.dataSync()).forEach((g, i) => expect(g).toBeCloseTo([-0.25, 0, 0.5, 0, -0.25][i]!, 6));
  });
  test('targeted DLR needs targets', () => {
    expect(() => value('dlr-targeted', 0)).toThrow('invalid APGD loss dlr-targeted: needs target classes');
  });
});
