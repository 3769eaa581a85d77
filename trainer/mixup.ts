import * as tf from '@tensorflow/tfjs';
import { normal, permutation, type Rng } from '../core/rng.js';

/** A Gamma(shape, 1) draw (Marsaglia & Tsang; shape < 1 through the boost U^(1/shape)). */
function gamma(shape: number, rng: Rng): number {
  if (shape < 1) return gamma(shape + 1, rng) * Math.pow(1 - rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** λ ~ Beta(α, α); α = 0 gives λ = 1 (no mixing). */
export function sampleBeta(alpha: number, rng: Rng): number {
  if (alpha <= 0) return 1;
  const a = gamma(alpha, rng);
  const b = gamma(alpha, rng);
  return a / (a + b);
}

/**
 * Mixup (Zhang et al.): each image and its one-hot label are mixed with those of a shuffled copy
 * of the batch, x̃ = λx + (1 − λ)x_π, ỹ = λy + (1 − λ)y_π, with λ ~ Beta(α, α). Rows of ỹ sum to 1.
 */
export function mixup(
  x: tf.Tensor4D,
  targets: tf.Tensor2D,
  alpha: number,
  rng: Rng,
): { x: tf.Tensor4D; targets: tf.Tensor2D; lambda: number } {
  const lambda = sampleBeta(alpha, rng);
  const order = tf.tensor1d(Int32Array.from(permutation(x.shape[0], rng)), 'int32');
  const mix = <T extends tf.Tensor>(t: T): T => tf.add(tf.mul(t, lambda), tf.mul(tf.gather(t, order), 1 - lambda)) as T;
  const result = tf.tidy(() => ({ x: mix(x), targets: mix(targets) }));
  order.dispose();
  return { ...result, lambda };
}
