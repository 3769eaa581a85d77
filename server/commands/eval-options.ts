import type { CommandOptions } from '../options.js';
import { EVAL_ATTACK, MODEL_COMMAND_DEFAULTS, MODEL_COMMAND_TABLE, type ModelCommandConfig } from './common-options.js';

/** `slicewatch eval`: clean and robust accuracy of a checkpoint. */
export interface EvalCommandConfig extends ModelCommandConfig {
  /** `auto` (the strong evaluation), `none`, `strong…` or an attack spec (see parseEvalAttack). */
  attack: string;
  /** Test images in the fixed, seeded subset for robust accuracy. */
  limit: number;
  seed: number;
}

export const EVAL_OPTIONS: CommandOptions<EvalCommandConfig> = {
  defaults: { ...MODEL_COMMAND_DEFAULTS, attack: 'auto', limit: 500, seed: 0 },
  table: {
    ...MODEL_COMMAND_TABLE,
    attack: {
      flag: 'attack',
      arg: 'ATTACK',
      help: "auto (the strong evaluation: per image the worst case of APGD-CE, APGD-DLR and targeted APGD-DLR on 3 targets, 100 iterations, 1 restart, the dataset's Madry ε), strong[-linf|-l2][:eps=E,iters=N,restarts=N,targets=N,seed=N], none, or an attack spec (pgd-linf: Madry's PGD-40 on MNIST)",
      ...EVAL_ATTACK,
    },
    limit: {
      flag: 'limit',
      arg: 'N',
      help: 'test images in the fixed, seeded subset for robust accuracy',
      kind: 'int',
      min: 1,
      max: Infinity,
    },
    seed: { flag: 'seed', arg: 'N', help: 'seed choosing that subset', kind: 'int', min: 0, max: Infinity },
  },
};
