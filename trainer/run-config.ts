/**
 * A training run's configuration: pure data, environment-neutral, so the store, the server and the
 * dashboard share it.
 */
/** Everything that defines a training run; stored in the run folder's run.json. */
export interface RunConfig {
  /** `mnist`, `idx:<folder>` or `cifar10:<folder or .tar.gz>`. */
  dataset: string;
  /** `cnn` or `wrn-D-K`. */
  model: string;
  batchSize: number;
  /** Number of minibatch updates; with `epochs` > 0, epochs × steps per epoch instead. */
  steps: number;
  epochs: number;
  lr: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  /** `constant`, `step`, `step:F@E1,E2`, `cosine`. */
  schedule: string;
  /** Random crop (4-pixel reflect padding) and horizontal flip. */
  augment: boolean;
  seed: number;
  /** Save a checkpoint every this many steps (0 = only at the end). */
  checkpointEvery: number;
  /** Evaluate test accuracy every this many steps (0 = only at the end). */
  evalEvery: number;
  /** Number of test images used by the periodic evaluations (0 = all); the final one uses all. */
  evalLimit: number;
  /** Adversarial training attack, `none` or KIND-NORM[:key=value,…] (see parseAttack). */
  adv: string;
  /** Overrides of the training attack's ε, steps and step size (0 = the attack's own or default). */
  eps: number;
  advSteps: number;
  advStepSize: number;
  /** Weight ρ of the adversarial loss (eq. 3). */
  rho: number;
  /** Drop the clean loss term: pure Madry training. */
  advOnly: boolean;
  /** Mixup α (0 = no mixup). */
  mixup: number;
  /**
   * Robust accuracy: `auto` (the strong evaluation at the end, Madry's PGD in the periodic checks),
   * `none`, or a spec for both (see parseEvalAttack).
   */
  evalAttack: string;
  /** Test images in the fixed, seeded subset robust accuracy is measured on. */
  robustLimit: number;
  /**
   * How the run's frames were evaluated when it was recorded: `temporal` (the default), `full` or `adaptive`;
   * absent for runs trained without --record (and runs recorded before it was kept).
   */
  recordMode?: 'full' | 'adaptive' | 'temporal';
}

/** The defaults: a short MNIST CNN run, robust accuracy under the strong evaluation on 100 test images. */
export const RUN_DEFAULTS: RunConfig = {
  dataset: 'mnist',
  model: 'cnn',
  batchSize: 64,
  steps: 300,
  epochs: 0,
  lr: 0.05,
  momentum: 0.9,
  nesterov: false,
  weightDecay: 5e-4,
  schedule: 'constant',
  augment: false,
  seed: 1,
  checkpointEvery: 1000,
  evalEvery: 100,
  evalLimit: 500,
  adv: 'none',
  eps: 0,
  advSteps: 0,
  advStepSize: 0,
  rho: 1,
  advOnly: false,
  mixup: 0,
  evalAttack: 'auto',
  robustLimit: 100,
};
