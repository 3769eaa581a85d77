import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import { initBackend } from '../../trainer/backend.js';
import type { Classifier } from '../../trainer/models/classifier.js';
import { ModelBatch, type ImageRange } from '../../recorder/model-batch.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** A linear classifier of 2 × 2 × 1 inputs into 3 classes. */
const linear = (weights: number[]): Classifier => ({
  logits: (x) => tf.matMul(x.reshape([x.shape[0], 4]), tf.tensor2d(weights, [4, 3])),
});

/** Inputs made range by range: the k-th is filled with k + 1. */
const inputs: ImageRange = (start, n) =>
  tf.tensor4d(
    Float32Array.from({ length: n * 4 }, (_, i) => start + Math.floor(i / 4) + 1),
    [n, 2, 2, 1],
  );

async function alone(classifier: Classifier, count: number): Promise<Float32Array> {
  const y = tf.tidy(() => tf.logSoftmax(classifier.logits(inputs(0, count))));
  const values = (await y.data()) as Float32Array;
  y.dispose();
  return values;
}

test('an ask of parts through two classifiers is answered in one pass, each part as if run alone', async () => {
  const main = linear([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1]);
  const head = linear([0, 0, 1, 0, 1, 0, 1, 0, 0, 0.5, 0, 0]);
  const batch = new ModelBatch(main, 2, 2);
  const [[throughMain, throughHead], other] = await Promise.all([
    batch.join(() =>
      batch.ask([
        { count: 3, images: inputs },
        { count: 5, images: inputs, through: head },
      ]),
    ),
    batch.join(() => batch.logProbabilities(4, inputs, head)),
  ]);
  // One flush: one model call per classifier, chunks of 2 inside each.
  expect(batch.calls).toBe(2);
  expect([...throughMain!]).toEqual([...(await alone(main, 3))]);
  expect([...throughHead!]).toEqual([...(await alone(head, 5))]);
  expect([...other]).toEqual([...(await alone(head, 4))]);
  // An ask of nothing resolves at once, without a model call.
  expect(await batch.ask([{ count: 0, images: inputs }])).toEqual([new Float32Array(0)]);
  expect(batch.calls).toBe(2);
});
