import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../../core/errors.js';
import type { Classifier } from './classifier.js';

/**
 * An ensemble whose prediction is the mean of its members' class probabilities, reported as
 * logits: log(mean_i softmax(z_i)). An ensemble of one member gives that member's log-softmax,
 * which has the same argmax and softmax as its logits.
 */
export function ensemble(members: Classifier[]): Classifier {
  if (members.length === 0) throw new InvalidArgumentError('an ensemble needs at least one member');
  return {
    logits: (x) =>
      tf.tidy(() => {
        const probabilities = members.map((m) => tf.softmax(m.logits(x)));
        return tf.log(tf.maximum(tf.div(tf.addN(probabilities), members.length), 1e-30)) as tf.Tensor2D;
      }),
  };
}
