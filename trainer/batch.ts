import * as tf from '@tensorflow/tfjs';
import { cropAndFlip } from './augment.js';
import { imageSize, type Dataset, type Split } from './datasets/dataset.js';
import type { Rng } from '../core/rng.js';

/** Augmentation applied when a training batch is assembled. */
export type Augmentation = { kind: 'none' } | { kind: 'crop-flip'; pad: number };

/**
 * The images at `indices` of a split as a [n, h, w, c] float tensor in [0,1] and their labels as
 * an int32 tensor, augmented when asked (with `rng`).
 */
export function makeBatch(
  dataset: Pick<Dataset, 'imageShape'>,
  split: Split,
  indices: ArrayLike<number>,
  augmentation: Augmentation = { kind: 'none' },
  rng?: Rng,
): { x: tf.Tensor4D; labels: tf.Tensor1D } {
  const d = imageSize(dataset);
  const n = indices.length;
  const bytes = new Uint8Array(n * d);
  for (let i = 0; i < n; i++) {
    const source = split.images.subarray(indices[i]! * d, (indices[i]! + 1) * d);
    if (augmentation.kind === 'crop-flip' && rng) {
      cropAndFlip(source, bytes.subarray(i * d, (i + 1) * d), dataset.imageShape, augmentation.pad, rng);
    } else {
      bytes.set(source, i * d);
    }
  }
  const labels = Int32Array.from({ length: n }, (_, i) => split.labels[indices[i]!]!);
  return tf.tidy(() => ({
    x: tf.div(tf.tensor4d(bytes, [n, ...dataset.imageShape], 'int32'), 255) as tf.Tensor4D,
    labels: tf.tensor1d(labels, 'int32'),
  }));
}
