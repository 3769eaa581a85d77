import type * as tf from '@tensorflow/tfjs';
import { buildMnistCnn } from './mnist-cnn.js';
import type { ModelSpec } from './model-spec.js';
import { buildWideResNet } from './wide-resnet.js';

/** Builds a model that maps images of `inputShape` to `classes` logits, initialised from `seed`. */
export function buildModel(
  spec: ModelSpec,
  inputShape: [number, number, number],
  classes: number,
  seed: number,
): tf.LayersModel {
  switch (spec.kind) {
    case 'cnn':
      return buildMnistCnn(inputShape, classes, seed);
    case 'wrn':
      return buildWideResNet(inputShape, classes, spec, seed);
    default: {
      const never: never = spec;
      return never;
    }
  }
}

/** Number of trainable parameters (the figure papers quote). */
export function trainableParameterCount(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}
