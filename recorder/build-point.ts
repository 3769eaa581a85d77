import * as tf from '@tensorflow/tfjs';
import { attack } from '../trainer/attacks/attack.js';
import { parseAttack } from '../trainer/attacks/spec.js';
import { imageAt, imageSize, type Dataset } from '../trainer/datasets/dataset.js';
import { InvalidArgumentError } from '../core/errors.js';
import type { Classifier } from '../trainer/models/classifier.js';
import { greyImage, randomImage, randomPerturbation, formatPoint, type PointSpec } from '../slices/points.js';

/** What building a point needs: the dataset, and the models adversarial points are made against. */
export interface PointContext {
  dataset: Dataset;
  /** `self` or a checkpoint/run folder → a classifier in inference mode. */
  classifier(model: string): Promise<Classifier>;
}

/** A point of H with the spec that rebuilds it. */
export interface BuiltPoint {
  spec: PointSpec;
  vector: Float32Array;
  /** The true class, for dataset images and what is derived from them. */
  label: number | null;
}

/** Builds a point from its spec; the same spec on the same backend gives the same bits. */
export async function buildPoint(spec: PointSpec, context: PointContext): Promise<BuiltPoint> {
  const { dataset } = context;
  const d = imageSize(dataset);
  switch (spec.kind) {
    case 'dataset': {
      const split = dataset[spec.split];
      if (spec.index >= split.count) {
        throw new InvalidArgumentError(
          `invalid point ${formatPoint(spec)}: the ${spec.split} split has ${split.count} images`,
        );
      }
      return { spec, vector: imageAt(dataset, split, spec.index), label: split.labels[spec.index]! };
    }
    case 'grey':
      return { spec, vector: greyImage(d), label: null };
    case 'random':
      return { spec, vector: randomImage(d, spec.seed), label: null };
    case 'noise': {
      const base = await buildPoint(spec.of, context);
      return { spec, vector: randomPerturbation(base.vector, spec.norm, spec.magnitude, spec.seed), label: base.label };
    }
    case 'adversarial': {
      const base = await buildPoint(spec.of, context);
      const classifier = await context.classifier(spec.model);
      const config = parseAttack(spec.attack, dataset.imageShape, 'eval');
      const x = tf.tensor4d(base.vector, [1, ...dataset.imageShape]);
      let label = base.label;
      if (label === undefined || label === null) {
        const predicted = tf.tidy(() => tf.argMax(classifier.logits(x), -1));
        label = (await predicted.data())[0]!;
        predicted.dispose();
      }
      const result = await attack(
        classifier,
        x,
        Int32Array.of(label),
        config,
        spec.target === null ? undefined : Int32Array.of(spec.target),
      );
      const vector = Float32Array.from(await result.adversarial.data());
      tf.dispose([x, result.adversarial]);
      return { spec, vector, label: base.label };
    }
    default: {
      const never: never = spec;
      return never;
    }
  }
}
