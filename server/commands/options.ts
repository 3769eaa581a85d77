import { ATTACK_OPTIONS } from './attack-options.js';
import { CHURCH_WINDOW_OPTIONS } from './church-window-options.js';
import { DEMO_OPTIONS } from './demo-options.js';
import { EVAL_OPTIONS } from './eval-options.js';
import { RERENDER_OPTIONS } from './rerender-options.js';
import { SERVE_OPTIONS } from './serve-options.js';
import { SLICE_OPTIONS } from './slice-options.js';
import { TRAIN_OPTIONS } from './train-options.js';
import { VIDEO_OPTIONS } from './video-options.js';

/** Every command's option table by command name, in the order of `slicewatch --help`. */
export const COMMAND_OPTIONS = {
  demo: DEMO_OPTIONS,
  train: TRAIN_OPTIONS,
  eval: EVAL_OPTIONS,
  slice: SLICE_OPTIONS,
  'church-window': CHURCH_WINDOW_OPTIONS,
  video: VIDEO_OPTIONS,
  rerender: RERENDER_OPTIONS,
  attack: ATTACK_OPTIONS,
  serve: SERVE_OPTIONS,
} as const;

export type CommandName = keyof typeof COMMAND_OPTIONS;
