import type { CommandOptions } from '../options.js';
import {
  attackKind,
  indexList,
  MODEL_COMMAND_DEFAULTS,
  MODEL_COMMAND_TABLE,
  SCALE,
  type ModelCommandConfig,
} from './common-options.js';

/** `slicewatch attack`: adversarial examples for chosen dataset images. */
export interface AttackCommandConfig extends ModelCommandConfig {
  /** `auto` (PGD L∞ with Madry's evaluation settings) or an attack spec. */
  attack: string;
  /** Image indices in the split. */
  indices: number[];
  split: 'test' | 'train';
  /** Target classes (one per index, or one for all); empty = untargeted. */
  targets: number[];
  out: string;
  /** PNG upscaling factor (nearest neighbour). */
  scale: number;
}

export const ATTACK_OPTIONS: CommandOptions<AttackCommandConfig> = {
  defaults: {
    ...MODEL_COMMAND_DEFAULTS,
    attack: 'auto',
    indices: [0],
    split: 'test',
    targets: [],
    out: 'attacks',
    scale: 4,
  },
  table: {
    ...MODEL_COMMAND_TABLE,
    attack: {
      flag: 'attack',
      arg: 'ATTACK',
      help: "auto (PGD L∞ with Madry's evaluation settings) or pgd-linf, pgd-l2, fgsm-linf, fgsm-l2[:eps=E,steps=N,step=S,seed=N,random=0|1]",
      ...attackKind('eval', ['auto']),
    },
    indices: { flag: 'indices', arg: 'I,J,…', help: 'image indices in the split', ...indexList(false) },
    split: { flag: 'split', arg: 'SPLIT', help: 'test or train', kind: 'enum', values: ['test', 'train'] },
    targets: {
      flag: 'targets',
      arg: 'C,…',
      help: 'target classes for a targeted attack (one, or one per index); empty = untargeted',
      ...indexList(true),
    },
    out: {
      flag: 'out',
      arg: 'FOLDER',
      help: 'where to write PNGs, raw vectors (.f32, little-endian float32) and report.json',
      kind: 'path',
      role: 'output-folder',
    },
    scale: { flag: 'scale', arg: 'N', help: 'PNG upscaling factor, nearest neighbour', ...SCALE },
  },
};
