import type { BackendKind } from '../../trainer/backend-info.js';
import type { CommandOptions } from '../options.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { isLoopback } from '../security.js';
import { BACKEND_ROW } from './common-options.js';
import { DEFAULT_PORT } from './serve-options.js';

/** `slicewatch demo` (`npm start`): the product's main job on the embedded MNIST digits. */
export interface DemoCommandConfig {
  steps: number;
  warmup: number;
  out: string;
  backend: 'auto' | BackendKind;
  /** Address and port of the dashboard while the demo runs. */
  host: string;
  port: number;
  /** Stop when the videos are written instead of serving until Ctrl-C. */
  exit: boolean;
}

export const DEMO_OPTIONS: CommandOptions<DemoCommandConfig> = {
  defaults: { steps: 150, warmup: 50, out: '', backend: 'auto', host: '127.0.0.1', port: DEFAULT_PORT, exit: false },
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
    host: {
      flag: 'host',
      arg: 'ADDRESS',
      help: 'address the dashboard listens on (loopback only: the demo has no token)',
      kind: 'custom',
      parse: (text, flag) => {
        if (!isLoopback(text))
          throw new InvalidArgumentError(
            `invalid --${flag}: ${text}; the demo serves loopback only (127.0.0.1, ::1, localhost); use slicewatch serve --token for others`,
          );
        return text;
      },
    },
    port: {
      flag: 'port',
      arg: 'N',
      help: 'TCP port of the dashboard; 0 picks a free one',
      kind: 'int',
      min: 0,
      max: 65535,
    },
    exit: { flag: 'exit', help: 'stop once the videos are written instead of serving until Ctrl-C', kind: 'switch' },
  },
};
