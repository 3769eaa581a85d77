import * as tf from '@tensorflow/tfjs';

/**
 * Anything that maps a batch of images [n, h, w, c] in [0,1] to logits [n, classes] in inference
 * mode (batch norm on its moving statistics, no dropout): a model, an ensemble, a checkpoint.
 * Attacks, evaluation and slices take a Classifier.
 */
export interface Classifier {
  logits(x: tf.Tensor4D): tf.Tensor2D;
  /** The layers model behind it, when there is one: slice evaluation may use its structure (recorder/plane-cnn.ts). */
  readonly model?: tf.LayersModel;
}

/**
 * A layers model in inference mode. `apply(x, {training: false})` never updates batch-norm
 * statistics, unlike a call with `training: true`.
 */
export function classifierOf(model: tf.LayersModel): Classifier {
  return { logits: (x) => model.apply(x, { training: false }) as tf.Tensor2D, model };
}
