import { parsePoint, type PointSpec } from '../../slices/points.js';
import type { CommandOptions } from '../options.js';
import {
  attackKind,
  MODEL_COMMAND_DEFAULTS,
  MODEL_COMMAND_TABLE,
  POINT,
  RESOLUTION,
  type ModelCommandConfig,
} from './common-options.js';
import { PNG_OUT_ROW, PNG_SCALE_ROW, SLICE_BATCH_ROW } from './slice-options.js';

/** `slicewatch church-window`: the paper's Figure 4 grid of local slices around one image. */
export interface ChurchWindowCommandConfig extends ModelCommandConfig {
  point: PointSpec;
  attack: string;
  /** Half-width of every window in input-space units (0 = twice the adversarial perturbation's L2 length). */
  halfWidth: number;
  count: number;
  resolution: number;
  batchSize: number;
  scale: number;
  out: string;
}

export const CHURCH_WINDOW_OPTIONS: CommandOptions<ChurchWindowCommandConfig> = {
  defaults: {
    ...MODEL_COMMAND_DEFAULTS,
    point: parsePoint('test:0'),
    attack: 'pgd-linf',
    halfWidth: 0,
    count: 12,
    resolution: 64,
    batchSize: 256,
    scale: 2,
    out: 'church-window',
  },
  table: {
    ...MODEL_COMMAND_TABLE,
    point: {
      flag: 'point',
      arg: 'POINT',
      help: 'the image at the centre of every window (a point spec, as for slice)',
      ...POINT,
    },
    attack: {
      flag: 'attack',
      arg: 'ATTACK',
      help: 'attack giving the adversarial direction',
      ...attackKind('eval', []),
    },
    halfWidth: {
      flag: 'half-width',
      arg: 'H',
      help: 'half-width of each window in input units (0 = twice the L2 length of the adversarial perturbation)',
      kind: 'number',
      min: 0,
      max: 1000,
    },
    count: {
      flag: 'count',
      arg: 'N',
      help: 'windows per row group: N adversarial-vs-random, then N random-vs-random',
      kind: 'int',
      min: 1,
      max: 100,
    },
    resolution: { flag: 'resolution', arg: 'N', help: 'pixels per window side', ...RESOLUTION },
    batchSize: SLICE_BATCH_ROW,
    scale: PNG_SCALE_ROW,
    out: PNG_OUT_ROW,
  },
};
