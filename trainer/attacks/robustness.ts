import * as tf from '@tensorflow/tfjs';
import { makeBatch } from '../batch.js';
import type { Dataset } from '../datasets/dataset.js';
import type { Classifier } from '../models/classifier.js';
import { createRng, permutation } from '../rng.js';
import { attack, type AttackConfig } from './attack.js';

export interface Robustness {
  /** Test images evaluated: a fixed subset chosen by the seed. */
  count: number;
  cleanAccuracy: number;
  /** Fraction still classified correctly after the attack. */
  robustAccuracy: number;
  /** Mean number of attack steps to the first success, over the examples it flipped. */
  meanStepsToSuccess: number;
}

/** The fixed, seeded subset of `limit` test indices that robustness is measured on. */
export function robustnessSubset(testCount: number, limit: number, seed: number): Uint32Array {
  return permutation(testCount, createRng(seed)).slice(0, Math.min(limit, testCount));
}

/** Clean and robust accuracy under an attack on a fixed, seeded subset of the test split. */
export async function evaluateRobustness(
  classifier: Classifier,
  dataset: Dataset,
  config: AttackConfig,
  options: { limit: number; seed?: number; batchSize?: number },
): Promise<Robustness> {
  const indices = robustnessSubset(dataset.test.count, options.limit, options.seed ?? 0);
  const batchSize = options.batchSize ?? 250;
  let clean = 0;
  let robust = 0;
  let flipped = 0;
  let steps = 0;
  for (let start = 0; start < indices.length; start += batchSize) {
    const chunk = indices.subarray(start, start + batchSize);
    const { x, labels } = makeBatch(dataset, dataset.test, chunk);
    const truth = Int32Array.from(await labels.data());
    const result = await attack(classifier, x, truth, config);
    tf.dispose([x, labels, result.adversarial]);
    truth.forEach((label, i) => {
      if (result.cleanPrediction[i] === label) clean++;
      if (result.adversarialPrediction[i] === label) robust++;
      if (result.success[i] && result.cleanPrediction[i] === label) {
        flipped++;
        steps += result.stepsToSuccess[i]!;
      }
    });
  }
  const count = indices.length;
  return {
    count,
    cleanAccuracy: clean / count,
    robustAccuracy: robust / count,
    meanStepsToSuccess: flipped ? steps / flipped : 0,
  };
}
