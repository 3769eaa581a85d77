import * as tf from '@tensorflow/tfjs';

export interface SgdOptions {
  /** Momentum coefficient μ (0 = plain SGD). */
  momentum: number;
  /** Nesterov momentum: step along g + μ·v instead of v. */
  nesterov: boolean;
  /**
   * L2 weight decay λ, added to the gradient (g + λ·w) before momentum, as in PyTorch's SGD and the
   * WRN reference recipe (not decoupled). Applied to kernels (rank ≥ 2), not to biases or batch norm.
   */
  weightDecay: number;
}

/**
 * Minibatch SGD with momentum, as PyTorch defines it: v ← μ·v + g; w ← w − lr·(Nesterov ? g + μ·v : v).
 * The learning rate is passed per step so that any schedule can drive it. Velocities are variables,
 * saved and restored with a checkpoint.
 */
export class SgdMomentum {
  private velocities: tf.Variable[] | undefined;

  constructor(readonly options: SgdOptions) {}

  /** Applies one update to `weights` from their `grads` (same order) at learning rate `lr`. */
  apply(weights: tf.Variable[], grads: tf.Tensor[], lr: number): void {
    const { momentum, nesterov, weightDecay } = this.options;
    const velocities = (this.velocities ??= weights.map((w) => tf.variable(tf.zerosLike(w), false)));
    tf.tidy(() => {
      weights.forEach((w, i) => {
        let g = grads[i]!;
        if (weightDecay > 0 && w.rank >= 2) g = tf.add(g, tf.mul(w, weightDecay));
        let step = g;
        if (momentum > 0) {
          const v = velocities[i]!;
          v.assign(tf.add(tf.mul(v, momentum), g));
          step = nesterov ? tf.add(g, tf.mul(v, momentum)) : v;
        }
        w.assign(tf.sub(w, tf.mul(step, lr)));
      });
    });
  }

  /** The optimizer state as plain arrays (empty before the first step). */
  getState(): Float32Array[] {
    return (this.velocities ?? []).map((v) => v.dataSync() as Float32Array);
  }

  /** getState without a synchronous read, which the webgpu backend cannot do in Node. */
  async readState(): Promise<Float32Array[]> {
    return Promise.all((this.velocities ?? []).map(async (v) => (await v.data()) as Float32Array));
  }

  /** Restores state saved by getState for weights of these shapes. */
  setState(state: Float32Array[], shapes: number[][]): void {
    this.dispose();
    if (state.length === 0) return;
    this.velocities = state.map((values, i) => tf.variable(tf.tensor(values, shapes[i]), false));
  }

  dispose(): void {
    this.velocities?.forEach((v) => v.dispose());
    this.velocities = undefined;
  }
}
