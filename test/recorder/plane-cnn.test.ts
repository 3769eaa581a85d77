import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import { initBackend } from '../../trainer/backend.js';
import { imageAt, type Dataset } from '../../trainer/datasets/dataset.js';
import { loadDataset } from '../../trainer/datasets/load.js';
import { buildModel } from '../../trainer/models/build.js';
import { classifierOf } from '../../trainer/models/classifier.js';
import { parseModelSpec } from '../../trainer/models/model-spec.js';
import { randomPerturbation } from '../../slices/points.js';
import { pixelToPlane, pixelToPoint, sliceGeometry, type SliceGeometry } from '../../slices/geometry.js';
import { planeNetworkOf, SlicePlane } from '../../recorder/plane-cnn.js';
import { SliceEvaluator, TEMPORAL_DEFAULTS } from '../../recorder/evaluate.js';
import { ModelBatch } from '../../recorder/model-batch.js';
import { trainedMnistCnn } from '../fixtures/mnist-cnn.js';

let mnist: Dataset;
let model: tf.LayersModel;

beforeAll(async () => {
  await initBackend('wasm');
  mnist = loadDataset('mnist');
  // Trained at lr 0.05 for 30 steps: the regions are busy, as early in a recorded run.
  model = (await trainedMnistCnn(mnist, 30)).model;
}, 300_000);

/** Row-major indices of the feasible pixels of a slice. */
const feasiblePixels = (g: SliceGeometry) => [...g.feasible.keys()].filter((p) => g.feasible[p]);

/** The model's own logits at the points of listed pixels, image by image. */
function modelLogits(g: SliceGeometry, pixels: number[]): Float32Array {
  const images = new Float32Array(pixels.length * g.d);
  pixels.forEach((p, k) => images.set(pixelToPoint(g, p % g.width, Math.floor(p / g.width)), k * g.d));
  return tf
    .tidy(() => model.predict(tf.tensor4d(images, [pixels.length, ...mnist.imageShape])) as tf.Tensor)
    .dataSync() as Float32Array;
}

/** Walks the pixels in the given order through the plane form; the head's logits. */
async function planeLogits(g: SliceGeometry, pixels: number[]): Promise<Float32Array> {
  const network = planeNetworkOf(model)!;
  const plane = await SlicePlane.create(g, mnist.imageShape);
  plane.load(network);
  const coords = new Float32Array(2 * pixels.length);
  pixels.forEach((p, k) => coords.set(pixelToPlane(g, p % g.width, Math.floor(p / g.width)), 2 * k));
  const features = await plane.features(coords);
  return tf
    .tidy(() => network.head.logits(tf.tensor4d(features, [pixels.length, ...network.featureShape])))
    .dataSync() as Float32Array;
}

function largestDifference(x: Float32Array, y: Float32Array): number {
  return x.reduce((worst, v, i) => Math.max(worst, Math.abs(v - y[i]!)), 0);
}

test('the plane form of the MNIST CNN gives the model’s own logits, walked row by row or jumping', async () => {
  const [a, b, c] = [0, 1, 2].map((i) => imageAt(mnist, mnist.test, i)) as [Float32Array, Float32Array, Float32Array];
  const noisy = randomPerturbation(a, 'linf', 0.3, 7);
  for (const g of [sliceGeometry(a, b, c, { resolution: 48 }), sliceGeometry(a, noisy, b, { resolution: 40 })]) {
    const pixels = feasiblePixels(g);
    const reference = modelLogits(g, pixels);
    // Row-major order: neighbours after each other, a jump at each row's end.
    expect(largestDifference(await planeLogits(g, pixels), reference)).toBeLessThan(1e-4);
    // Every 7th pixel in a shuffled order: every step a jump across the slice.
    const shuffled = pixels.filter((_, k) => k % 7 === 0).sort((p, q) => ((p * 7919) % 1031) - ((q * 7919) % 1031));
    expect(largestDifference(await planeLogits(g, shuffled), modelLogits(g, shuffled))).toBeLessThan(1e-4);
  }
});

test('only a conv – pool – conv – pool model with ReLU, valid padding and channels in fours has a plane form', () => {
  expect(planeNetworkOf(model)?.featureShape).toEqual([5, 5, 64]);
  expect(planeNetworkOf(buildModel(parseModelSpec('wrn-10-1'), [32, 32, 3], 10, 1))).toBeUndefined();
  const same = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }),
    ],
  });
  expect(planeNetworkOf(same)).toBeUndefined();
  same.dispose();
});

test('temporal evaluation through the plane form labels every pixel as through the images', async () => {
  const [a, b, c] = [3, 4, 5].map((i) => imageAt(mnist, mnist.test, i)) as [Float32Array, Float32Array, Float32Array];
  const g = sliceGeometry(a, b, c, { resolution: 48 });
  const loop = await trainedMnistCnn(mnist, 5);
  const viaPlane = new SliceEvaluator(g, mnist.imageShape);
  const viaImages = new SliceEvaluator(g, mnist.imageShape, 256, false);
  const mode = { kind: 'temporal', every: 64, profileEvery: 4, lattice: 8, kappa: 1.5 } as const;
  let evaluated = 0;
  for (let step = 0; step < 6; step++) {
    const classifier = classifierOf(loop.model);
    const [plane, images] = [await viaPlane.evaluate(classifier, mode), await viaImages.evaluate(classifier, mode)];
    const differing = plane.labels.filter((label, p) => label !== images.labels[p]).length;
    expect(differing).toBeLessThanOrEqual(1);
    if (step > 0) evaluated += plane.evaluated;
    await loop.runStep();
  }
  // Not vacuous: after the first frame the tracker sent pixels to be evaluated.
  expect(evaluated).toBeGreaterThan(0);
  viaPlane.dispose();
  viaImages.dispose();
});

test('profiles walked through the plane form give the images’ log-probabilities, beside a pixel walk in its own slot', async () => {
  const [a, b, c] = [6, 7, 8].map((i) => imageAt(mnist, mnist.test, i)) as [Float32Array, Float32Array, Float32Array];
  const g = sliceGeometry(a, b, c, { resolution: 32 });
  // More profile points (600) than feasible pixels (458): in one region, either walk would overwrite the other's outputs.
  const SAMPLES = 200;
  const classifier = classifierOf(model);
  const profiles = async (evaluator: SliceEvaluator) => {
    const batch = new ModelBatch(classifier, 2);
    // The frame's pixels (the full temporal refresh, walked) and its profile, at once, as evaluateFrames asks them.
    const [pixels, profile] = await Promise.all([
      batch.join(() => evaluator.evaluateIn(batch, { ...TEMPORAL_DEFAULTS }, true)),
      batch.join(() => evaluator.profileIn(batch, { a, b, c }, SAMPLES)),
    ]);
    return { pixels, profile };
  };
  const viaPlane = new SliceEvaluator(g, mnist.imageShape);
  const viaImages = new SliceEvaluator(g, mnist.imageShape, 256, false);
  const [plane, images] = [await profiles(viaPlane), await profiles(viaImages)];
  expect(plane.profile).toHaveLength(3 * SAMPLES * 10);
  expect(largestDifference(plane.profile, images.profile)).toBeLessThan(1e-4);
  // The pixel walk's outputs stayed its own while the profile walked.
  expect(plane.pixels.evaluated).toBe(g.feasibleCount);
  expect(plane.pixels.labels.filter((label, p) => label !== images.pixels.labels[p]).length).toBeLessThanOrEqual(1);
  viaPlane.dispose();
  viaImages.dispose();
});
