import { InvalidArgumentError } from '../../core/errors.js';
import type { PaletteName } from '../../slices/palette.js';
import type { CommandOptions } from '../options.js';
import { indexList, SCALE, storeRow } from './common-options.js';
import { PALETTE_ROW } from './slice-options.js';

/** `slicewatch video`: MP4 of recorded runs on recorded slices. */
export interface VideoCommandConfig {
  store: string;
  /** Slice set whose frames to show; empty = the runs' own. */
  sliceSet: string;
  /** Comma-separated run names (their --out folders); several = side by side. */
  runs: string;
  /** Slice positions in the set, or `all`. */
  slices: number[] | 'all';
  fps: number;
  scale: number;
  /** `every`: one video frame per recorded step; `log`: log-spaced steps. */
  time: 'every' | 'log';
  frames: number;
  palette: PaletteName;
  out: string;
}

const POSITIONS = indexList(false);

export const VIDEO_OPTIONS: CommandOptions<VideoCommandConfig> = {
  defaults: {
    store: 'runs/slicewatch.db',
    sliceSet: '',
    runs: '',
    slices: [0],
    fps: 24,
    scale: 4,
    time: 'every',
    frames: 240,
    palette: 'default',
    out: 'slicewatch.mp4',
  },
  table: {
    store: storeRow('input-file'),
    sliceSet: {
      flag: 'slice-set',
      arg: 'NAME',
      help: "slice set to show, e.g. one made by rerender (default: the runs' own)",
      kind: 'string',
    },
    runs: {
      flag: 'runs',
      arg: 'A,B,…',
      help: 'recorded runs by name (their --out folder), side by side, synchronised by step; all must use the same slice set',
      required: '--runs NAME[,NAME…] is required: the --out folders of recorded runs',
      kind: 'custom',
      parse: (text, flag) => {
        if (text.split(',').some((name) => name === ''))
          throw new InvalidArgumentError(`invalid --${flag}: ${text}; expected run names separated by commas`);
        return text;
      },
    },
    slices: {
      flag: 'slices',
      arg: 'I,J,…|all',
      help: 'slices of the set by position, side by side',
      kind: 'custom',
      parse: (text, flag) => (text === 'all' ? 'all' : POSITIONS.parse(text, flag)),
      format: (value) => (value === 'all' ? value : value.join(',')),
    },
    fps: { flag: 'fps', arg: 'N', help: 'frames per second', kind: 'int', min: 1, max: 240 },
    scale: { flag: 'scale', arg: 'N', help: 'upscaling of each slice pixel, nearest neighbour', ...SCALE },
    time: {
      flag: 'time',
      arg: 'MAPPING',
      help: 'every (one video frame per recorded step) or log (log-spaced steps, so early changes are visible)',
      kind: 'enum',
      values: ['every', 'log'],
    },
    frames: { flag: 'frames', arg: 'N', help: 'video frames with --time log', kind: 'int', min: 1, max: 100000 },
    palette: PALETTE_ROW,
    out: { flag: 'out', arg: 'FILE', help: 'the MP4 file to write', kind: 'path', role: 'output-file' },
  },
};
