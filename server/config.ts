import { BACKEND_KINDS, type BackendKind } from '../trainer/backend-info.js';
import { assertInRange, assertPositiveInteger } from '../core/assert.js';
import { InvalidArgumentError } from '../core/errors.js';
import { RUN_DEFAULTS, type RunConfig } from '../trainer/run-config.js';

/** `slicewatch train`'s configuration: the run's own settings plus where and how to run it. */
export interface TrainCommandConfig extends RunConfig {
  /** `auto` picks tensorflow → wasm → cpu; SLICEWATCH_BACKEND sets the same. */
  backend: 'auto' | BackendKind;
  /** Run folder; empty = runs/<date-time>. */
  out: string;
  resume: boolean;
  /** Record frames of a slice set after training steps into the store. */
  record: boolean;
  store: string;
  sliceSet: string;
  recordEvery: number;
  recordMode: string;
  recordPolicy: string;
  recordResolution: number;
  sliceModel: string;
}

export const TRAIN_DEFAULTS: TrainCommandConfig = {
  ...RUN_DEFAULTS,
  backend: 'auto',
  out: '',
  resume: false,
  record: false,
  store: 'runs/slicewatch.db',
  sliceSet: '',
  recordEvery: 1,
  recordMode: 'adaptive',
  recordPolicy: 'wait',
  recordResolution: 64,
  sliceModel: '',
};

/** One row of the option table: every config key has a flag, a placeholder and a help sentence. */
export interface OptionSpec {
  flag: string;
  /** Placeholder for the value; absent for boolean switches. */
  arg?: string;
  help: string;
}
export type OptionTable<C> = { [K in keyof C]-?: OptionSpec };

export const TRAIN_OPTIONS: OptionTable<TrainCommandConfig> = {
  dataset: {
    flag: 'dataset',
    arg: 'SPEC',
    help: 'mnist (embedded 10,000 digits), idx:FOLDER (MNIST-format IDX files, e.g. Fashion-MNIST) or cifar10:FOLDER|FILE.tar.gz',
  },
  model: {
    flag: 'model',
    arg: 'NAME',
    help: 'cnn (3-layer MNIST CNN) or wrn-DEPTH-WIDTH[-dropoutP] (Wide ResNet, e.g. wrn-16-2)',
  },
  batchSize: { flag: 'batch-size', arg: 'N', help: 'images per minibatch' },
  steps: { flag: 'steps', arg: 'N', help: 'number of minibatch updates (ignored when --epochs is set)' },
  epochs: { flag: 'epochs', arg: 'E', help: 'train for E epochs instead of --steps (0 = use --steps)' },
  lr: { flag: 'lr', arg: 'RATE', help: 'base learning rate' },
  momentum: { flag: 'momentum', arg: 'MU', help: 'SGD momentum (0 = plain SGD)' },
  nesterov: { flag: 'nesterov', help: 'use Nesterov momentum' },
  weightDecay: {
    flag: 'weight-decay',
    arg: 'LAMBDA',
    help: 'L2 weight decay added to the gradient of kernels (not biases or batch norm)',
  },
  schedule: {
    flag: 'schedule',
    arg: 'KIND',
    help: 'learning-rate schedule: constant, cosine, step (x0.2 at 30/60/80% of the run) or step:FACTOR@EPOCH,EPOCH',
  },
  augment: { flag: 'augment', help: 'random crop with 4-pixel reflect padding and horizontal flip (the CIFAR recipe)' },
  seed: {
    flag: 'seed',
    arg: 'N',
    help: 'seed for weights, data order and augmentation (same seed and backend: same losses)',
  },
  checkpointEvery: {
    flag: 'checkpoint-every',
    arg: 'N',
    help: 'save model and optimizer every N steps (0 = only at the end)',
  },
  evalEvery: { flag: 'eval-every', arg: 'N', help: 'measure test accuracy every N steps (0 = only at the end)' },
  evalLimit: {
    flag: 'eval-limit',
    arg: 'N',
    help: 'test images used by the periodic evaluations (0 = all; the final one uses all)',
  },
  adv: {
    flag: 'adv',
    arg: 'ATTACK',
    help: 'Madry adversarial training with this attack: none, pgd-linf, pgd-l2, fgsm-linf, fgsm-l2 (Madry settings for the dataset; override below or with :eps=E,steps=N,step=S)',
  },
  eps: {
    flag: 'eps',
    arg: 'E',
    help: 'training attack radius ε in [0,1] pixel units (0 = the attack default: 0.3 MNIST, 8/255 CIFAR)',
  },
  advSteps: { flag: 'adv-steps', arg: 'N', help: 'training attack PGD steps (0 = default: 40 MNIST, 7 CIFAR)' },
  advStepSize: {
    flag: 'adv-step-size',
    arg: 'S',
    help: 'training attack PGD step size (0 = default: 0.01 MNIST, 2/255 CIFAR)',
  },
  rho: { flag: 'rho', arg: 'RHO', help: 'weight ρ of the adversarial loss: loss = clean + ρ·adversarial' },
  advOnly: { flag: 'adv-only', help: 'drop the clean loss term (pure Madry training)' },
  mixup: { flag: 'mixup', arg: 'ALPHA', help: 'mixup with λ ~ Beta(α, α) (0 = off; 1.0 is the CIFAR recipe)' },
  evalAttack: {
    flag: 'eval-attack',
    arg: 'ATTACK',
    help: 'robust accuracy at the end of training: auto (the strong evaluation, APGD-CE + APGD-DLR + APGD-T; the periodic checks use PGD with Madry evaluation settings), none, strong[-linf|-l2][:eps=E,iters=N,restarts=N,targets=N] (also for the checks), or an attack spec such as pgd-linf',
  },
  robustLimit: { flag: 'robust-limit', arg: 'N', help: 'test images in the fixed, seeded subset for robust accuracy' },
  backend: { flag: 'backend', arg: 'KIND', help: `compute backend: auto, ${BACKEND_KINDS.join(', ')}` },
  out: { flag: 'out', arg: 'FOLDER', help: 'run folder for run.json and checkpoints (default: runs/DATE-TIME)' },
  resume: { flag: 'resume', help: 'continue the run in --out from its newest checkpoint' },
  record: { flag: 'record', help: 'record the decision regions of a slice set after training steps into the store' },
  store: { flag: 'store', arg: 'FILE', help: 'the run store (SQLite) that recorded runs, scalars and frames go to' },
  sliceSet: {
    flag: 'slice-set',
    arg: 'NAME',
    help: 'slice set to record (default: default-DATASET, created on first use from three test images, a noise slice and, with --slice-model, an adversarial slice)',
  },
  recordEvery: { flag: 'record-every', arg: 'K', help: 'record frames every K steps (1 = every minibatch)' },
  recordMode: { flag: 'record-mode', arg: 'MODE', help: 'full or adaptive slice evaluation while recording' },
  recordPolicy: {
    flag: 'record-policy',
    arg: 'POLICY',
    help: 'when the recorder falls behind: wait (training waits; every step recorded) or newest (record the newest snapshot, count the skipped)',
  },
  recordResolution: {
    flag: 'record-resolution',
    arg: 'N',
    help: 'pixels along the longer side of a new default slice set',
  },
  sliceModel: {
    flag: 'slice-model',
    arg: 'PATH',
    help: "checkpoint the default set's adversarial point is computed against (e.g. a finished baseline)",
  },
};

/** Checks the values that types cannot; throws InvalidArgumentError naming the flag. */
export function validateTrainConfig(config: TrainCommandConfig): void {
  const flag = (key: keyof TrainCommandConfig) => `--${TRAIN_OPTIONS[key].flag}`;
  assertPositiveInteger(flag('batchSize'), config.batchSize);
  assertPositiveInteger(flag('steps'), config.steps);
  assertInRange(flag('epochs'), config.epochs, 0, 1e6);
  assertInRange(flag('lr'), config.lr, 0, 100);
  assertInRange(flag('momentum'), config.momentum, 0, 0.9999);
  assertInRange(flag('weightDecay'), config.weightDecay, 0, 1);
  assertInRange(flag('eps'), config.eps, 0, 1000);
  assertInRange(flag('rho'), config.rho, 0, 1e6);
  assertInRange(flag('mixup'), config.mixup, 0, 1e6);
  assertInRange(flag('advStepSize'), config.advStepSize, 0, 1000);
  for (const key of ['seed', 'checkpointEvery', 'evalEvery', 'evalLimit', 'advSteps', 'robustLimit'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 0) {
      throw new InvalidArgumentError(`expected ${flag(key)} to be a non-negative integer, received ${config[key]}`);
    }
  }
  if (config.resume && config.out === '')
    throw new InvalidArgumentError('--resume needs --out FOLDER naming the run to continue');
}

/** Options shared by the commands that load a trained model. */
export interface ModelCommandConfig {
  /** Checkpoint folder, or a run folder (its newest checkpoint). */
  checkpoint: string;
  /** Dataset spec; empty = the run's own (from its run.json), else mnist. */
  dataset: string;
  backend: 'auto' | BackendKind;
}

/** `slicewatch eval`: clean and robust accuracy of a checkpoint. */
export interface EvalCommandConfig extends ModelCommandConfig {
  /** `auto` (the strong evaluation), `none`, `strong…` or an attack spec (see parseEvalAttack). */
  attack: string;
  /** Test images in the fixed, seeded subset for robust accuracy. */
  limit: number;
  seed: number;
}

/** `slicewatch attack`: adversarial examples for chosen dataset images. */
export interface AttackCommandConfig extends ModelCommandConfig {
  attack: string;
  /** Comma-separated image indices. */
  indices: string;
  split: string;
  /** Comma-separated target classes (one per index, or one for all); empty = untargeted. */
  targets: string;
  out: string;
  /** PNG upscaling factor (nearest neighbour). */
  scale: number;
}

const MODEL_COMMAND_DEFAULTS: ModelCommandConfig = { checkpoint: '', dataset: '', backend: 'auto' };
const MODEL_COMMAND_OPTIONS: OptionTable<ModelCommandConfig> = {
  checkpoint: {
    flag: 'checkpoint',
    arg: 'PATH',
    help: 'checkpoint folder, or a run folder for its newest checkpoint (required)',
  },
  dataset: { flag: 'dataset', arg: 'SPEC', help: "dataset spec (default: the run's own, else mnist)" },
  backend: TRAIN_OPTIONS.backend,
};

export const EVAL_DEFAULTS: EvalCommandConfig = { ...MODEL_COMMAND_DEFAULTS, attack: 'auto', limit: 500, seed: 0 };
export const EVAL_OPTIONS: OptionTable<EvalCommandConfig> = {
  ...MODEL_COMMAND_OPTIONS,
  attack: {
    flag: 'attack',
    arg: 'ATTACK',
    help: "auto (the strong evaluation: per image the worst case of APGD-CE, APGD-DLR and targeted APGD-DLR on 3 targets, 100 iterations, 1 restart, the dataset's Madry ε), strong[-linf|-l2][:eps=E,iters=N,restarts=N,targets=N,seed=N], none, or an attack spec (pgd-linf: Madry's PGD-40 on MNIST)",
  },
  limit: { flag: 'limit', arg: 'N', help: 'test images in the fixed, seeded subset for robust accuracy' },
  seed: { flag: 'seed', arg: 'N', help: 'seed choosing that subset' },
};

export const ATTACK_DEFAULTS: AttackCommandConfig = {
  ...MODEL_COMMAND_DEFAULTS,
  attack: 'auto',
  indices: '0',
  split: 'test',
  targets: '',
  out: 'attacks',
  scale: 4,
};
export const ATTACK_OPTIONS: OptionTable<AttackCommandConfig> = {
  ...MODEL_COMMAND_OPTIONS,
  attack: {
    flag: 'attack',
    arg: 'ATTACK',
    help: "auto (PGD L∞ with Madry's evaluation settings) or pgd-linf, pgd-l2, fgsm-linf, fgsm-l2[:eps=E,steps=N,step=S,seed=N,random=0|1]",
  },
  indices: { flag: 'indices', arg: 'I,J,…', help: 'image indices in the split' },
  split: { flag: 'split', arg: 'SPLIT', help: 'test or train' },
  targets: {
    flag: 'targets',
    arg: 'C,…',
    help: 'target classes for a targeted attack (one, or one per index); empty = untargeted',
  },
  out: {
    flag: 'out',
    arg: 'FOLDER',
    help: 'where to write PNGs, raw vectors (.f32, little-endian float32) and report.json',
  },
  scale: { flag: 'scale', arg: 'N', help: 'PNG upscaling factor, nearest neighbour' },
};

/** Parses a comma-separated list of non-negative integers for a flag. */
export function parseIndexList(flag: string, text: string): number[] {
  const values = text.split(',').map((t) => t.trim());
  const numbers = values.map(Number);
  const bad = values.findIndex((t, i) => t === '' || !Number.isInteger(numbers[i]) || numbers[i]! < 0);
  if (bad >= 0)
    throw new InvalidArgumentError(`expected --${flag} to be comma-separated non-negative integers, received ${text}`);
  return numbers;
}

/** `slicewatch slice`: one slice of a checkpoint, as PNG and JSON. */
export interface SliceCommandConfig extends ModelCommandConfig {
  a: string;
  b: string;
  c: string;
  resolution: number;
  mode: string;
  coarse: number;
  batchSize: number;
  scale: number;
  shade: boolean;
  profileSamples: number;
  out: string;
}

export const SLICE_DEFAULTS: SliceCommandConfig = {
  ...MODEL_COMMAND_DEFAULTS,
  a: 'test:0',
  b: 'adv(test:0;pgd-linf)',
  c: 'grey',
  resolution: 128,
  mode: 'full',
  coarse: 4,
  batchSize: 256,
  scale: 4,
  shade: false,
  profileSamples: 32,
  out: 'slice',
};

const POINT_HELP =
  'test:N, train:N, grey, random:SEED, noise(POINT;linf=M|l2=M;seed=S), adv(POINT;ATTACK[;model=PATH][;target=C])';
export const SLICE_OPTIONS: OptionTable<SliceCommandConfig> = {
  ...MODEL_COMMAND_OPTIONS,
  a: { flag: 'a', arg: 'POINT', help: `first point, the slice's origin: ${POINT_HELP}` },
  b: { flag: 'b', arg: 'POINT', help: 'second point; the s axis runs from a towards b' },
  c: { flag: 'c', arg: 'POINT', help: 'third point (the paper\'s "third point dilemma", section 2.4)' },
  resolution: { flag: 'resolution', arg: 'N', help: 'pixels along the longer side of the slice' },
  mode: {
    flag: 'mode',
    arg: 'MODE',
    help: 'full (every feasible pixel) or adaptive (coarse lattice, refined where labels differ)',
  },
  coarse: { flag: 'coarse', arg: 'N', help: 'adaptive mode: spacing of the first lattice, a power of two' },
  batchSize: { flag: 'batch-size', arg: 'N', help: 'images per model call' },
  scale: { flag: 'scale', arg: 'N', help: 'PNG upscaling factor, nearest neighbour' },
  shade: { flag: 'shade', help: "darken pixels by the model's confidence" },
  profileSamples: {
    flag: 'profile-samples',
    arg: 'N',
    help: 'samples of the probability profiles along a→b, b→c, c→a',
  },
  out: { flag: 'out', arg: 'PATH', help: 'output path without extension: writes PATH.png and PATH.json' },
};

/** `slicewatch church-window`: the paper's Figure 4 grid of local slices around one image. */
export interface ChurchWindowCommandConfig extends ModelCommandConfig {
  point: string;
  attack: string;
  /** Half-width of every window in input-space units (0 = twice the adversarial perturbation's L2 length). */
  halfWidth: number;
  count: number;
  resolution: number;
  batchSize: number;
  scale: number;
  out: string;
}

export const CHURCH_WINDOW_DEFAULTS: ChurchWindowCommandConfig = {
  ...MODEL_COMMAND_DEFAULTS,
  point: 'test:0',
  attack: 'pgd-linf',
  halfWidth: 0,
  count: 12,
  resolution: 64,
  batchSize: 256,
  scale: 2,
  out: 'church-window',
};

export const CHURCH_WINDOW_OPTIONS: OptionTable<ChurchWindowCommandConfig> = {
  ...MODEL_COMMAND_OPTIONS,
  point: { flag: 'point', arg: 'POINT', help: 'the image at the centre of every window (a point spec, as for slice)' },
  attack: { flag: 'attack', arg: 'ATTACK', help: 'attack giving the adversarial direction' },
  halfWidth: {
    flag: 'half-width',
    arg: 'H',
    help: 'half-width of each window in input units (0 = twice the L2 length of the adversarial perturbation)',
  },
  count: { flag: 'count', arg: 'N', help: 'windows per row group: N adversarial-vs-random, then N random-vs-random' },
  resolution: { flag: 'resolution', arg: 'N', help: 'pixels per window side' },
  batchSize: SLICE_OPTIONS.batchSize,
  scale: SLICE_OPTIONS.scale,
  out: SLICE_OPTIONS.out,
};

/** `slicewatch video`: MP4 of recorded runs on recorded slices. */
export interface VideoCommandConfig {
  store: string;
  /** Slice set whose frames to show; empty = the runs' own. */
  sliceSet: string;
  /** Comma-separated run names (their --out folders); several = side by side. */
  runs: string;
  /** Comma-separated slice positions in the set, or `all`. */
  slices: string;
  fps: number;
  scale: number;
  time: string;
  frames: number;
  out: string;
}

export const VIDEO_DEFAULTS: VideoCommandConfig = {
  store: 'runs/slicewatch.db',
  sliceSet: '',
  runs: '',
  slices: '0',
  fps: 24,
  scale: 4,
  time: 'every',
  frames: 240,
  out: 'slicewatch.mp4',
};

export const VIDEO_OPTIONS: OptionTable<VideoCommandConfig> = {
  store: TRAIN_OPTIONS.store,
  sliceSet: {
    flag: 'slice-set',
    arg: 'NAME',
    help: "slice set to show, e.g. one made by rerender (default: the runs' own)",
  },
  runs: {
    flag: 'runs',
    arg: 'A,B,…',
    help: 'recorded runs by name (their --out folder), side by side, synchronised by step (required; all must use the same slice set)',
  },
  slices: { flag: 'slices', arg: 'I,J,…|all', help: 'slices of the set by position, side by side' },
  fps: { flag: 'fps', arg: 'N', help: 'frames per second' },
  scale: { flag: 'scale', arg: 'N', help: 'upscaling of each slice pixel, nearest neighbour' },
  time: {
    flag: 'time',
    arg: 'MAPPING',
    help: 'every (one video frame per recorded step) or log (log-spaced steps, so early changes are visible)',
  },
  frames: { flag: 'frames', arg: 'N', help: 'video frames with --time log' },
  out: { flag: 'out', arg: 'FILE', help: 'the MP4 file to write' },
};

/** `slicewatch demo` (`npm start`): the product's main job on the embedded MNIST digits. */
export interface DemoCommandConfig {
  steps: number;
  warmup: number;
  out: string;
  backend: 'auto' | BackendKind;
}

export const DEMO_DEFAULTS: DemoCommandConfig = { steps: 150, warmup: 50, out: '', backend: 'auto' };

export const DEMO_OPTIONS: OptionTable<DemoCommandConfig> = {
  steps: { flag: 'steps', arg: 'N', help: 'training steps of each of the two recorded runs' },
  warmup: {
    flag: 'warmup',
    arg: 'N',
    help: 'steps of the warm-up model that the adversarial slice is computed against',
  },
  out: { flag: 'out', arg: 'FOLDER', help: 'where runs, the store and the videos go (default: runs/demo-DATE-TIME)' },
  backend: TRAIN_OPTIONS.backend,
};

/** `slicewatch rerender`: a slice chosen after training, rendered through a recorded run's snapshots. */
export interface RerenderCommandConfig {
  store: string;
  run: string;
  a: string;
  b: string;
  c: string;
  name: string;
  resolution: number;
  mode: string;
  backend: 'auto' | BackendKind;
}

export const RERENDER_DEFAULTS: RerenderCommandConfig = {
  store: 'runs/slicewatch.db',
  run: '',
  a: 'test:0',
  b: 'test:1',
  c: 'grey',
  name: '',
  resolution: 64,
  mode: 'adaptive',
  backend: 'auto',
};

export const RERENDER_OPTIONS: OptionTable<RerenderCommandConfig> = {
  store: TRAIN_OPTIONS.store,
  run: {
    flag: 'run',
    arg: 'NAME',
    help: 'a run recorded with --record (its --out folder), whose weight snapshots are rendered (required)',
  },
  a: SLICE_OPTIONS.a,
  b: SLICE_OPTIONS.b,
  c: SLICE_OPTIONS.c,
  name: {
    flag: 'name',
    arg: 'NAME',
    help: 'name of the new slice set (default: rerender-DATE-TIME); pass it to video --slice-set',
  },
  resolution: SLICE_OPTIONS.resolution,
  mode: SLICE_OPTIONS.mode,
  backend: TRAIN_OPTIONS.backend,
};
