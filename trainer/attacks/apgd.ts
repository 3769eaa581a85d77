import * as tf from '@tensorflow/tfjs';
import { assertPositiveInteger } from '../../core/assert.js';
import { InvalidArgumentError } from '../../core/errors.js';
import type { Classifier } from '../models/classifier.js';
import { perExampleNorm, project, type Norm } from './attack.js';

/**
 * APGD, Auto-PGD (Croce and Hein, "Reliable evaluation of adversarial robustness with an ensemble
 * of diverse parameter-free attacks", ICML 2020, Algorithm 1): PGD with momentum whose step size
 * starts at 2ε and is halved at fixed checkpoints when the loss stops rising, restarting from the
 * best point found. Success counts at any iterate, not only the last.
 */

/** The loss APGD maximises: cross-entropy, DLR (eq. 6) or targeted DLR (eq. 7). */
export type ApgdLoss = 'ce' | 'dlr' | 'dlr-targeted';

export interface ApgdConfig {
  norm: Norm;
  /** Radius of the ball, in [0,1] pixel units (L∞) or their Euclidean norm (L2). */
  eps: number;
  /** N_iter: gradient steps; the loss is evaluated at N_iter + 1 points. */
  iterations: number;
  loss: ApgdLoss;
  /** Seeds the random start in the ball. */
  seed: number;
}

/** Momentum α of the update (Section 3.1). */
export const APGD_MOMENTUM = 0.75;
/** ρ of condition 1: halve η when fewer than this fraction of the steps since the last checkpoint raised the loss. */
export const APGD_RHO = 0.75;

/**
 * The checkpoints w_j = ⌈p_j·N_iter⌉ at which APGD may halve its step size (Section 3.2):
 * p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j − p_{j−1} − 0.03, 0.06), for p_j ≤ 1. Equal values
 * are listed once, and those at or past the last iteration are left out (nothing follows them).
 * For 100 iterations: 0, 22, 41, 57, 70, 80, 87, 93, 99.
 */
export function apgdCheckpoints(iterations: number): number[] {
  assertPositiveInteger('APGD iterations', iterations);
  // p_j in hundredths, so that p_j·N_iter is an integer and its ceiling exact.
  const checkpoints = [0];
  let [previous, current] = [0, 22];
  while (current <= 100) {
    const w = Math.ceil((current * iterations) / 100);
    if (w < iterations && w > checkpoints.at(-1)!) checkpoints.push(w);
    [previous, current] = [current, current + Math.max(current - previous - 3, 6)];
  }
  return checkpoints;
}

/** One example's step-size bookkeeping between checkpoints (Section 3.2). */
export interface StepSize {
  /** The current step size η. */
  eta: number;
  /** f_max, the highest loss so far. */
  best: number;
  /** The loss at the previous iterate, f(x^(k−1)). */
  previous: number;
  /** Σ 1[f(x^(i+1)) > f(x^(i))] over the steps since the last checkpoint. */
  increases: number;
  /** The last checkpoint w_{j−1}, f_max there, and whether η was halved there. */
  checkpoint: number;
  bestAtCheckpoint: number;
  halvedAtCheckpoint: boolean;
}

/** The bookkeeping at the start, η^(0) = 2ε and f_max = f(x^(0)). */
export function startStepSize(eps: number, loss: number): StepSize {
  return {
    eta: 2 * eps,
    best: loss,
    previous: loss,
    increases: 0,
    checkpoint: 0,
    bestAtCheckpoint: loss,
    halvedAtCheckpoint: false,
  };
}

/**
 * Takes f(x^(k)) for k ≥ 1. `improved`: x^(k) is the new best point. At a checkpoint w_j = k,
 * `halved`: η was halved, because fewer than ρ·(w_j − w_{j−1}) of the steps since w_{j−1} raised the
 * loss (condition 1), or because η was not halved at w_{j−1} and f_max has not risen since
 * (condition 2); the attack then continues from the best point.
 */
export function advanceStepSize(
  state: StepSize,
  k: number,
  loss: number,
  checkpoints: ReadonlySet<number>,
  rho = APGD_RHO,
): { state: StepSize; improved: boolean; halved: boolean } {
  const improved = loss > state.best;
  const next: StepSize = {
    ...state,
    best: improved ? loss : state.best,
    previous: loss,
    increases: state.increases + (loss > state.previous ? 1 : 0),
  };
  if (!checkpoints.has(k) || k === 0) return { state: next, improved, halved: false };
  const oscillating = next.increases < rho * (k - state.checkpoint);
  const stalled = !state.halvedAtCheckpoint && next.best <= state.bestAtCheckpoint;
  const halved = oscillating || stalled;
  return {
    state: {
      ...next,
      eta: halved ? next.eta / 2 : next.eta,
      increases: 0,
      checkpoint: k,
      bestAtCheckpoint: next.best,
      halvedAtCheckpoint: halved,
    },
    improved,
    halved,
  };
}

// Larger than any logit, so that masked classes never win an argmax.
const MASKED = 1e30;

/**
 * The loss per example, from logits [n, classes], the true labels and (targeted DLR) the targets:
 * `ce` the cross-entropy; `dlr` −(z_y − max_{i≠y} z_i) / (z_π1 − z_π3 + 1e-12); `dlr-targeted`
 * −(z_y − z_t) / (z_π1 − (z_π3 + z_π4)/2 + 1e-12), where z_π1 ≥ z_π2 ≥ … are the sorted logits.
 * Both DLR losses are unchanged by shifting or (positively) scaling the logits.
 */
export function apgdLoss(loss: ApgdLoss, logits: tf.Tensor2D, labels: tf.Tensor1D, targets?: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const classes = logits.shape[1];
    const oneHot = (indices: tf.Tensor1D) => tf.cast(tf.oneHot(indices, classes), 'float32');
    // The logit a one-hot mask picks; argMax and oneHot pass no gradient, so only z carries one.
    const pick = (mask: tf.Tensor) => tf.sum(tf.mul(logits, mask), 1);
    const label = oneHot(labels);
    if (loss === 'ce') return tf.sub(tf.logSumExp(logits, 1), pick(label)) as tf.Tensor1D;
    const needed = loss === 'dlr' ? 3 : 4;
    if (classes < needed) throw new InvalidArgumentError(`invalid APGD loss ${loss}: needs ≥ ${needed} classes`);
    const sorted: tf.Tensor[] = [];
    let rest: tf.Tensor = logits;
    for (let r = 0; r < needed; r++) {
      const mask = oneHot(tf.argMax(rest, 1) as tf.Tensor1D);
      sorted.push(pick(mask));
      rest = tf.sub(rest, tf.mul(mask, MASKED));
    }
    const [z1, , z3, z4] = sorted as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor?];
    if (loss === 'dlr') {
      const other = pick(oneHot(tf.argMax(tf.sub(logits, tf.mul(label, MASKED)), 1) as tf.Tensor1D));
      return tf.div(tf.sub(other, pick(label)), tf.add(tf.sub(z1, z3), 1e-12)) as tf.Tensor1D;
    }
    if (!targets) throw new InvalidArgumentError('invalid APGD loss dlr-targeted: needs target classes');
    const margin = tf.sub(pick(oneHot(targets)), pick(label));
    return tf.div(margin, tf.add(tf.sub(z1, tf.div(tf.add(z3, z4!), 2)), 1e-12)) as tf.Tensor1D;
  });
}

/** Per-example outcome of APGD on a batch. */
export interface ApgdResult {
  /** 1 where some iterate (the random start included) was misclassified. */
  success: Uint8Array;
  /** The first misclassified iterate, 0 for the start; −1 where none was. */
  iterationsToSuccess: Int32Array;
  /** f_max per example, up to its first misclassified iterate. */
  bestLoss: Float32Array;
  /** The first misclassified iterate where the attack succeeded, else the highest-loss point. */
  adversarial: tf.Tensor4D;
}

/** A random start: uniform in the L∞ ball, or on the L2 sphere, then into [0,1]. */
function randomStart(x: tf.Tensor4D, norm: Norm, eps: number, seed: number): tf.Tensor4D {
  return tf.tidy(() => {
    const noise =
      norm === 'linf'
        ? tf.randomUniform(x.shape, -eps, eps, 'float32', seed)
        : tf.tidy(() => {
            const g = tf.randomNormal(x.shape, 0, 1, 'float32', seed);
            return tf.mul(tf.div(g, perExampleNorm(g)), eps);
          });
    return project(tf.add(x, noise) as tf.Tensor4D, x, norm, eps);
  });
}

/**
 * APGD on a batch: `x` images in [0,1], `labels` the true classes, `targets` the classes targeted
 * DLR pushes towards. Untargeted or not, an iterate succeeds when it is misclassified. Examples
 * leave the batch once they succeed (the model runs in inference mode, so the others are
 * unaffected). After a halving the momentum restarts at the best point. Inputs are not disposed.
 */
export async function apgd(
  classifier: Classifier,
  x: tf.Tensor4D,
  labels: Int32Array,
  config: ApgdConfig,
  targets?: Int32Array,
): Promise<ApgdResult> {
  assertPositiveInteger('APGD iterations', config.iterations);
  if (!(config.eps >= 0) || !Number.isFinite(config.eps))
    throw new InvalidArgumentError(`invalid attack eps: ${config.eps}; expected a number ≥ 0`);
  if (config.loss === 'dlr-targeted' && !targets)
    throw new InvalidArgumentError('invalid APGD loss dlr-targeted: needs target classes');
  const n = x.shape[0];
  const size = x.size / n;
  const checkpoints = new Set(apgdCheckpoints(config.iterations));
  const success = new Uint8Array(n);
  const iterationsToSuccess = new Int32Array(n).fill(-1);
  const bestLoss = new Float32Array(n);
  const adversarial = new Float32Array(x.size);

  // Tensors over the examples still attacked (`active` holds their indices in the batch).
  let active = Array.from({ length: n }, (_, i) => i);
  const t = {
    x0: tf.clone(x),
    labels: tf.tensor1d(labels, 'int32'),
    targets: tf.tensor1d(targets ?? labels, 'int32'),
    current: randomStart(x, config.norm, config.eps, config.seed),
    previous: tf.tensor4d([], [0, 1, 1, 1]) as tf.Tensor4D,
    grad: tf.tensor4d([], [0, 1, 1, 1]) as tf.Tensor4D,
    best: tf.tensor4d([], [0, 1, 1, 1]) as tf.Tensor4D,
    bestGrad: tf.tensor4d([], [0, 1, 1, 1]) as tf.Tensor4D,
  };
  type Key = keyof typeof t;
  const replace = (key: Key, next: tf.Tensor) => {
    t[key].dispose();
    (t as Record<Key, tf.Tensor>)[key] = next;
  };
  const where = (mask: boolean[], a: tf.Tensor, b: tf.Tensor) =>
    tf.tidy(() => tf.where(tf.tensor1d(mask, 'bool').reshape([-1, 1, 1, 1]), a, b));
  const copyRows = async (images: tf.Tensor, positions: number[]) => {
    const rows = tf.gather(images, positions);
    const data = await rows.data();
    rows.dispose();
    positions.forEach((p, r) => adversarial.set(data.subarray(r * size, (r + 1) * size), active[p]! * size));
  };

  let states: StepSize[] = [];
  const lossFunction = (images: tf.Tensor4D, keep: (prediction: tf.Tensor1D) => void) => {
    const logits = classifier.logits(images);
    keep(tf.keep(tf.argMax(logits, -1) as tf.Tensor1D));
    return apgdLoss(config.loss, logits, t.labels, t.targets);
  };
  for (let k = 0; k <= config.iterations && active.length > 0; k++) {
    let prediction: tf.Tensor1D | undefined;
    const keep = (p: tf.Tensor1D) => (prediction = p);
    let loss: tf.Tensor;
    let grad: tf.Tensor | undefined;
    if (k < config.iterations) {
      const result = tf.valueAndGrad((images: tf.Tensor) => lossFunction(images as tf.Tensor4D, keep))(t.current);
      loss = result.value;
      grad = result.grad;
    } else {
      loss = tf.tidy(() => lossFunction(t.current, keep));
    }
    const losses = await loss.data();
    const predicted = await prediction!.data();
    tf.dispose([loss, prediction!]);

    const broken: number[] = [];
    const improved: boolean[] = [];
    const halved: boolean[] = [];
    active.forEach((i, p) => {
      const l = losses[p]!;
      let step = { state: states[p]!, improved: false, halved: false };
      if (predicted[p] !== labels[i]) {
        broken.push(p);
        success[i] = 1;
        iterationsToSuccess[i] = k;
        bestLoss[i] = k === 0 ? l : Math.max(l, step.state.best);
      } else if (k === 0) {
        step.state = startStepSize(config.eps, l);
      } else {
        step = advanceStepSize(step.state, k, l, checkpoints);
      }
      states[p] = step.state;
      improved.push(step.improved);
      halved.push(step.halved);
    });
    if (broken.length > 0) await copyRows(t.current, broken);
    if (k === 0) {
      replace('best', tf.clone(t.current));
      replace('bestGrad', grad!);
      replace('grad', tf.clone(grad!));
    } else {
      if (grad) replace('grad', grad);
      if (improved.some(Boolean)) {
        replace('best', where(improved, t.current, t.best));
        replace('bestGrad', where(improved, t.grad, t.bestGrad));
      }
      if (halved.some(Boolean)) {
        replace('current', where(halved, t.best, t.current));
        replace('grad', where(halved, t.bestGrad, t.grad));
        replace('previous', where(halved, t.best, t.previous));
      }
    }
    if (broken.length > 0) {
      const gone = new Set(broken);
      const kept = active.map((_, p) => p).filter((p) => !gone.has(p));
      for (const key of Object.keys(t) as Key[]) {
        if (key !== 'previous' || k > 0) replace(key, tf.gather(t[key], kept));
      }
      states = kept.map((p) => states[p]!);
      active = kept.map((p) => active[p]!);
    }
    if (active.length === 0 || k === config.iterations) break;

    // x^(k+1) = P(x^(k) + α(z^(k+1) − x^(k)) + (1 − α)(x^(k) − x^(k−1))), z^(k+1) = P(x^(k) + η·dir ∇f), α = 1 at k = 0.
    const next = tf.tidy(() => {
      const eta = tf.tensor(
        states.map((s) => s.eta),
        [active.length, 1, 1, 1],
      );
      const g = t.grad;
      const direction = config.norm === 'linf' ? tf.sign(g) : tf.div(g, perExampleNorm(g));
      const z = project(tf.add(t.current, tf.mul(direction, eta)) as tf.Tensor4D, t.x0, config.norm, config.eps);
      if (k === 0) return z;
      const momentum = tf.add(
        tf.mul(tf.sub(z, t.current), APGD_MOMENTUM),
        tf.mul(tf.sub(t.current, t.previous), 1 - APGD_MOMENTUM),
      );
      return project(tf.add(t.current, momentum) as tf.Tensor4D, t.x0, config.norm, config.eps);
    });
    replace('previous', t.current);
    t.current = next;
  }
  if (active.length > 0) {
    const rows = await t.best.data();
    active.forEach((i, p) => {
      adversarial.set(rows.subarray(p * size, (p + 1) * size), i * size);
      bestLoss[i] = states[p]!.best;
    });
  }
  tf.dispose(Object.values(t));
  return {
    success,
    iterationsToSuccess,
    bestLoss,
    adversarial: tf.tensor4d(adversarial, x.shape),
  };
}
