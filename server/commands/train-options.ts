import { InvalidArgumentError } from '../../core/errors.js';
import type { RecordPolicy } from '../../recorder/worker-recorder.js';
import type { BackendKind } from '../../trainer/backend-info.js';
import { parseModelSpec } from '../../trainer/models/model-spec.js';
import { RUN_DEFAULTS, type RunConfig } from '../../trainer/run-config.js';
import { parseSchedule } from '../../trainer/schedule.js';
import { pickKeys, type CommandOptions } from '../options.js';
import {
  attackKind,
  BACKEND_ROW,
  CHECKPOINTS,
  DATASET,
  EVAL_ATTACK,
  RECORD_MODE_NAMES,
  RESOLUTION,
  storeRow,
  type RecordModeName,
} from './common-options.js';

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
  recordMode: RecordModeName;
  recordPolicy: RecordPolicy;
  recordResolution: number;
  sliceModel: string;
  /** A server to record to (its `/writers` namespace) instead of --store; empty: record locally. */
  server: string;
  /** The server's writer token, for --server. */
  token: string;
}

const RECORD_POLICIES: readonly RecordPolicy[] = ['wait', 'newest'];

/** The run's own part of a train config (what run.json stores), picked by RunConfig's keys. */
export function runConfigOf(config: TrainCommandConfig): RunConfig {
  return pickKeys<RunConfig>(config, RUN_DEFAULTS);
}

export const TRAIN_OPTIONS: CommandOptions<TrainCommandConfig> = {
  defaults: {
    ...RUN_DEFAULTS,
    backend: 'auto',
    out: '',
    resume: false,
    record: false,
    store: 'runs/slicewatch.db',
    sliceSet: '',
    recordEvery: 1,
    recordMode: 'temporal',
    recordPolicy: 'wait',
    recordResolution: 64,
    sliceModel: '',
    server: '',
    token: '',
  },
  table: {
    dataset: {
      flag: 'dataset',
      arg: 'SPEC',
      help: 'mnist (embedded 10,000 digits), idx:FOLDER (MNIST-format IDX files, e.g. Fashion-MNIST) or cifar10:FOLDER|FILE.tar.gz',
      ...DATASET,
    },
    model: {
      flag: 'model',
      arg: 'NAME',
      help: 'cnn (3-layer MNIST CNN) or wrn-DEPTH-WIDTH[-dropoutP] (Wide ResNet, e.g. wrn-16-2)',
      kind: 'custom',
      parse: (text) => {
        parseModelSpec(text);
        return text;
      },
    },
    batchSize: { flag: 'batch-size', arg: 'N', help: 'images per minibatch', kind: 'int', min: 1, max: Infinity },
    steps: {
      flag: 'steps',
      arg: 'N',
      help: 'number of minibatch updates (ignored when --epochs is set)',
      kind: 'int',
      min: 1,
      max: Infinity,
    },
    epochs: {
      flag: 'epochs',
      arg: 'E',
      help: 'train for E epochs instead of --steps (0 = use --steps)',
      kind: 'number',
      min: 0,
      max: 1e6,
    },
    lr: { flag: 'lr', arg: 'RATE', help: 'base learning rate', kind: 'number', min: 0, max: 100 },
    momentum: {
      flag: 'momentum',
      arg: 'MU',
      help: 'SGD momentum (0 = plain SGD)',
      kind: 'number',
      min: 0,
      max: 0.9999,
    },
    nesterov: { flag: 'nesterov', help: 'use Nesterov momentum', kind: 'switch' },
    weightDecay: {
      flag: 'weight-decay',
      arg: 'LAMBDA',
      help: 'L2 weight decay added to the gradient of kernels (not biases or batch norm)',
      kind: 'number',
      min: 0,
      max: 1,
    },
    schedule: {
      flag: 'schedule',
      arg: 'KIND',
      help: 'learning-rate schedule: constant, cosine, step (x0.2 at 30/60/80% of the run) or step:FACTOR@EPOCH,EPOCH',
      kind: 'custom',
      parse: (text) => {
        parseSchedule(text, 1);
        return text;
      },
    },
    augment: {
      flag: 'augment',
      help: 'random crop with 4-pixel reflect padding and horizontal flip (the CIFAR recipe)',
      kind: 'switch',
    },
    seed: {
      flag: 'seed',
      arg: 'N',
      help: 'seed for weights, data order and augmentation (same seed and backend: same losses)',
      kind: 'int',
      min: 0,
      max: Infinity,
    },
    checkpointEvery: {
      flag: 'checkpoint-every',
      arg: 'N',
      help: 'save model and optimizer every N steps (0 = only at the end)',
      kind: 'int',
      min: 0,
      max: Infinity,
    },
    evalEvery: {
      flag: 'eval-every',
      arg: 'N',
      help: 'measure test accuracy every N steps (0 = only at the end)',
      kind: 'int',
      min: 0,
      max: Infinity,
    },
    evalLimit: {
      flag: 'eval-limit',
      arg: 'N',
      help: 'test images used by the periodic evaluations (0 = all; the final one uses all)',
      kind: 'int',
      min: 0,
      max: Infinity,
    },
    adv: {
      flag: 'adv',
      arg: 'ATTACK',
      help: 'Madry adversarial training with this attack: none, pgd-linf, pgd-l2, fgsm-linf, fgsm-l2 (Madry settings for the dataset; override below or with :eps=E,steps=N,step=S)',
      ...attackKind('train', ['none']),
    },
    eps: {
      flag: 'eps',
      arg: 'E',
      help: 'training attack radius ε in [0,1] pixel units (0 = the attack default: 0.3 MNIST, 8/255 CIFAR)',
      kind: 'number',
      min: 0,
      max: 1000,
    },
    advSteps: {
      flag: 'adv-steps',
      arg: 'N',
      help: 'training attack PGD steps (0 = default: 40 MNIST, 7 CIFAR)',
      kind: 'int',
      min: 0,
      max: Infinity,
    },
    advStepSize: {
      flag: 'adv-step-size',
      arg: 'S',
      help: 'training attack PGD step size (0 = default: 0.01 MNIST, 2/255 CIFAR)',
      kind: 'number',
      min: 0,
      max: 1000,
    },
    rho: {
      flag: 'rho',
      arg: 'RHO',
      help: 'weight ρ of the adversarial loss: loss = clean + ρ·adversarial',
      kind: 'number',
      min: 0,
      max: 1e6,
    },
    advOnly: { flag: 'adv-only', help: 'drop the clean loss term (pure Madry training)', kind: 'switch' },
    mixup: {
      flag: 'mixup',
      arg: 'ALPHA',
      help: 'mixup with λ ~ Beta(α, α) (0 = off; 1.0 is the CIFAR recipe)',
      kind: 'number',
      min: 0,
      max: 1e6,
    },
    evalAttack: {
      flag: 'eval-attack',
      arg: 'ATTACK',
      help: 'robust accuracy at the end of training: auto (the strong evaluation, APGD-CE + APGD-DLR + APGD-T; the periodic checks use PGD with Madry evaluation settings), none, strong[-linf|-l2][:eps=E,iters=N,restarts=N,targets=N] (also for the checks), or an attack spec such as pgd-linf',
      ...EVAL_ATTACK,
    },
    robustLimit: {
      flag: 'robust-limit',
      arg: 'N',
      help: 'test images in the fixed, seeded subset for robust accuracy',
      kind: 'int',
      min: 0,
      max: Infinity,
    },
    backend: BACKEND_ROW,
    out: {
      flag: 'out',
      arg: 'FOLDER',
      help: 'run folder for run.json and checkpoints (default: runs/DATE-TIME)',
      kind: 'path',
      role: 'output-folder',
    },
    resume: { flag: 'resume', help: 'continue the run in --out from its newest checkpoint', kind: 'switch' },
    record: {
      flag: 'record',
      help: 'record the decision regions of a slice set after training steps into the store',
      kind: 'switch',
    },
    store: storeRow('output-file'),
    sliceSet: {
      flag: 'slice-set',
      arg: 'NAME',
      help: 'slice set to record (default: default-DATASET, created on first use from three test images, a noise slice and, with --slice-model, an adversarial slice)',
      kind: 'string',
    },
    recordEvery: {
      flag: 'record-every',
      arg: 'K',
      help: 'record frames every K steps (1 = every minibatch)',
      kind: 'int',
      min: 1,
      max: Infinity,
    },
    recordMode: {
      flag: 'record-mode',
      arg: 'MODE',
      help: 'slice evaluation while recording: temporal (predicts each frame from the previous one and evaluates only the pixels the prediction cannot vouch for; every pixel on every 64th frame), full (every pixel) or adaptive (coarse lattice, refined where labels differ)',
      kind: 'enum',
      values: RECORD_MODE_NAMES,
    },
    recordPolicy: {
      flag: 'record-policy',
      arg: 'POLICY',
      help: 'when the recorder falls behind: wait (training waits; every step recorded) or newest (record the newest snapshot, count the skipped)',
      kind: 'enum',
      values: RECORD_POLICIES,
    },
    recordResolution: {
      flag: 'record-resolution',
      arg: 'N',
      help: 'pixels along the longer side of a new default slice set',
      ...RESOLUTION,
    },
    sliceModel: {
      flag: 'slice-model',
      arg: 'PATH',
      help: "checkpoint the default set's adversarial point is computed against (e.g. a finished baseline)",
      ...CHECKPOINTS,
    },
    server: {
      flag: 'server',
      arg: 'URL',
      help: 'record to this slicewatch server instead of --store, spooling to OUT/spool.db while it is unreachable (default: record locally)',
      kind: 'string',
    },
    token: { flag: 'token', arg: 'T', help: "the server's writer token, for --server", kind: 'string' },
  },
  check: (config) => {
    if (config.resume && config.out === '')
      throw new InvalidArgumentError('--resume needs --out FOLDER naming the run to continue');
    if (config.adv !== 'none' && config.mixup > 0)
      throw new InvalidArgumentError('--adv and --mixup cannot be combined; choose one kind of training');
    if (config.server !== '' && !/^https?:\/\/[^/]+/.test(config.server))
      throw new InvalidArgumentError(`invalid --server: ${config.server}; expected http://HOST:PORT`);
    if (config.server !== '' && config.token === '')
      throw new InvalidArgumentError('--server needs --token T, the writer token the server was started with');
  },
};
