import * as tf from '@tensorflow/tfjs';
import { mixSeed } from '../../core/rng.js';

/**
 * The paper's "standard 3-layer CNN" for MNIST: conv 3×3×32 – ReLU – max-pool 2, conv 3×3×64 –
 * ReLU – max-pool 2, dense 128 – ReLU, dense to logits. Weights are initialised from `seed`.
 */
export function buildMnistCnn(inputShape: [number, number, number], classes: number, seed: number): tf.LayersModel {
  const init = (i: number) => tf.initializers.glorotUniform({ seed: mixSeed(seed, i) });
  return tf.sequential({
    name: 'cnn',
    layers: [
      tf.layers.conv2d({ inputShape, filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(3) }),
      tf.layers.dense({ units: classes, kernelInitializer: init(4), name: 'logits' }),
    ],
  });
}
