import * as tf from '@tensorflow/tfjs';

type Kwargs = Record<string, unknown>;

/** tfjs-layers' BatchNormalization class (the package exports only its factory). */
const StockBatchNormalization = Object.getPrototypeOf(tf.layers.batchNormalization({})).constructor as new (
  args: object,
) => tf.layers.Layer;

/** The stock layer's fields this one reads (public at run time, private in the typings). */
interface BatchNormFields {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

/**
 * Batch normalisation over every axis but the last, in training mode, with one gradient for all
 * three inputs: with x̂ = (x − μ)/σ over m = N·H·W values per channel,
 *
 *   dβ = Σ dy,   dγ = Σ dy·x̂,   dx = γ/σ · (dy − dβ/m − x̂·dγ/m).
 *
 * tfjs-layers computes the same from `moments` and `batchNorm`, whose gradients chain about
 * twenty full-tensor kernels per layer; this takes about seven. `onMoments` receives the batch
 * mean and (biased) variance, for the moving averages.
 */
export function batchNormInTraining(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
  onMoments: (mean: tf.Tensor, variance: tf.Tensor) => void,
): tf.Tensor {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const perChannel = x.size / x.shape[x.rank - 1]!;
  const normalize = tf.customGrad((input, scale, offset, save) => {
    const [xs, g, b] = [input as tf.Tensor, scale as tf.Tensor1D, offset as tf.Tensor1D];
    const { mean, variance } = tf.moments(xs, axes);
    onMoments(mean, variance);
    const inverseStd = tf.rsqrt(tf.add(variance, epsilon));
    const normalized = tf.mul(tf.sub(xs, mean), inverseStd);
    (save as tf.GradSaveFunc)([normalized, inverseStd, g]);
    return {
      value: tf.add(tf.mul(normalized, g), b),
      gradFunc: (dy, [xHat, invStd, g1]) => {
        const dBeta = tf.sum(dy, axes);
        const dGamma = tf.sum(tf.mul(dy, xHat!), axes);
        const centered = tf.sub(tf.sub(dy, tf.div(dBeta, perChannel)), tf.mul(xHat!, tf.div(dGamma, perChannel)));
        return [tf.mul(centered, tf.mul(g1!, invStd!)), dGamma, dBeta];
      },
    };
  });
  return normalize(x, gamma, beta);
}

/**
 * tfjs-layers' BatchNormalization with `batchNormInTraining` for training on the last axis (what
 * the Wide ResNet uses); inference, and every other configuration, is the stock layer's. Same
 * weights, same moving-average updates; saved models name it SlicewatchBatchNormalization.
 */
export class SlicewatchBatchNormalization extends StockBatchNormalization {
  static readonly className = 'SlicewatchBatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as BatchNormFields;
    const input = Array.isArray(inputs) ? inputs[0]! : inputs;
    const lastAxis = self.axis === -1 || self.axis === input.rank - 1;
    if (kwargs['training'] !== true || !lastAxis || !self.center || !self.scale) return super.call(inputs, kwargs);
    return tf.tidy(() =>
      batchNormInTraining(
        input,
        self.gamma.read() as tf.Tensor1D,
        self.beta.read() as tf.Tensor1D,
        self.epsilon,
        (mean, variance) => {
          for (const [variable, value] of [
            [self.movingMean, mean],
            [self.movingVariance, variance],
          ] as const) {
            const moving = variable.read();
            variable.write(tf.sub(moving, tf.mul(tf.sub(moving, value), 1 - self.momentum)));
          }
        },
      ),
    );
  }
}
tf.serialization.registerClass(
  SlicewatchBatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
);
