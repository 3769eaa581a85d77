import * as tf from '@tensorflow/tfjs';
import { classifierOf, type Classifier } from './models/classifier.js';
import { makeBatch } from './batch.js';
import type { Dataset, Split } from './datasets/dataset.js';

/** Predicted classes of a model or classifier (in inference mode) for the first `limit` images of a split. */
export async function predictClasses(
  model: tf.LayersModel | Classifier,
  dataset: Pick<Dataset, 'imageShape'>,
  split: Split,
  options: { batchSize?: number; limit?: number } = {},
): Promise<Int32Array> {
  const count = Math.min(split.count, options.limit ?? split.count);
  const batchSize = options.batchSize ?? 256;
  const classifier = 'logits' in model ? model : classifierOf(model);
  const out = new Int32Array(count);
  for (let start = 0; start < count; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, count - start) }, (_, i) => start + i);
    const classes = tf.tidy(() => {
      const { x } = makeBatch(dataset, split, indices);
      return tf.argMax(classifier.logits(x), -1);
    });
    out.set(await classes.data(), start);
    classes.dispose();
  }
  return out;
}

/** Fraction of the first `limit` images of a split that the model classifies correctly. */
export async function accuracy(
  model: tf.LayersModel | Classifier,
  dataset: Pick<Dataset, 'imageShape'>,
  split: Split,
  options: { batchSize?: number; limit?: number } = {},
): Promise<number> {
  const predicted = await predictClasses(model, dataset, split, options);
  let correct = 0;
  predicted.forEach((c, i) => {
    if (c === split.labels[i]) correct++;
  });
  return predicted.length === 0 ? 0 : correct / predicted.length;
}
