import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../../core/errors.js';
import type { Classifier } from '../models/classifier.js';

export type Norm = 'linf' | 'l2';

/**
 * An attack (the paper's appendix B.1). `pgd` is projected gradient ascent on the cross-entropy,
 * eq. 2: x ← Π(x + η·dir(∇x L)), with dir = sign for L∞ and ∇/‖∇‖₂ for L2, and Π the projection
 * on the ε-ball around the original and on [0,1]^d. `fgsm` is one step of size ε from the
 * original (Goodfellow et al.; the L2 variant is the fast gradient method).
 */
export type AttackConfig =
  | { kind: 'fgsm'; norm: Norm; eps: number }
  | { kind: 'pgd'; norm: Norm; eps: number; stepSize: number; steps: number; randomStart: boolean; seed: number };

export type PgdConfig = Extract<AttackConfig, { kind: 'pgd' }>;

/** Per-example outcome of an attack on a batch. */
export interface AttackReport {
  cleanPrediction: Int32Array;
  adversarialPrediction: Int32Array;
  /** 1 where the attack succeeded: untargeted, the prediction is not the true label; targeted, it is the target. */
  success: Uint8Array;
  /** The first step after which it succeeded (0 = already at the start), -1 if never. */
  stepsToSuccess: Int32Array;
}

export interface AttackResult extends AttackReport {
  /** The adversarial images, inside the ε-ball around the originals and inside [0,1]. */
  adversarial: tf.Tensor4D;
}

/** Madry et al.'s published settings. */
export const MADRY_MNIST: PgdConfig = {
  kind: 'pgd',
  norm: 'linf',
  eps: 0.3,
  stepSize: 0.01,
  steps: 40,
  randomStart: true,
  seed: 0,
};
export const MADRY_CIFAR10_TRAIN: PgdConfig = {
  kind: 'pgd',
  norm: 'linf',
  eps: 8 / 255,
  stepSize: 2 / 255,
  steps: 7,
  randomStart: true,
  seed: 0,
};
export const MADRY_CIFAR10_EVAL: PgdConfig = { ...MADRY_CIFAR10_TRAIN, steps: 20 };

/** Checks an attack config; throws InvalidArgumentError naming the bad value. */
export function validateAttack(config: AttackConfig): void {
  if (!(config.eps >= 0) || !Number.isFinite(config.eps))
    throw new InvalidArgumentError(`invalid attack eps: ${config.eps}; expected a number ≥ 0`);
  if (config.kind === 'pgd') {
    if (!Number.isInteger(config.steps) || config.steps < 1)
      throw new InvalidArgumentError(`invalid attack steps: ${config.steps}; expected a positive integer`);
    if (!(config.stepSize >= 0))
      throw new InvalidArgumentError(`invalid attack step size: ${config.stepSize}; expected a number ≥ 0`);
  }
}

/** ‖t‖₂ per example, as [n, 1, 1, 1] (floored at 1e-12 so that directions stay finite). */
export const perExampleNorm = (t: tf.Tensor): tf.Tensor =>
  tf.sqrt(tf.maximum(tf.sum(tf.square(t), [1, 2, 3], true), 1e-24));

/** Projects x onto the ε-ball around x0 and onto [0,1]. */
export function project(x: tf.Tensor4D, x0: tf.Tensor4D, norm: Norm, eps: number): tf.Tensor4D {
  return tf.tidy(() => {
    let delta = tf.sub(x, x0);
    delta =
      norm === 'linf'
        ? tf.clipByValue(delta, -eps, eps)
        : tf.mul(delta, tf.minimum(1, tf.div(eps, perExampleNorm(delta))));
    // Clipping to [0,1] only shrinks each |δ_i| (x0 is inside), so the point stays in the ball.
    return tf.clipByValue(tf.add(x0, delta), 0, 1) as tf.Tensor4D;
  });
}

/** The attack as PGD settings (FGSM is one step of size ε from the original, no random start). */
function asPgd(config: AttackConfig): PgdConfig {
  return config.kind === 'pgd'
    ? config
    : { kind: 'pgd', norm: config.norm, eps: config.eps, stepSize: config.eps, steps: 1, randomStart: false, seed: 0 };
}

/**
 * The adversarial images for a batch, without reporting: `goal` holds the true labels
 * (untargeted: ascend their cross-entropy) or the targets (targeted: descend it). `onStep` sees
 * the images after every step. Inputs are not disposed; the result is the caller's.
 */
export async function perturb(
  classifier: Classifier,
  x: tf.Tensor4D,
  goal: Int32Array,
  config: AttackConfig,
  options: { targeted?: boolean; onStep?: (images: tf.Tensor4D, step: number) => Promise<void> } = {},
): Promise<tf.Tensor4D> {
  validateAttack(config);
  const pgd = asPgd(config);
  const n = x.shape[0];
  const sign = options.targeted ? -1 : 1;
  let adversarial: tf.Tensor4D = tf.clone(x);
  if (pgd.randomStart && pgd.eps > 0) {
    const start = tf.tidy(() => {
      let noise: tf.Tensor;
      if (pgd.norm === 'linf') {
        noise = tf.randomUniform(x.shape, -pgd.eps, pgd.eps, 'float32', pgd.seed);
      } else {
        const gaussian = tf.randomNormal(x.shape, 0, 1, 'float32', pgd.seed);
        const radius = tf.mul(pgd.eps, tf.randomUniform([n, 1, 1, 1], 0, 1, 'float32', pgd.seed + 1));
        noise = tf.mul(tf.div(gaussian, perExampleNorm(gaussian)), radius);
      }
      return project(tf.add(x, noise) as tf.Tensor4D, x, pgd.norm, pgd.eps);
    });
    adversarial.dispose();
    adversarial = start;
  }
  const classes = tf.tidy(() => classifier.logits(x.slice([0, 0, 0, 0], [1, -1, -1, -1])).shape[1]);
  const oneHot = tf.tidy(() => tf.oneHot(tf.tensor1d(goal, 'int32'), classes));
  const lossGradient = tf.grad((images: tf.Tensor) =>
    tf.mul(tf.losses.softmaxCrossEntropy(oneHot, classifier.logits(images as tf.Tensor4D)), sign),
  );
  for (let step = 1; step <= pgd.steps; step++) {
    const next = tf.tidy(() => {
      const g = lossGradient(adversarial);
      const direction = pgd.norm === 'linf' ? tf.sign(g) : tf.div(g, perExampleNorm(g));
      return project(tf.add(adversarial, tf.mul(direction, pgd.stepSize)) as tf.Tensor4D, x, pgd.norm, pgd.eps);
    });
    adversarial.dispose();
    adversarial = next;
    await options.onStep?.(adversarial, step);
  }
  oneHot.dispose();
  return adversarial;
}

/** Predicted classes of a classifier for a batch. */
export async function predict(classifier: Classifier, images: tf.Tensor4D): Promise<Int32Array> {
  const p = tf.tidy(() => tf.argMax(classifier.logits(images), -1));
  const out = Int32Array.from(await p.data());
  p.dispose();
  return out;
}

/**
 * Attacks a batch and reports per example: `x` images in [0,1], `labels` the true classes; with
 * `targets`, a targeted attack toward them. The classifier runs in inference mode only. The
 * final iterate is the adversarial example; stepsToSuccess records when it first succeeded.
 */
export async function attack(
  classifier: Classifier,
  x: tf.Tensor4D,
  labels: Int32Array,
  config: AttackConfig,
  targets?: Int32Array,
): Promise<AttackResult> {
  const n = x.shape[0];
  const succeeded = (prediction: Int32Array, i: number) =>
    targets ? prediction[i] === targets[i] : prediction[i] !== labels[i];
  const stepsToSuccess = new Int32Array(n).fill(-1);
  const mark = (prediction: Int32Array, step: number) => {
    for (let i = 0; i < n; i++) if (stepsToSuccess[i] === -1 && succeeded(prediction, i)) stepsToSuccess[i] = step;
  };
  const cleanPrediction = await predict(classifier, x);
  mark(cleanPrediction, 0);
  let adversarialPrediction = cleanPrediction;
  const adversarial = await perturb(classifier, x, targets ?? labels, config, {
    targeted: targets !== undefined,
    onStep: async (images, step) => {
      adversarialPrediction = await predict(classifier, images);
      mark(adversarialPrediction, step);
    },
  });
  const success = Uint8Array.from({ length: n }, (_, i) => (succeeded(adversarialPrediction, i) ? 1 : 0));
  return { adversarial, cleanPrediction, adversarialPrediction, success, stepsToSuccess };
}
