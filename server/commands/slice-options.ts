import { InvalidArgumentError } from '../../core/errors.js';
import { PALETTE_NAMES, type PaletteName } from '../../slices/palette.js';
import { parsePoint, type PointSpec } from '../../slices/points.js';
import { readNumber, type CommandOptions, type OptionRow } from '../options.js';
import {
  MODE_ROW,
  MODEL_COMMAND_DEFAULTS,
  MODEL_COMMAND_TABLE,
  POINT_ROWS,
  RESOLUTION_ROW,
  SCALE,
  type ModeName,
  type ModelCommandConfig,
} from './common-options.js';

/** `slicewatch slice`: one slice of a checkpoint, as PNG and JSON. */
export interface SliceCommandConfig extends ModelCommandConfig {
  a: PointSpec;
  b: PointSpec;
  c: PointSpec;
  resolution: number;
  mode: ModeName;
  /** Adaptive mode: spacing of the first lattice, a power of two. */
  coarse: number;
  batchSize: number;
  scale: number;
  shade: boolean;
  palette: PaletteName;
  profileSamples: number;
  out: string;
}

/** Images per model call when evaluating a slice (shared with church-window). */
export const SLICE_BATCH_ROW: OptionRow<number> = {
  flag: 'batch-size',
  arg: 'N',
  help: 'images per model call',
  kind: 'int',
  min: 1,
  max: 65536,
};

/** PNG upscaling (shared with church-window). */
export const PNG_SCALE_ROW: OptionRow<number> = {
  flag: 'scale',
  arg: 'N',
  help: 'PNG upscaling factor, nearest neighbour',
  ...SCALE,
};

/** The class colours of a picture (shared with video). */
export const PALETTE_ROW: OptionRow<PaletteName> = {
  flag: 'palette',
  arg: 'NAME',
  help: 'class colours: default, or colour-blind (distinguishable under protanopia, deuteranopia and tritanopia)',
  kind: 'enum',
  values: PALETTE_NAMES,
};

/** Where a PNG and its JSON go (shared with church-window). */
export const PNG_OUT_ROW: OptionRow<string> = {
  flag: 'out',
  arg: 'PATH',
  help: 'output path without extension: writes PATH.png and PATH.json',
  kind: 'path',
  role: 'output-prefix',
};

const COARSE = { kind: 'int', min: 1, max: 64 } as const;

export const SLICE_OPTIONS: CommandOptions<SliceCommandConfig> = {
  defaults: {
    ...MODEL_COMMAND_DEFAULTS,
    a: parsePoint('test:0'),
    b: parsePoint('adv(test:0;pgd-linf)'),
    c: parsePoint('grey'),
    resolution: 128,
    mode: 'full',
    coarse: 4,
    batchSize: 256,
    scale: 4,
    shade: false,
    palette: 'default',
    profileSamples: 32,
    out: 'slice',
  },
  table: {
    ...MODEL_COMMAND_TABLE,
    ...POINT_ROWS,
    resolution: RESOLUTION_ROW,
    mode: MODE_ROW,
    coarse: {
      flag: 'coarse',
      arg: 'N',
      help: 'adaptive mode: spacing of the first lattice, a power of two (1 to 64)',
      kind: 'custom',
      parse: (text, flag) => {
        const n = readNumber(flag, text, COARSE);
        if (!Number.isInteger(Math.log2(n)))
          throw new InvalidArgumentError(`expected --${flag} to be a power of two in [1, 64], received ${text}`);
        return n;
      },
    },
    batchSize: SLICE_BATCH_ROW,
    scale: PNG_SCALE_ROW,
    shade: { flag: 'shade', help: "darken pixels by the model's confidence", kind: 'switch' },
    palette: PALETTE_ROW,
    profileSamples: {
      flag: 'profile-samples',
      arg: 'N',
      help: 'samples of the probability profiles along a→b, b→c, c→a',
      kind: 'int',
      min: 1,
      max: 1024,
    },
    out: PNG_OUT_ROW,
  },
};
