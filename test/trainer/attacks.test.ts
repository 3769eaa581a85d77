import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { apgd } from '../../trainer/attacks/apgd.js';
import { attack, type AttackConfig } from '../../trainer/attacks/attack.js';
import { evaluateRobustness } from '../../trainer/attacks/robustness.js';
import {
  defaultStrong,
  describeEvalAttack,
  formatAttack,
  formatEvalAttack,
  parseAttack,
  parseEvalAttack,
} from '../../trainer/attacks/spec.js';
import { strongAttack } from '../../trainer/attacks/strong.js';
import { initBackend } from '../../trainer/backend.js';
import { makeBatch } from '../../trainer/batch.js';
import type { Dataset } from '../../trainer/datasets/dataset.js';
import { loadDataset } from '../../trainer/datasets/load.js';
import { buildModel } from '../../trainer/models/build.js';
import { classifierOf, type Classifier } from '../../trainer/models/classifier.js';
import { ensemble } from '../../trainer/models/ensemble.js';
import { parseModelSpec } from '../../trainer/models/model-spec.js';
import { mixup, sampleBeta } from '../../trainer/mixup.js';
import { createRng } from '../../core/rng.js';
import { trainedMnistCnn } from '../fixtures/mnist-cnn.js';

let mnist: Dataset;
let model: tf.LayersModel;
let classifier: Classifier;
let x: tf.Tensor4D;
let labels: Int32Array;

beforeAll(async () => {
  await initBackend('wasm');
  mnist = loadDataset('mnist');
  model = (await trainedMnistCnn(mnist, 150, { seed: 2 })).model;
  classifier = classifierOf(model);
  const batch = makeBatch(
    mnist,
    mnist.test,
    Array.from({ length: 100 }, (_, i) => i),
  );
  x = batch.x;
  labels = Int32Array.from(batch.labels.dataSync());
  batch.labels.dispose();
});

const pgd = (norm: 'linf' | 'l2', eps: number, steps = 10): AttackConfig => ({
  kind: 'pgd',
  norm,
  eps,
  stepSize: (2.5 * eps) / steps,
  steps,
  randomStart: true,
  seed: 4,
});
const fgsm = (norm: 'linf' | 'l2', eps: number): AttackConfig => ({ kind: 'fgsm', norm, eps });
const accuracyOf = (prediction: Int32Array) => prediction.filter((p, i) => p === labels[i]).length / labels.length;

describe('attacks stay in the ε-ball and in [0,1]', () => {
  test.each([
    { config: pgd('linf', 0.2) },
    { config: fgsm('linf', 0.2) },
    { config: pgd('l2', 2) },
    { config: fgsm('l2', 2) },
  ])('$config.kind $config.norm ε $config.eps', async ({ config }) => {
    const result = await attack(classifier, x, labels, config);
    const delta = tf.sub(result.adversarial, x);
    const linf = tf.max(tf.abs(delta)).dataSync()[0]!;
    const l2 = tf.max(tf.sqrt(tf.sum(tf.square(delta), [1, 2, 3]))).dataSync()[0]!;
    const range = [tf.min(result.adversarial).dataSync()[0]!, tf.max(result.adversarial).dataSync()[0]!];
    if (config.norm === 'linf') expect(linf).toBeLessThanOrEqual(config.eps + 1e-6);
    else expect(l2).toBeLessThanOrEqual(config.eps * (1 + 1e-5));
    expect(range[0]).toBeGreaterThanOrEqual(0);
    expect(range[1]).toBeLessThanOrEqual(1);
    // It moved: the perturbation uses a good part of its budget.
    expect(config.norm === 'linf' ? linf : l2).toBeGreaterThan(config.eps * 0.5);
    tf.dispose([delta, result.adversarial]);
  });
});

test('ε = 0 changes nothing', async () => {
  const result = await attack(classifier, x, labels, pgd('linf', 0));
  expect(tf.max(tf.abs(tf.sub(result.adversarial, x))).dataSync()[0]).toBe(0);
  expect(Array.from(result.adversarialPrediction)).toEqual(Array.from(result.cleanPrediction));
});

test('accuracy under PGD does not rise with ε and reaches nearly 0 at ε = 0.4', async () => {
  const accuracies: number[] = [];
  for (const eps of [0, 0.05, 0.1, 0.2, 0.4]) {
    const result = await attack(classifier, x, labels, pgd('linf', eps));
    accuracies.push(accuracyOf(result.adversarialPrediction));
    result.adversarial.dispose();
  }
  for (let i = 1; i < accuracies.length; i++) expect(accuracies[i]).toBeLessThanOrEqual(accuracies[i - 1]!);
  expect(accuracies[0]).toBeGreaterThan(0.85);
  expect(accuracies.at(-1)).toBeLessThan(0.05);
});

test('iterative PGD beats single-step FGSM, and both beat random noise of the same norm', async () => {
  const eps = 0.1;
  const iterative = await attack(classifier, x, labels, pgd('linf', eps, 20));
  const single = await attack(classifier, x, labels, fgsm('linf', eps));
  const noisy = tf.tidy(() =>
    tf.clipByValue(tf.add(x, tf.mul(tf.sign(tf.randomUniform(x.shape, -1, 1, 'float32', 5)), eps)), 0, 1),
  );
  const noise = accuracyOf(Int32Array.from(tf.argMax(classifier.logits(noisy as tf.Tensor4D), -1).dataSync()));
  const [p, f] = [accuracyOf(iterative.adversarialPrediction), accuracyOf(single.adversarialPrediction)];
  expect(p).toBeLessThan(f);
  expect(f).toBeLessThan(noise);
});

test('reports when each example flipped', async () => {
  const config = pgd('linf', 0.3);
  const result = await attack(classifier, x, labels, config);
  result.success.forEach((s, i) => {
    const steps = result.stepsToSuccess[i]!;
    if (s) expect(steps).toBeGreaterThanOrEqual(0);
    if (result.cleanPrediction[i] === labels[i] && s) expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThanOrEqual(10);
  });
});

test('a targeted attack reaches its target far more often than chance (10%)', async () => {
  const targets = labels.map((l) => (l + 3) % 10);
  const result = await attack(classifier, x, labels, pgd('linf', 0.3, 20), targets);
  const reached = result.adversarialPrediction.filter((p, i) => p === targets[i]).length / labels.length;
  expect(reached).toBeGreaterThan(0.3);
  expect(result.success.reduce((a, b) => a + b, 0) / labels.length).toBe(reached);
});

test('attacks run in inference mode: batch-norm statistics do not move', async () => {
  const wrn = buildModel(parseModelSpec('wrn-10-1'), [32, 32, 3], 10, 1);
  const movingMean = () =>
    wrn.weights
      .find((w) => w.name.includes('moving_mean'))!
      .read()
      .dataSync()
      .slice();
  const before = movingMean();
  const images = tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  await attack(classifierOf(wrn), images, Int32Array.from([0, 1, 2, 3]), pgd('linf', 0.03, 3));
  expect(movingMean()).toEqual(before);
});

test('robust accuracy uses a fixed, seeded subset and the same attack gives the same number', async () => {
  const config = parseAttack('pgd-linf:eps=0.1,steps=5', mnist.imageShape, 'eval');
  const a = await evaluateRobustness(classifier, mnist, config, { limit: 50, seed: 3 });
  const b = await evaluateRobustness(classifier, mnist, config, { limit: 50, seed: 3 });
  expect(a).toEqual(b);
  expect(a.count).toBe(50);
  expect(a.robustAccuracy).toBeLessThanOrEqual(a.cleanAccuracy);
});

/** Largest |δ| and whether every value is in [0,1], for adversarial images against x. */
function perturbationOf(adversarial: tf.Tensor4D, images: tf.Tensor4D) {
  return tf.tidy(() => ({
    linf: tf.max(tf.abs(tf.sub(adversarial, images))).dataSync()[0]!,
    inCube: tf.min(adversarial).dataSync()[0]! >= 0 && tf.max(adversarial).dataSync()[0]! <= 1,
  }));
}

describe('APGD and the strong evaluation', () => {
  test.each(['ce', 'dlr', 'dlr-targeted'] as const)(
    'APGD-%s stays in the ε-ball and keeps a misclassified iterate for every success',
    async (loss) => {
      const targets = labels.map((l) => (l + 1) % 10);
      const result = await apgd(
        classifier,
        x,
        labels,
        { norm: 'linf', eps: 0.2, iterations: 20, loss, seed: 1 },
        targets,
      );
      const { linf, inCube } = perturbationOf(result.adversarial, x);
      expect(linf).toBeLessThanOrEqual(0.2 + 1e-6);
      expect(inCube).toBe(true);
      const predicted = tf.tidy(() => tf.argMax(classifier.logits(result.adversarial), -1).dataSync());
      result.success.forEach((s, i) => {
        expect(predicted[i] !== labels[i]).toBe(s === 1);
        expect(result.iterationsToSuccess[i]! >= 0).toBe(s === 1);
      });
      // It breaks a good part of this barely trained model at ε = 0.2 (PGD-40: about 40%).
      expect(result.success.reduce((a, b) => a + b, 0)).toBeGreaterThan(25);
      result.adversarial.dispose();
    },
  );

  test('the strong evaluation leaks no tensors, and each image it breaks is misclassified inside the ball', async () => {
    const before = tf.memory().numTensors;
    const config = parseEvalAttack('strong:eps=0.2,iters=10,targets=1', mnist.imageShape);
    if (config.kind !== 'strong') throw new Error('expected the strong evaluation');
    const result = await strongAttack(classifier, x, labels, config);
    const { linf, inCube } = perturbationOf(result.adversarial, x);
    expect(linf).toBeLessThanOrEqual(0.2 + 1e-6);
    expect(inCube).toBe(true);
    const predicted = tf.tidy(() => tf.argMax(classifier.logits(result.adversarial), -1).dataSync());
    result.robust.forEach((r, i) => {
      if (result.brokenBy[i]! >= 0) expect(predicted[i]).not.toBe(labels[i]);
      expect(r).toBe(result.cleanPrediction[i] === labels[i] && result.brokenBy[i] === -1 ? 1 : 0);
    });
    result.adversarial.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test.each([0.2, 0.3])('on the same images its robust accuracy is never above PGD-40’s (ε %s)', async (eps) => {
    const pgd40 = await evaluateRobustness(
      classifier,
      mnist,
      parseEvalAttack(`pgd-linf:eps=${eps}`, mnist.imageShape),
      {
        limit: 100,
      },
    );
    const strong = await evaluateRobustness(
      classifier,
      mnist,
      parseEvalAttack(`strong:eps=${eps},iters=25,targets=1`, mnist.imageShape),
      { limit: 100 },
    );
    expect(strong.cleanAccuracy).toBe(pgd40.cleanAccuracy);
    expect(strong.robustAccuracy).toBeLessThanOrEqual(pgd40.robustAccuracy);
  });

  test('with its default budget it leaves at most 1% of a baseline model at ε 0.3', async () => {
    const r = await evaluateRobustness(classifier, mnist, parseEvalAttack('auto', mnist.imageShape), { limit: 100 });
    expect(r.cleanAccuracy).toBeGreaterThan(0.9);
    expect(r.robustAccuracy).toBeLessThanOrEqual(0.01);
  });
});

test('an image counts as broken when any iterate fools it, not only the last', async () => {
  // One pixel at 128/255 ≈ 0.502, class 0; the model says class 1 only for pixels within 0.03 of 0.7.
  // PGD of 0.19 reaches 0.692 (class 1), then overshoots to 0.802, the edge of the ε-ball (class 0).
  const split = { images: Uint8Array.from([128]), labels: Uint8Array.from([0]), count: 1 };
  const toy: Dataset = { spec: 'toy', imageShape: [1, 1, 1], classNames: ['0', '1'], train: split, test: split };
  const band: Classifier = {
    logits: (images) =>
      tf.tidy(() => {
        const pixel = images.reshape([-1, 1]);
        return tf.concat([tf.zerosLike(pixel), tf.sub(0.3, tf.mul(10, tf.abs(tf.sub(pixel, 0.7))))], 1) as tf.Tensor2D;
      }),
  };
  const config: AttackConfig = {
    kind: 'pgd',
    norm: 'linf',
    eps: 0.3,
    stepSize: 0.19,
    steps: 2,
    randomStart: false,
    seed: 0,
  };
  const images = tf.tensor4d([128 / 255], [1, 1, 1, 1]);
  const result = await attack(band, images, Int32Array.from([0]), config);
  expect(Array.from(result.adversarialPrediction)).toEqual([0]);
  expect(Array.from(result.stepsToSuccess)).toEqual([1]);
  expect(await evaluateRobustness(band, toy, config, { limit: 1 })).toEqual({
    count: 1,
    cleanAccuracy: 1,
    robustAccuracy: 0,
    brokenBy: { pgd: 1 },
    meanStepsToSuccess: 1,
  });
  tf.dispose([images, result.adversarial]);
});

describe('attack specs', () => {
  test('Madry defaults: MNIST ε 0.3, step 0.01, 40 steps; CIFAR 8/255, 2/255, 7 (train) or 20 (eval)', () => {
    expect(parseAttack('pgd-linf', [28, 28, 1], 'train')).toEqual({
      kind: 'pgd',
      norm: 'linf',
      eps: 0.3,
      stepSize: 0.01,
      steps: 40,
      randomStart: true,
      seed: 0,
    });
    expect(parseAttack('pgd-linf', [32, 32, 3], 'train')).toMatchObject({ eps: 8 / 255, stepSize: 2 / 255, steps: 7 });
    expect(parseAttack('pgd-linf', [32, 32, 3], 'eval')).toMatchObject({ steps: 20 });
  });
  test('overrides and round trip', () => {
    const config = parseAttack('pgd-l2:eps=1.5,steps=12,step=0.2,seed=7,random=0', [28, 28, 1], 'eval');
    expect(config).toEqual({
      kind: 'pgd',
      norm: 'l2',
      eps: 1.5,
      stepSize: 0.2,
      steps: 12,
      randomStart: false,
      seed: 7,
    });
    expect(parseAttack(formatAttack(config), [28, 28, 1], 'eval')).toEqual(config);
    expect(() => parseAttack('cw-l2', [28, 28, 1], 'eval')).toThrow(/^invalid attack: cw-l2; expected pgd-linf/);
    expect(() => parseAttack('fgsm-linf:steps=3', [28, 28, 1], 'eval')).toThrow(/invalid attack parameter: steps=3/);
  });
  test('robust accuracy: auto and strong are the strong evaluation; pgd-linf is still PGD-40', () => {
    const strong = defaultStrong('linf', [28, 28, 1]);
    expect(strong).toEqual({
      kind: 'strong',
      norm: 'linf',
      eps: 0.3,
      iterations: 100,
      restarts: 1,
      targets: 3,
      seed: 0,
    });
    expect(parseEvalAttack('auto', [28, 28, 1])).toEqual(strong);
    expect(parseEvalAttack('strong', [28, 28, 1])).toEqual(strong);
    expect(parseEvalAttack('strong-l2', [32, 32, 3])).toMatchObject({ norm: 'l2', eps: 0.5 });
    expect(describeEvalAttack(strong)).toBe('apgd-ce+apgd-dlr+apgd-t(3) linf eps=0.3, 100 iters, 1 restart');
    const custom = parseEvalAttack('strong:iters=50,restarts=2,targets=0,seed=4', [28, 28, 1]);
    expect(describeEvalAttack(custom)).toBe('apgd-ce+apgd-dlr linf eps=0.3, 50 iters, 2 restarts');
    expect(formatEvalAttack(custom)).toBe('strong-linf:eps=0.3,iters=50,restarts=2,targets=0,seed=4');
    expect(parseEvalAttack(formatEvalAttack(custom), [28, 28, 1])).toEqual(custom);
    expect(parseEvalAttack('pgd-linf', [28, 28, 1])).toEqual(parseAttack('pgd-linf', [28, 28, 1], 'eval'));
    expect(describeEvalAttack(parseEvalAttack('pgd-linf', [28, 28, 1]))).toBe(
      'pgd-linf:eps=0.3,steps=40,step=0.01,seed=0,random=1',
    );
    expect(() => parseEvalAttack('strong:steps=5', [28, 28, 1])).toThrow(
      'invalid attack parameter: steps=5 in strong:steps=5; expected eps, iters, restarts, targets or seed with a number',
    );
    expect(() => parseEvalAttack('strong:restarts=0', [28, 28, 1])).toThrow(
      'expected strong evaluation restarts to be a positive integer, received 0',
    );
  });
});

describe('ensembles', () => {
  test('an ensemble of one member equals that member', () => {
    const one = ensemble([classifier]);
    const images = x.slice([0, 0, 0, 0], [10, -1, -1, -1]);
    const member = tf.softmax(classifier.logits(images)).dataSync();
    const joint = tf.softmax(one.logits(images)).dataSync();
    member.forEach((p, i) => expect(joint[i]).toBeCloseTo(p, 5));
  });
  test('an ensemble averages its members’ probabilities', () => {
    const other = classifierOf(buildModel(parseModelSpec('cnn'), mnist.imageShape, 10, 9));
    const images = x.slice([0, 0, 0, 0], [5, -1, -1, -1]);
    const expected = tf
      .div(tf.add(tf.softmax(classifier.logits(images)), tf.softmax(other.logits(images))), 2)
      .dataSync();
    const joint = tf.exp(ensemble([classifier, other]).logits(images)).dataSync();
    expected.forEach((p, i) => expect(joint[i]).toBeCloseTo(p, 5));
  });
});

describe('mixup', () => {
  test('α = 0 is plain training: λ = 1 and the batch is unchanged', () => {
    const targets = tf.oneHot(tf.tensor1d(labels.slice(0, 8), 'int32'), 10).toFloat() as tf.Tensor2D;
    const images = x.slice([0, 0, 0, 0], [8, -1, -1, -1]);
    const mixed = mixup(images, targets, 0, createRng(1));
    expect(mixed.lambda).toBe(1);
    expect(Array.from(mixed.x.dataSync())).toEqual(Array.from(images.dataSync()));
    expect(Array.from(mixed.targets.dataSync())).toEqual(Array.from(targets.dataSync()));
  });
  test('α = 1: labels are λ/(1 − λ) mixes whose rows sum to 1, images mixed the same way', () => {
    const targets = tf.oneHot(tf.tensor1d(labels.slice(0, 8), 'int32'), 10).toFloat() as tf.Tensor2D;
    const images = x.slice([0, 0, 0, 0], [8, -1, -1, -1]);
    const mixed = mixup(images, targets, 1, createRng(2));
    expect(mixed.lambda).toBeGreaterThan(0);
    expect(mixed.lambda).toBeLessThan(1);
    tf.sum(mixed.targets, 1)
      .dataSync()
      .forEach((s) => expect(s).toBeCloseTo(1, 6));
    // Each row's largest weight is max(λ, 1 − λ) (or 1 where both images share a label).
    const rowMax = tf.max(mixed.targets, 1).dataSync();
    rowMax.forEach((m) =>
      expect([Math.max(mixed.lambda, 1 - mixed.lambda), 1].some((v) => Math.abs(v - m) < 1e-6)).toBe(true),
    );
  });
  test('Beta(½, ½) draws have mean ½ and variance 1/8', () => {
    const rng = createRng(3);
    const draws = Array.from({ length: 4000 }, () => sampleBeta(0.5, rng));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length;
    expect(mean).toBeCloseTo(0.5, 1);
    expect(Math.abs(variance - 0.125)).toBeLessThan(0.01);
  });
});
