import * as tf from '@tensorflow/tfjs';
import { makeBatch, type Augmentation } from './batch.js';
import type { Dataset } from './datasets/dataset.js';
import { TrainingDivergedError } from '../core/errors.js';
import { createRng, mixSeed, permutation } from '../core/rng.js';
import { learningRate, type Schedule } from './schedule.js';
import { SgdMomentum, type SgdOptions } from './optimizer.js';
import { perturb, type AttackConfig } from './attacks/attack.js';
import { classifierOf } from './models/classifier.js';
import { mixup } from './mixup.js';

export interface TrainOptions {
  batchSize: number;
  /** Base learning rate, scaled by the schedule. */
  lr: number;
  schedule: Schedule;
  sgd: SgdOptions;
  augmentation: Augmentation;
  /** Seeds the data order and augmentation; with the model's seed, a run is reproducible. */
  seed: number;
  /** The kind of training: plain, Madry adversarial, or mixup. */
  objective: Objective;
}

/**
 * What each minibatch minimises. `adversarial` is Madry et al.'s eq. 3: the clean loss plus ρ times
 * the loss on PGD examples made at the current weights (without the clean term when `clean` is
 * false: pure Madry training). `mixup` trains on mixed images and labels with λ ~ Beta(α, α).
 */
export type Objective =
  | { kind: 'plain' }
  | { kind: 'adversarial'; attack: AttackConfig; rho: number; clean: boolean }
  | { kind: 'mixup'; alpha: number };

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
  /** Milliseconds spent making adversarial examples for this step (0 unless adversarial). */
  attackMs: number;
}

/** Called after every minibatch with the updated model; training waits for it. */
export type StepObserver = (event: StepResult & { model: tf.LayersModel }) => void | Promise<void>;

/** Mean softmax cross-entropy from logits and one-hot or soft targets (the layers API's version clips and kills gradients). */
export function crossEntropy(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(targets, logits) as tf.Scalar;
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

  /**
   * The minibatch of update `step` as the loss sees it: images, soft targets, and for adversarial
   * training the PGD images appended after the clean ones.
   */
  private async prepareBatch(step: number): Promise<{ x: tf.Tensor4D; targets: tf.Tensor2D; attackMs: number }> {
    const { dataset, model, options } = this;
    const classes = dataset.classNames.length;
    const rng = createRng(mixSeed(options.seed, step, 0x61756774));
    const { x, labels } = makeBatch(dataset, dataset.train, this.batchIndices(step), options.augmentation, rng);
    const targets = tf.tidy(() => tf.oneHot(labels, classes).toFloat() as tf.Tensor2D);
    const objective = options.objective;
    switch (objective.kind) {
      case 'plain':
        labels.dispose();
        return { x, targets, attackMs: 0 };
      case 'mixup': {
        const mixed = mixup(x, targets, objective.alpha, rng);
        tf.dispose([x, targets, labels]);
        return { x: mixed.x, targets: mixed.targets, attackMs: 0 };
      }
      case 'adversarial': {
        const started = performance.now();
        const goal = Int32Array.from(await labels.data());
        const attack =
          objective.attack.kind === 'pgd'
            ? { ...objective.attack, seed: mixSeed(objective.attack.seed, step) }
            : objective.attack;
        const adversarial = await perturb(classifierOf(model), x, goal, attack);
        const attackMs = performance.now() - started;
        const both = tf.tidy(() => ({
          x: tf.concat([x, adversarial]) as tf.Tensor4D,
          targets: tf.concat([targets, targets]) as tf.Tensor2D,
        }));
        tf.dispose([x, targets, labels, adversarial]);
        return { ...both, attackMs };
      }
      default: {
        const never: never = objective;
        return never;
      }
    }
  }

  /** The minibatch loss from logits of the prepared batch. */
  private loss(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
    const objective = this.options.objective;
    if (objective.kind !== 'adversarial') return crossEntropy(logits, targets);
    const n = logits.shape[0] / 2;
    const [clean, adversarial] = tf.split(logits, [n, n]);
    const [cleanTargets] = tf.split(targets, [n, n]);
    const robust = tf.mul(crossEntropy(adversarial!, cleanTargets!), objective.rho);
    return (objective.clean ? tf.add(crossEntropy(clean!, cleanTargets!), robust) : robust) as tf.Scalar;
  }

  /** Runs one minibatch update, then the observers. Throws TrainingDivergedError on a non-finite loss. */
  async runStep(): Promise<StepResult> {
    const { model, options } = this;
    const lr = learningRate(options.schedule, options.lr, this.step / this.stepsPerEpoch);
    const { x, targets, attackMs } = await this.prepareBatch(this.step);
    const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(
      () => this.loss(model.apply(x, { training: true }) as tf.Tensor2D, targets),
      weights,
    );
    const loss = (await value.data())[0]!;
    if (!Number.isFinite(loss)) {
      tf.dispose([x, targets, value, grads]);
      throw new TrainingDivergedError(this.step + 1, loss);
    }
    this.optimizer.apply(
      weights,
      weights.map((w) => grads[w.name]!),
      lr,
    );
    tf.dispose([x, targets, value, grads]);
    this.step++;
    const result: StepResult = { step: this.step, epoch: this.step / this.stepsPerEpoch, loss, lr, attackMs };
    for (const observer of this.observers) await observer({ ...result, model });
    return result;
  }
}
