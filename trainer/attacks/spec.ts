import { InvalidArgumentError } from '../../core/errors.js';
import type { AttackConfig, Norm } from './attack.js';
import type { EvalAttack } from './robustness.js';
import { describeStrong, validateStrong, type StrongConfig } from './strong.js';

export type AttackPurpose = 'train' | 'eval';

/**
 * Madry et al.'s published settings for the dataset's kind of image: MNIST-like (one channel) ε 0.3,
 * step 0.01, 40 steps; CIFAR-like ε 8/255, step 2/255, 7 steps for training and 20 for evaluation.
 * L2 attacks use ε 2 (MNIST-like) or 0.5 (CIFAR-like) with step 2.5·ε/steps.
 */
export function defaultAttack(
  kind: AttackConfig['kind'],
  norm: Norm,
  imageShape: readonly number[],
  purpose: AttackPurpose,
): AttackConfig {
  const mnistLike = imageShape[2] === 1;
  const steps = mnistLike ? 40 : purpose === 'train' ? 7 : 20;
  const eps = norm === 'linf' ? (mnistLike ? 0.3 : 8 / 255) : mnistLike ? 2 : 0.5;
  const stepSize = norm === 'linf' ? (mnistLike ? 0.01 : 2 / 255) : (2.5 * eps) / steps;
  return kind === 'fgsm' ? { kind, norm, eps } : { kind, norm, eps, stepSize, steps, randomStart: true, seed: 0 };
}

const KEYS: Record<string, string> = {
  eps: 'eps',
  steps: 'steps',
  step: 'stepSize',
  seed: 'seed',
  random: 'randomStart',
};

/**
 * Parses `KIND-NORM[:key=value,…]`, e.g. `pgd-linf`, `fgsm-l2:eps=1`, `pgd-linf:eps=0.1,steps=10,step=0.02,seed=3,random=0`.
 * Unset keys take the dataset's defaults (defaultAttack).
 */
export function parseAttack(text: string, imageShape: readonly number[], purpose: AttackPurpose): AttackConfig {
  const match = /^(pgd|fgsm)-(linf|l2)(?::(.*))?$/.exec(text);
  if (!match) {
    throw new InvalidArgumentError(
      `invalid attack: ${text}; expected pgd-linf, pgd-l2, fgsm-linf or fgsm-l2, optionally :eps=E,steps=N,step=S,seed=N,random=0|1`,
    );
  }
  const config: Record<string, unknown> = {
    ...defaultAttack(match[1] as AttackConfig['kind'], match[2] as Norm, imageShape, purpose),
  };
  for (const pair of (match[3] ?? '').split(',').filter((p) => p !== '')) {
    const [key = '', value = ''] = pair.split('=');
    const field = KEYS[key];
    const n = Number(value);
    if (field === undefined || !(field in config) || value === '' || !Number.isFinite(n)) {
      throw new InvalidArgumentError(
        `invalid attack parameter: ${pair} in ${text}; expected eps, steps, step, seed or random (pgd only) with a number`,
      );
    }
    config[field] = field === 'randomStart' ? n !== 0 : n;
  }
  return config as AttackConfig;
}

/** The canonical text of an attack, which parseAttack reads back to the same config. */
export function formatAttack(config: AttackConfig): string {
  const head = `${config.kind}-${config.norm}:eps=${config.eps}`;
  return config.kind === 'fgsm'
    ? head
    : `${head},steps=${config.steps},step=${config.stepSize},seed=${config.seed},random=${config.randomStart ? 1 : 0}`;
}

/**
 * The strong evaluation's defaults: the dataset's Madry radius (as defaultAttack), 100 APGD
 * iterations, 1 restart, 3 target classes for targeted APGD-DLR, seed 0.
 */
export function defaultStrong(norm: Norm, imageShape: readonly number[]): StrongConfig {
  const { eps } = defaultAttack('fgsm', norm, imageShape, 'eval');
  return { kind: 'strong', norm, eps, iterations: 100, restarts: 1, targets: 3, seed: 0 };
}

const STRONG_KEYS: Record<string, keyof StrongConfig> = {
  eps: 'eps',
  iters: 'iterations',
  restarts: 'restarts',
  targets: 'targets',
  seed: 'seed',
};

/**
 * Parses what robust accuracy is measured with: `auto` or `strong` (the strong evaluation, L∞),
 * `strong-linf` or `strong-l2` with optional `:eps=E,iters=N,restarts=N,targets=N,seed=N`, or an
 * attack spec (parseAttack), e.g. `pgd-linf` for Madry's PGD-40 on MNIST.
 */
export function parseEvalAttack(text: string, imageShape: readonly number[]): EvalAttack {
  const match = /^(?:auto|strong(?:-(linf|l2))?(?::(.*))?)$/.exec(text);
  if (!match) return parseAttack(text, imageShape, 'eval');
  const config = defaultStrong((match[1] ?? 'linf') as Norm, imageShape);
  for (const pair of (match[2] ?? '').split(',').filter((p) => p !== '')) {
    const [key = '', value = ''] = pair.split('=');
    const field = STRONG_KEYS[key];
    const n = Number(value);
    if (field === undefined || value === '' || !Number.isFinite(n)) {
      throw new InvalidArgumentError(
        `invalid attack parameter: ${pair} in ${text}; expected eps, iters, restarts, targets or seed with a number`,
      );
    }
    (config as unknown as Record<string, number>)[field] = n;
  }
  validateStrong(config);
  return config;
}

/** The canonical text of what robust accuracy is measured with, which parseEvalAttack reads back. */
export function formatEvalAttack(config: EvalAttack): string {
  if (config.kind !== 'strong') return formatAttack(config);
  const { norm, eps, iterations, restarts, targets, seed } = config;
  return `strong-${norm}:eps=${eps},iters=${iterations},restarts=${restarts},targets=${targets},seed=${seed}`;
}

/**
 * The name and budget printed with every robust accuracy: the attack spec for PGD and FGSM, and
 * for the strong evaluation e.g. `apgd-ce+apgd-dlr+apgd-t(3) linf eps=0.3, 100 iters, 1 restart`.
 */
export function describeEvalAttack(config: EvalAttack): string {
  return config.kind === 'strong' ? describeStrong(config) : formatAttack(config);
}
