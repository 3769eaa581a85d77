import * as tf from '@tensorflow/tfjs';
import { imageAt, type Dataset } from '../trainer/datasets/dataset.js';
import type { Classifier } from '../trainer/models/classifier.js';
import { createRng } from '../core/rng.js';
import { SliceEvaluator } from '../recorder/evaluate.js';
import { sliceGeometry } from '../slices/geometry.js';
import { medianMs as time, topKernels } from './measure.js';

/**
 * Slice figures for a trained classifier: geometry time, full and adaptive frame times at 128×128
 * against plain prediction of as many images, the best evaluation batch size, and geometry at
 * CIFAR size (d = 3072, 512×512). `profile` adds the top kernels of a full frame.
 */
export async function benchSlices(classifier: Classifier, dataset: Dataset, profile: boolean): Promise<void> {
  const [a, b, c] = [0, 1, 2].map((i) => imageAt(dataset, dataset.test, i)) as [
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const geometryMs = await time(() => sliceGeometry(a, b, c, { resolution: 128 }), 9);
  const g = sliceGeometry(a, b, c, { resolution: 128 });
  console.log(
    `slice geometry, d = ${g.d}, 128x128: ${geometryMs.toFixed(1)} ms (${g.width}x${g.height}, ${g.feasibleCount} feasible pixels)`,
  );

  let best = { batch: 0, ms: Infinity };
  for (const batch of [64, 128, 256, 512, 1024]) {
    const evaluator = new SliceEvaluator(g, dataset.imageShape, batch);
    await evaluator.evaluate(classifier);
    const ms = await time(() => evaluator.evaluate(classifier), 3);
    evaluator.dispose();
    console.log(`  full frame, batch ${batch}: ${ms.toFixed(0)} ms`);
    if (ms < best.ms) best = { batch, ms };
  }
  // The reference's batches are made beforehand: slicing them out of one tensor would time the
  // wasm backend's slice, which copies the whole buffer each time (as much as the model).
  const batches: tf.Tensor4D[] = [];
  for (let start = 0; start < g.feasibleCount; start += best.batch)
    batches.push(tf.randomUniform([Math.min(best.batch, g.feasibleCount - start), ...dataset.imageShape]));
  const predictMs = await time(async () => {
    for (const batch of batches) {
      const y = tf.tidy(() => tf.argMax(classifier.logits(batch), -1));
      await y.data();
      y.dispose();
    }
  }, 3);
  tf.dispose(batches);
  console.log(
    `full frame 128x128: ${best.ms.toFixed(0)} ms at batch ${best.batch}; plain prediction of the same ${g.feasibleCount} images: ` +
      `${predictMs.toFixed(0)} ms (overhead ${((best.ms / predictMs - 1) * 100).toFixed(1)}%)`,
  );
  for (const coarse of [4, 8]) {
    const evaluator = new SliceEvaluator(g, dataset.imageShape, best.batch);
    const full = await evaluator.evaluate(classifier);
    const ms = await time(() => evaluator.evaluate(classifier, { kind: 'adaptive', coarse }), 3);
    const adaptive = await evaluator.evaluate(classifier, { kind: 'adaptive', coarse });
    evaluator.dispose();
    let agree = 0;
    for (let p = 0; p < full.labels.length; p++) if (g.feasible[p] && full.labels[p] === adaptive.labels[p]) agree++;
    console.log(
      `adaptive frame (coarse ${coarse}): ${ms.toFixed(0)} ms, ${(ms / best.ms).toFixed(2)} of full, ` +
        `${adaptive.evaluated} pixels evaluated, ${((100 * agree) / g.feasibleCount).toFixed(3)}% agreement`,
    );
  }
  if (profile) {
    const evaluator = new SliceEvaluator(g, dataset.imageShape, best.batch);
    console.log(`  top kernels of a full 128x128 frame:\n${await topKernels(() => evaluator.evaluate(classifier))}`);
    evaluator.dispose();
  }
  const rng = createRng(7);
  const cifar = () => Float64Array.from({ length: 3072 }, () => rng.next());
  const [ca, cb, cc] = [cifar(), cifar(), cifar()];
  const bigMs = await time(() => sliceGeometry(ca, cb, cc, { resolution: 512 }), 5);
  console.log(`slice geometry, d = 3072, 512x512: ${bigMs.toFixed(1)} ms`);
}
