import type { BackendKind } from '../../trainer/backend-info.js';
import type { CommandOptions } from '../options.js';
import { BACKEND_ROW } from './common-options.js';

/** `slicewatch demo` (`npm start`): the product's main job on the embedded MNIST digits. */
export interface DemoCommandConfig {
  steps: number;
  warmup: number;
  out: string;
  backend: 'auto' | BackendKind;
}

export const DEMO_OPTIONS: CommandOptions<DemoCommandConfig> = {
  defaults: { steps: 150, warmup: 50, out: '', backend: 'auto' },
  table: {
    steps: {
      flag: 'steps',
      arg: 'N',
      help: 'training steps of each of the two recorded runs',
      kind: 'int',
      min: 1,
      max: Infinity,
    },
    warmup: {
      flag: 'warmup',
      arg: 'N',
      help: 'steps of the warm-up model that the adversarial slice is computed against',
      kind: 'int',
      min: 1,
      max: Infinity,
    },
    out: {
      flag: 'out',
      arg: 'FOLDER',
      help: 'where runs, the store and the videos go (default: runs/demo-DATE-TIME)',
      kind: 'path',
      role: 'output-folder',
    },
    backend: BACKEND_ROW,
  },
};
