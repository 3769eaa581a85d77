import * as tf from '@tensorflow/tfjs';
import { makeBatch } from '../batch.js';
import type { Dataset } from '../datasets/dataset.js';
import type { Classifier } from '../models/classifier.js';
import { createRng, permutation } from '../../core/rng.js';
import { attack, type AttackConfig } from './attack.js';
import { strongAttack, strongStages, type StrongConfig } from './strong.js';

/** What robust accuracy is measured with: one attack (PGD, FGSM) or the strong evaluation. */
export type EvalAttack = AttackConfig | StrongConfig;

export interface Robustness {
  /** Test images evaluated: a fixed subset chosen by the seed. */
  count: number;
  cleanAccuracy: number;
  /** Fraction classified correctly and not misclassified by any iterate of any attack run. */
  robustAccuracy: number;
  /** Correctly classified images broken, by the attack that broke them (`pgd`, `fgsm`, `apgd-ce`, …). */
  brokenBy: Record<string, number>;
  /** Mean number of steps to the first misclassified iterate (in the run that broke it), over the images broken. */
  meanStepsToSuccess: number;
}

/** The fixed, seeded subset of `limit` test indices that robustness is measured on. */
export function robustnessSubset(testCount: number, limit: number, seed: number): Uint32Array {
  return permutation(testCount, createRng(seed)).slice(0, Math.min(limit, testCount));
}

/** Per image of a batch: clean prediction, whether it stood, and what broke it after how many steps. */
async function outcomes(
  classifier: Classifier,
  x: tf.Tensor4D,
  truth: Int32Array,
  config: EvalAttack,
): Promise<{ clean: Int32Array; robust: Uint8Array; brokenBy: (string | null)[]; steps: Int32Array }> {
  if (config.kind === 'strong') {
    const result = await strongAttack(classifier, x, truth, config);
    result.adversarial.dispose();
    const names = strongStages(config).map((stage) => stage.name);
    return {
      clean: result.cleanPrediction,
      robust: result.robust,
      brokenBy: Array.from(result.brokenBy, (s) => (s >= 0 ? names[s]! : null)),
      steps: result.iterationsToSuccess,
    };
  }
  const result = await attack(classifier, x, truth, config);
  result.adversarial.dispose();
  // Any iterate counts: stepsToSuccess is the first step whose prediction was wrong (0 = the clean image).
  return {
    clean: result.cleanPrediction,
    robust: Uint8Array.from(result.stepsToSuccess, (s) => (s === -1 ? 1 : 0)),
    brokenBy: Array.from(result.stepsToSuccess, (s) => (s > 0 ? config.kind : null)),
    steps: result.stepsToSuccess,
  };
}

/** Clean and robust accuracy under an attack, or the strong evaluation, on a fixed, seeded subset of the test split. */
export async function evaluateRobustness(
  classifier: Classifier,
  dataset: Dataset,
  config: EvalAttack,
  options: { limit: number; seed?: number; batchSize?: number },
): Promise<Robustness> {
  const indices = robustnessSubset(dataset.test.count, options.limit, options.seed ?? 0);
  const batchSize = options.batchSize ?? 250;
  let clean = 0;
  let robust = 0;
  let flipped = 0;
  let steps = 0;
  const brokenBy: Record<string, number> = {};
  for (let start = 0; start < indices.length; start += batchSize) {
    const chunk = indices.subarray(start, start + batchSize);
    const { x, labels } = makeBatch(dataset, dataset.test, chunk);
    const truth = Int32Array.from(await labels.data());
    const result = await outcomes(classifier, x, truth, config);
    tf.dispose([x, labels]);
    truth.forEach((label, i) => {
      if (result.clean[i] === label) clean++;
      robust += result.robust[i]!;
      const name = result.brokenBy[i];
      if (name && result.clean[i] === label) {
        brokenBy[name] = (brokenBy[name] ?? 0) + 1;
        flipped++;
        steps += result.steps[i]!;
      }
    });
  }
  const count = indices.length;
  return {
    count,
    cleanAccuracy: clean / count,
    robustAccuracy: robust / count,
    brokenBy,
    meanStepsToSuccess: flipped ? steps / flipped : 0,
  };
}
