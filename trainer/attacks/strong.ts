import * as tf from '@tensorflow/tfjs';
import { assertPositiveInteger } from '../../core/assert.js';
import { InvalidArgumentError } from '../../core/errors.js';
import type { Classifier } from '../models/classifier.js';
import { mixSeed } from '../../core/rng.js';
import { apgd, type ApgdLoss } from './apgd.js';
import type { Norm } from './attack.js';

/**
 * The strong evaluation, in the spirit of AutoAttack (Croce and Hein, 2020): per image the worst
 * case over APGD on the cross-entropy, APGD on the DLR loss, and targeted APGD-DLR towards each of
 * the `targets` classes with the highest clean logits, each `restarts` times from a random start
 * with `iterations` steps. An image counts as broken when any iterate of any run misclassifies it.
 */
export interface StrongConfig {
  kind: 'strong';
  norm: Norm;
  eps: number;
  iterations: number;
  restarts: number;
  /** Target classes of targeted APGD-DLR (AutoAttack uses 9; 0 leaves it out). */
  targets: number;
  seed: number;
}

/** One attack of the sequence: its name, loss and, targeted, the rank of the target among the clean logits (2 = runner-up). */
export interface StrongStage {
  name: 'apgd-ce' | 'apgd-dlr' | 'apgd-t';
  loss: ApgdLoss;
  targetRank?: number;
}

/** Checks a strong evaluation's budget; throws InvalidArgumentError naming the bad value. */
export function validateStrong(config: StrongConfig): void {
  if (!(config.eps >= 0) || !Number.isFinite(config.eps))
    throw new InvalidArgumentError(`invalid attack eps: ${config.eps}; expected a number ≥ 0`);
  assertPositiveInteger('strong evaluation iterations', config.iterations);
  assertPositiveInteger('strong evaluation restarts', config.restarts);
  if (!Number.isInteger(config.targets) || config.targets < 0)
    throw new InvalidArgumentError(`invalid strong evaluation targets: ${config.targets}; expected an integer ≥ 0`);
}

/** The attacks in the order they run: APGD-CE, APGD-DLR, then APGD-T for target ranks 2 … targets + 1. */
export function strongStages(config: StrongConfig): StrongStage[] {
  return [
    { name: 'apgd-ce', loss: 'ce' },
    { name: 'apgd-dlr', loss: 'dlr' },
    ...Array.from({ length: config.targets }, (_, t) => ({
      name: 'apgd-t' as const,
      loss: 'dlr-targeted' as const,
      targetRank: t + 2,
    })),
  ];
}

/** The name and budget, e.g. `apgd-ce+apgd-dlr+apgd-t(3) linf eps=0.3, 100 iters, 1 restart`. */
export function describeStrong(config: StrongConfig): string {
  const attacks = `apgd-ce+apgd-dlr${config.targets > 0 ? `+apgd-t(${config.targets})` : ''}`;
  const restarts = `${config.restarts} restart${config.restarts === 1 ? '' : 's'}`;
  return `${attacks} ${config.norm} eps=${config.eps}, ${config.iterations} iters, ${restarts}`;
}

/** Per-image outcome of the strong evaluation on a batch. */
export interface StrongResult {
  cleanPrediction: Int32Array;
  /** 1 where the clean image is classified correctly and no attack misclassified it. */
  robust: Uint8Array;
  /** Index in strongStages of the attack that broke the image; −1 where none did (or it was wrong already). */
  brokenBy: Int32Array;
  /** The APGD iteration at which the breaking run first misclassified it; −1 where none did. */
  iterationsToSuccess: Int32Array;
  /** The misclassified point where an attack broke the image, else the original. */
  adversarial: tf.Tensor4D;
}

/**
 * Runs the strong evaluation on a batch: `x` images in [0,1], `labels` the true classes. Each attack
 * runs only on the images that every earlier one left standing, as AutoAttack does. Inputs are not
 * disposed; the adversarial images are the caller's.
 */
export async function strongAttack(
  classifier: Classifier,
  x: tf.Tensor4D,
  labels: Int32Array,
  config: StrongConfig,
): Promise<StrongResult> {
  validateStrong(config);
  const n = x.shape[0];
  const size = x.size / n;
  const logits = tf.tidy(() => classifier.logits(x));
  const classes = logits.shape[1];
  const scores = await logits.data();
  logits.dispose();
  // Classes by decreasing clean logit, per image: ranked[i][0] is the prediction.
  const ranked = Array.from({ length: n }, (_, i) =>
    Array.from({ length: classes }, (_, c) => c).sort((a, b) => scores[i * classes + b]! - scores[i * classes + a]!),
  );
  const cleanPrediction = Int32Array.from(ranked, (r) => r[0]!);
  const robust = Uint8Array.from(cleanPrediction, (p, i) => (p === labels[i] ? 1 : 0));
  const brokenBy = new Int32Array(n).fill(-1);
  const iterationsToSuccess = new Int32Array(n).fill(-1);
  const adversarial = Float32Array.from(await x.data());

  const stages = strongStages(config);
  for (const [s, stage] of stages.entries()) {
    if (stage.targetRank !== undefined && stage.targetRank > classes) break;
    for (let restart = 0; restart < config.restarts; restart++) {
      const standing = Array.from(robust.keys()).filter((i) => robust[i]);
      if (standing.length === 0) break;
      const images = tf.gather(x, standing);
      const result = await apgd(
        classifier,
        images,
        Int32Array.from(standing, (i) => labels[i]!),
        {
          norm: config.norm,
          eps: config.eps,
          iterations: config.iterations,
          loss: stage.loss,
          seed: mixSeed(config.seed, s, restart),
        },
        stage.targetRank === undefined
          ? undefined
          : Int32Array.from(standing, (i) => ranked[i]![stage.targetRank! - 1]!),
      );
      const rows = await result.adversarial.data();
      tf.dispose([images, result.adversarial]);
      standing.forEach((i, p) => {
        if (!result.success[p]) return;
        robust[i] = 0;
        brokenBy[i] = s;
        iterationsToSuccess[i] = result.iterationsToSuccess[p]!;
        adversarial.set(rows.subarray(p * size, (p + 1) * size), i * size);
      });
    }
  }
  return {
    cleanPrediction,
    robust,
    brokenBy,
    iterationsToSuccess,
    adversarial: tf.tensor4d(adversarial, x.shape),
  };
}
