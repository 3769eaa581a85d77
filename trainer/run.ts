import type * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointPath, latestCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import type { Dataset } from './datasets/dataset.js';
import { loadDataset } from './datasets/load.js';
import { InvalidArgumentError } from '../core/errors.js';
import { accuracy } from './evaluate.js';
import { buildModel, trainableParameterCount } from './models/build.js';
import { parseModelSpec } from './models/model-spec.js';
import { parseSchedule } from './schedule.js';
import { TrainLoop, type Objective, type StepObserver, type StepResult } from './train-loop.js';
import { evaluateRobustness, type EvalAttack, type Robustness } from './attacks/robustness.js';
import { defaultAttack, describeEvalAttack, parseAttack, parseEvalAttack } from './attacks/spec.js';
import { classifierOf } from './models/classifier.js';
import type { RunConfig } from './run-config.js';

/** Progress of a run, for a terminal, a log or (later) a dashboard. */
export type TrainEvent =
  | { kind: 'start'; totalSteps: number; stepsPerEpoch: number; parameters: number; resumedAt: number }
  | { kind: 'step'; result: StepResult; totalSteps: number; examplesPerSecond: number; etaSeconds: number }
  | {
      kind: 'eval';
      step: number;
      testAccuracy: number;
      images: number;
      robust: (Robustness & { attack: string }) | null;
      /** The end-of-run evaluation (whole test split, the strong attack), not a periodic check. */
      final: boolean;
    }
  | { kind: 'checkpoint'; step: number; path: string }
  | { kind: 'done'; step: number; testAccuracy: number; seconds: number }
  | { kind: 'stopped'; step: number; totalSteps: number };

export interface RunOptions {
  /** The run folder: checkpoints/ goes inside. */
  out: string;
  /** Continue the run in `out` from its newest checkpoint (from step 0 when it has none yet). */
  resume?: boolean;
  /** Called before each checkpoint is written; a checkpoint is written only once it resolves. */
  beforeCheckpoint?: (step: number) => Promise<void>;
  onEvent?: (event: TrainEvent) => void;
  observers?: StepObserver[];
  /** Milliseconds since some origin; the wall clock by default. */
  now?: () => number;
  /** Aborting stops the run after the current step, with a checkpoint there and no final evaluation. */
  signal?: AbortSignal;
}

/** A run's planned length in steps: epochs × steps per epoch (whole minibatches), or the steps. */
export function totalSteps(config: RunConfig, stepsPerEpoch: number): number {
  return config.epochs > 0 ? Math.round(config.epochs * stepsPerEpoch) : config.steps;
}

/** The training objective a config asks for; throws when it asks for two at once. */
export function objectiveOf(config: RunConfig, imageShape: readonly number[]): Objective {
  if (config.adv !== 'none' && config.mixup > 0) {
    throw new InvalidArgumentError('--adv and --mixup cannot be combined; choose one kind of training');
  }
  if (config.mixup > 0) return { kind: 'mixup', alpha: config.mixup };
  if (config.adv === 'none') return { kind: 'plain' };
  const attack = parseAttack(config.adv, imageShape, 'train');
  if (config.eps > 0) attack.eps = config.eps;
  if (attack.kind === 'pgd') {
    if (config.advSteps > 0) attack.steps = config.advSteps;
    if (config.advStepSize > 0) attack.stepSize = config.advStepSize;
  }
  return { kind: 'adversarial', attack, rho: config.rho, clean: !config.advOnly };
}

/**
 * What robust accuracy is measured with at the end of the run (`final`) and in the periodic checks
 * (`check`): for `auto` the strong evaluation and the cheap PGD with Madry's evaluation settings;
 * otherwise the one choice for both. Undefined for none.
 */
export function evalAttackOf(
  config: RunConfig,
  imageShape: readonly number[],
): { final: EvalAttack; check: EvalAttack } | undefined {
  if (config.evalAttack === 'none') return undefined;
  const final = parseEvalAttack(config.evalAttack, imageShape);
  return { final, check: config.evalAttack === 'auto' ? defaultAttack('pgd', 'linf', imageShape, 'eval') : final };
}

/** Builds the training loop a config describes, with a fresh model or one from a checkpoint. */
async function prepareLoop(config: RunConfig, dataset: Dataset, checkpoint?: string): Promise<TrainLoop> {
  const spec = parseModelSpec(config.model);
  const stepsPerEpoch = Math.max(1, Math.floor(dataset.train.count / config.batchSize));
  const options = {
    batchSize: config.batchSize,
    lr: config.lr,
    schedule: parseSchedule(config.schedule, totalSteps(config, stepsPerEpoch) / stepsPerEpoch),
    sgd: { momentum: config.momentum, nesterov: config.nesterov, weightDecay: config.weightDecay },
    augmentation: config.augment ? ({ kind: 'crop-flip', pad: 4 } as const) : ({ kind: 'none' } as const),
    seed: config.seed,
    objective: objectiveOf(config, dataset.imageShape),
  };
  if (checkpoint === undefined) {
    return new TrainLoop(
      buildModel(spec, dataset.imageShape, dataset.classNames.length, config.seed),
      dataset,
      options,
    );
  }
  const saved = await loadCheckpoint(checkpoint);
  const loop = new TrainLoop(saved.model, dataset, options);
  loop.optimizer.setState(saved.optimizerState, saved.meta.optimizerShapes);
  loop.step = saved.meta.step;
  return loop;
}

/**
 * Runs (or resumes) a training run: the loop, test accuracy on the evaluation schedule, and
 * checkpoints every `checkpointEvery` steps and at the end. Reports through `onEvent`; writes
 * nothing but the checkpoints. Returns the final test accuracy on the whole test split.
 */
export async function runTraining(
  config: RunConfig,
  options: RunOptions,
): Promise<{ model: tf.LayersModel; testAccuracy: number; stopped: boolean }> {
  const { out, onEvent = () => {}, now = () => performance.now() } = options;
  const checkpoints = join(out, 'checkpoints');
  // A run killed before its first checkpoint starts again from step 0: same seed, same data order.
  const resumeFrom = options.resume ? latestCheckpoint(checkpoints) : undefined;
  const dataset = loadDataset(config.dataset);
  parseModelSpec(config.model);
  objectiveOf(config, dataset.imageShape);
  const evalAttack = evalAttackOf(config, dataset.imageShape);
  mkdirSync(out, { recursive: true });
  const loop = await prepareLoop(config, dataset, resumeFrom);
  for (const observer of options.observers ?? []) loop.observe(observer);
  const total = totalSteps(config, loop.stepsPerEpoch);
  onEvent({
    kind: 'start',
    totalSteps: total,
    stepsPerEpoch: loop.stepsPerEpoch,
    parameters: trainableParameterCount(loop.model),
    resumedAt: loop.step,
  });

  const checkpoint = async () => {
    await options.beforeCheckpoint?.(loop.step);
    const path = await saveCheckpoint(checkpoints, loop.model, await loop.optimizer.readState(), loop.step);
    onEvent({ kind: 'checkpoint', step: loop.step, path });
  };
  const evaluate = async (limit: number, final: boolean) => {
    const testAccuracy = await accuracy(loop.model, dataset, dataset.test, { limit });
    const attack = final ? evalAttack?.final : evalAttack?.check;
    const robust = attack
      ? {
          ...(await evaluateRobustness(classifierOf(loop.model), dataset, attack, {
            limit: config.robustLimit,
            seed: config.seed,
          })),
          attack: `${describeEvalAttack(attack)}${attack === evalAttack?.final ? '' : ' (cheap in-training check)'}`,
        }
      : null;
    onEvent({
      kind: 'eval',
      step: loop.step,
      testAccuracy,
      images: Math.min(limit, dataset.test.count),
      robust,
      final,
    });
    return { testAccuracy, robustAccuracy: robust?.robustAccuracy ?? null };
  };
  const started = now();
  const firstStep = loop.step;
  try {
    while (loop.step < total && !options.signal?.aborted) {
      const result = await loop.runStep();
      // A step awaits only promises that are already settled when everything runs in this thread
      // (wasm, in-process recording): give the event loop a turn, or Ctrl-C, SIGTERM, the store's
      // heartbeat and any socket would wait for the end of training.
      await new Promise((resolve) => setImmediate(resolve));
      const elapsed = (now() - started) / 1000;
      const done = loop.step - firstStep;
      onEvent({
        kind: 'step',
        result,
        totalSteps: total,
        examplesPerSecond: (done * config.batchSize) / Math.max(elapsed, 1e-9),
        etaSeconds: (elapsed / done) * (total - loop.step),
      });
      if (config.evalEvery > 0 && loop.step % config.evalEvery === 0 && loop.step < total) {
        await evaluate(config.evalLimit > 0 ? config.evalLimit : dataset.test.count, false);
      }
      if (config.checkpointEvery > 0 && loop.step % config.checkpointEvery === 0 && loop.step < total) {
        await checkpoint();
      }
    }
    if (!existsSync(checkpointPath(checkpoints, loop.step))) await checkpoint();
    if (loop.step < total) {
      onEvent({ kind: 'stopped', step: loop.step, totalSteps: total });
      return { model: loop.model, testAccuracy: NaN, stopped: true };
    }
    const { testAccuracy } = await evaluate(dataset.test.count, true);
    onEvent({ kind: 'done', step: loop.step, testAccuracy, seconds: (now() - started) / 1000 });
    return { model: loop.model, testAccuracy, stopped: false };
  } finally {
    loop.optimizer.dispose();
  }
}
