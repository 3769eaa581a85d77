import * as tf from '@tensorflow/tfjs';
import { makeBatch, type Augmentation } from './batch.js';
import type { Dataset } from './datasets/dataset.js';
import { TrainingDivergedError } from './errors.js';
import { createRng, mixSeed, permutation } from './rng.js';
import { learningRate, type Schedule } from './schedule.js';
import { SgdMomentum, type SgdOptions } from './optimizer.js';

export interface TrainOptions {
  batchSize: number;
  /** Base learning rate, scaled by the schedule. */
  lr: number;
  schedule: Schedule;
  sgd: SgdOptions;
  augmentation: Augmentation;
  /** Seeds the data order and augmentation; with the model's seed, a run is reproducible. */
  seed: number;
}

/** What one minibatch update produced: plain numbers. */
export interface StepResult {
  /** Number of updates done so far (1 after the first minibatch). */
  step: number;
  /** Fractional epoch reached: step / steps per epoch. */
  epoch: number;
  /** Mean cross-entropy of the minibatch, before the update. */
  loss: number;
  /** Learning rate used for the update. */
  lr: number;
}

/** Called after every minibatch with the updated model; training waits for it. */
export type StepObserver = (event: StepResult & { model: tf.LayersModel }) => void | Promise<void>;

/** Mean softmax cross-entropy from logits (the layers API's version clips and kills gradients). */
export function crossEntropy(logits: tf.Tensor, labels: tf.Tensor1D, classes: number): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits) as tf.Scalar;
}

/**
 * Minibatch SGD over a dataset's training split. The data order of epoch e is a permutation
 * seeded by (seed, e) and the augmentation of step s is seeded by (seed, s), so the loop can
 * resume at any step and repeat exactly. The last partial batch of an epoch is dropped.
 */
export class TrainLoop {
  /** Updates done so far; set it when resuming from a checkpoint. */
  step = 0;
  private readonly observers = new Set<StepObserver>();
  private epochOrder: { epoch: number; order: Uint32Array } | undefined;

  constructor(
    readonly model: tf.LayersModel,
    readonly dataset: Dataset,
    readonly options: TrainOptions,
    readonly optimizer = new SgdMomentum(options.sgd),
  ) {}

  get stepsPerEpoch(): number {
    return Math.max(1, Math.floor(this.dataset.train.count / this.options.batchSize));
  }

  /** Registers an observer called after every minibatch; returns a function that removes it. */
  observe(observer: StepObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** The training-split indices of the minibatch for update number `step` (0-based). */
  batchIndices(step: number): Uint32Array {
    const { batchSize, seed } = this.options;
    const epoch = Math.floor(step / this.stepsPerEpoch);
    if (this.epochOrder?.epoch !== epoch) {
      this.epochOrder = { epoch, order: permutation(this.dataset.train.count, createRng(mixSeed(seed, epoch))) };
    }
    const start = (step % this.stepsPerEpoch) * batchSize;
    return this.epochOrder.order.subarray(start, start + batchSize);
  }

  /** Runs one minibatch update, then the observers. Throws TrainingDivergedError on a non-finite loss. */
  async runStep(): Promise<StepResult> {
    const { dataset, model, options } = this;
    const lr = learningRate(options.schedule, options.lr, this.step / this.stepsPerEpoch);
    const indices = this.batchIndices(this.step);
    const rng = createRng(mixSeed(options.seed, this.step, 0x61756774));
    const { x, labels } = makeBatch(dataset, dataset.train, indices, options.augmentation, rng);
    const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(
      () => crossEntropy(model.apply(x, { training: true }) as tf.Tensor, labels, dataset.classNames.length),
      weights,
    );
    const loss = (await value.data())[0]!;
    if (!Number.isFinite(loss)) {
      tf.dispose([x, labels, value, grads]);
      throw new TrainingDivergedError(this.step + 1, loss);
    }
    this.optimizer.apply(
      weights,
      weights.map((w) => grads[w.name]!),
      lr,
    );
    tf.dispose([x, labels, value, grads]);
    this.step++;
    const result: StepResult = { step: this.step, epoch: this.step / this.stepsPerEpoch, loss, lr };
    for (const observer of this.observers) await observer({ ...result, model });
    return result;
  }
}
