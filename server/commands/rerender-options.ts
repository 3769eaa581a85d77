import { parsePoint, type PointSpec } from '../../slices/points.js';
import type { BackendKind } from '../../trainer/backend-info.js';
import type { CommandOptions } from '../options.js';
import { BACKEND_ROW, MODE_ROW, POINT_ROWS, RESOLUTION_ROW, storeRow, type ModeName } from './common-options.js';

/** `slicewatch rerender`: a slice chosen after training, rendered through a recorded run's snapshots. */
export interface RerenderCommandConfig {
  store: string;
  run: string;
  a: PointSpec;
  b: PointSpec;
  c: PointSpec;
  name: string;
  resolution: number;
  mode: ModeName;
  backend: 'auto' | BackendKind;
}

export const RERENDER_OPTIONS: CommandOptions<RerenderCommandConfig> = {
  defaults: {
    store: 'runs/slicewatch.db',
    run: '',
    a: parsePoint('test:0'),
    b: parsePoint('test:1'),
    c: parsePoint('grey'),
    name: '',
    resolution: 64,
    mode: 'adaptive',
    backend: 'auto',
  },
  table: {
    store: storeRow('input-file'),
    run: {
      flag: 'run',
      arg: 'NAME',
      help: 'a run recorded with --record (its --out folder), whose weight snapshots are rendered',
      required: '--run NAME is required: the --out folder of a run recorded with --record',
      kind: 'string',
    },
    ...POINT_ROWS,
    name: {
      flag: 'name',
      arg: 'NAME',
      help: 'name of the new slice set (default: rerender-DATE-TIME); pass it to video --slice-set',
      kind: 'string',
    },
    resolution: RESOLUTION_ROW,
    mode: MODE_ROW,
    backend: BACKEND_ROW,
  },
};
