import * as tf from '@tensorflow/tfjs';
import { makeBatch } from './batch.js';
import type { Dataset, Split } from './datasets/dataset.js';

/** Predicted classes of the model (in inference mode) for the first `limit` images of a split. */
export async function predictClasses(
  model: tf.LayersModel,
  dataset: Pick<Dataset, 'imageShape'>,
  split: Split,
  options: { batchSize?: number; limit?: number } = {},
): Promise<Int32Array> {
  const count = Math.min(split.count, options.limit ?? split.count);
  const batchSize = options.batchSize ?? 256;
  const out = new Int32Array(count);
  for (let start = 0; start < count; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, count - start) }, (_, i) => start + i);
    const classes = tf.tidy(() => {
      const { x } = makeBatch(dataset, split, indices);
      return tf.argMax(model.predict(x) as tf.Tensor, -1);
    });
    out.set(await classes.data(), start);
    classes.dispose();
  }
  return out;
}

/** Fraction of the first `limit` images of a split that the model classifies correctly. */
export async function accuracy(
  model: tf.LayersModel,
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
