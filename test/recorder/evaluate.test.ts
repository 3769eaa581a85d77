import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { initBackend } from '../../trainer/backend.js';
import { imageAt, type Dataset } from '../../trainer/datasets/dataset.js';
import { loadDataset } from '../../trainer/datasets/load.js';
import { classifierOf, type Classifier } from '../../trainer/models/classifier.js';
import type { Objective } from '../../trainer/train-loop.js';
import { trainedMnistCnn } from '../fixtures/mnist-cnn.js';
import { MADRY_MNIST } from '../../trainer/attacks/attack.js';
import { buildPoint, type PointContext } from '../../recorder/build-point.js';
import { evaluateFrame, INFEASIBLE, SliceEvaluator } from '../../recorder/evaluate.js';
import { pixelToPoint, sliceGeometry } from '../../slices/geometry.js';
import { formatPoint, parsePoint, type PointSpec } from '../../slices/points.js';

let mnist: Dataset;
let baseline: Classifier;
let robust: Classifier;

async function trained(objective: Objective, steps: number): Promise<Classifier> {
  return classifierOf((await trainedMnistCnn(mnist, steps, { objective })).model);
}

beforeAll(async () => {
  await initBackend('wasm');
  mnist = loadDataset('mnist');
  baseline = await trained({ kind: 'plain' }, 200);
  robust = await trained(
    { kind: 'adversarial', attack: { ...MADRY_MNIST, steps: 3, stepSize: 0.15 }, rho: 1, clean: true },
    60,
  );
}, 600_000);

const slice = (k: number, resolution: number) =>
  sliceGeometry(
    imageAt(mnist, mnist.test, 3 * k),
    imageAt(mnist, mnist.test, 3 * k + 1),
    imageAt(mnist, mnist.test, 3 * k + 2),
    { resolution },
  );

test('full mode gives, pixel by pixel, the model’s own prediction at the pixel’s point', async () => {
  const g = slice(0, 48);
  const evaluator = new SliceEvaluator(g, mnist.imageShape, 100);
  const result = await evaluator.evaluate(baseline);
  evaluator.dispose();
  expect(result.evaluated).toBe(g.feasibleCount);
  let same = 0;
  let checked = 0;
  for (let p = 0; p < g.width * g.height; p += 7) {
    if (!g.feasible[p]) {
      expect(result.labels[p]).toBe(INFEASIBLE);
      continue;
    }
    const point = pixelToPoint(g, p % g.width, Math.floor(p / g.width));
    const probabilities = tf.tidy(() =>
      tf.softmax(baseline.logits(tf.tensor4d(Float32Array.from(point), [1, 28, 28, 1]))).dataSync(),
    );
    const label = probabilities.indexOf(Math.max(...probabilities));
    checked++;
    if (label === result.labels[p]) same++;
    expect(Math.abs(result.confidence[p]! - Math.round(probabilities[label]! * 255))).toBeLessThanOrEqual(1);
  }
  expect(checked).toBeGreaterThan(100);
  expect(same).toBe(checked);
});

describe('adaptive mode', () => {
  test.each([
    { name: 'baseline', model: () => baseline },
    { name: 'adversarially trained', model: () => robust },
  ])(
    'agrees with full mode on ≥ 99.9% of feasible pixels over 20 slices ($name), evaluating far fewer',
    async ({ model }) => {
      let agree = 0;
      let total = 0;
      let evaluated = 0;
      const tensors = tf.memory().numTensors;
      for (let k = 0; k < 20; k++) {
        const g = slice(k + 10, 64);
        const evaluator = new SliceEvaluator(g, mnist.imageShape);
        const full = await evaluator.evaluate(model());
        const adaptive = await evaluator.evaluate(model(), { kind: 'adaptive', coarse: 4 });
        evaluator.dispose();
        for (let p = 0; p < g.feasible.length; p++) {
          if (!g.feasible[p]) {
            expect(adaptive.labels[p]).toBe(INFEASIBLE);
            continue;
          }
          total++;
          if (full.labels[p] === adaptive.labels[p]) agree++;
        }
        expect(adaptive.evaluated).toBeLessThanOrEqual(g.feasibleCount);
        evaluated += adaptive.evaluated;
      }
      expect(agree / total).toBeGreaterThanOrEqual(0.999);
      expect(evaluated / total).toBeLessThan(0.5);
      expect(tf.memory().numTensors).toBe(tensors);
    },
  );

  test('rejects a coarse spacing that is not a power of two', async () => {
    const evaluator = new SliceEvaluator(slice(0, 16), mnist.imageShape);
    await expect(evaluator.evaluate(baseline, { kind: 'adaptive', coarse: 3 })).rejects.toThrow(
      'expected coarse spacing to be a power of two, received 3',
    );
    evaluator.dispose();
  });
});

test('a frame has probabilities at a, b, c, profiles that start at a, and metrics', async () => {
  const a = imageAt(mnist, mnist.test, 0);
  const b = imageAt(mnist, mnist.test, 1);
  const c = imageAt(mnist, mnist.test, 2);
  const g = sliceGeometry(a, b, c, { resolution: 32 });
  const evaluator = new SliceEvaluator(g, mnist.imageShape);
  const frame = await evaluateFrame(evaluator, baseline, { a, b, c }, { classes: 10, profileSamples: 5 });
  evaluator.dispose();
  expect(frame.pointProbabilities).toHaveLength(30);
  for (let row = 0; row < 3; row++) {
    const sum = frame.pointProbabilities.subarray(row * 10, row * 10 + 10).reduce((x, y) => x + y, 0);
    expect(sum).toBeCloseTo(1, 5);
  }
  expect(frame.profiles).toHaveLength(3 * 5 * 10);
  // Sample 0 of a→b is a; the last sample of a→b is b, which is sample 0 of b→c.
  for (let k = 0; k < 10; k++) {
    expect(frame.profiles[k]).toBeCloseTo(frame.pointProbabilities[k]!, 5);
    expect(frame.profiles[4 * 10 + k]).toBeCloseTo(frame.profiles[5 * 10 + k]!, 5);
  }
  expect(frame.metrics.area.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 9);
  // The three test digits 7, 2, 1 are classified as such, so at least those three regions appear.
  expect(frame.metrics.components.filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);
});

describe('points', () => {
  const specs: string[] = [
    'test:5',
    'train:17',
    'grey',
    'random:42',
    'noise(test:5;linf=0.1;seed=3)',
    'noise(grey;l2=2.5;seed=4)',
    'adv(test:5;pgd-linf:eps=0.2,steps=5,step=0.05,seed=9)',
    'adv(noise(test:8;l2=1;seed=1);fgsm-l2:eps=1.5;target=3)',
  ];

  test.each(specs)('%s rebuilds bit-identically from its text and its JSON', async (text) => {
    const context: PointContext = { dataset: mnist, classifier: async () => baseline };
    const spec = parsePoint(text);
    expect(formatPoint(spec)).toBe(text);
    const first = await buildPoint(spec, context);
    const fromText = await buildPoint(parsePoint(formatPoint(spec)), context);
    const fromJson = await buildPoint(JSON.parse(JSON.stringify(spec)) as PointSpec, context);
    expect(first.vector).toHaveLength(784);
    expect(Buffer.from(fromText.vector.buffer).equals(Buffer.from(first.vector.buffer))).toBe(true);
    expect(Buffer.from(fromJson.vector.buffer).equals(Buffer.from(first.vector.buffer))).toBe(true);
    for (const v of first.vector) expect(v >= 0 && v <= 1).toBe(true);
  });

  test('perturbations have the asked size, and the adversarial point is within its ε', async () => {
    const context: PointContext = { dataset: mnist, classifier: async () => baseline };
    const grey = (await buildPoint(parsePoint('grey'), context)).vector;
    const l2 = (await buildPoint(parsePoint('noise(grey;l2=2.5;seed=4)'), context)).vector;
    // From the centre, clipping cannot bite for a small perturbation: the L2 distance is exactly 2.5.
    expect(Math.hypot(...l2.map((v, i) => v - grey[i]!))).toBeCloseTo(2.5, 4);
    const x = (await buildPoint(parsePoint('test:5'), context)).vector;
    const adv = (await buildPoint(parsePoint('adv(test:5;pgd-linf:eps=0.2,steps=5,step=0.05)'), context)).vector;
    expect(Math.max(...adv.map((v, i) => Math.abs(v - x[i]!)))).toBeLessThanOrEqual(0.2 + 1e-6);
  });

  test.each([
    ['test:-1', 'invalid point: test:-1; the index must be a non-negative integer, got -1'],
    ['noise(test:1;seed=2)', 'invalid point: noise(test:1;seed=2); noise needs linf=M or l2=M'],
    ['centre', 'invalid point: centre; unknown form'],
  ])('%s is rejected with the accepted syntax', (text, message) => {
    expect(() => parsePoint(text)).toThrow(message);
  });

  test('an index beyond the split is named', async () => {
    await expect(
      buildPoint(parsePoint('test:5000'), { dataset: mnist, classifier: async () => baseline }),
    ).rejects.toThrow('invalid point test:5000: the test split has 1996 images');
  });
});
