import { InvalidArgumentError } from '../errors.js';
import type { AttackConfig, Norm } from './attack.js';

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
