import type { CommandOptions } from '../options.js';
import { DEFAULT_JOB_LIMITS } from '../jobs.js';
import { storeRow } from './common-options.js';

/** `slicewatch serve`: the dashboard's HTTP server and live push over a run store. */
export interface ServeCommandConfig {
  store: string;
  /** Address to listen on; anything but loopback needs a token. */
  host: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Secret every request must carry; empty = none (loopback only). Remote trainers need it too. */
  token: string;
  /** Where training jobs' run folders go. */
  runs: string;
  /** Training, video and rerender jobs run at once. */
  trainJobs: number;
  videoJobs: number;
  rerenderJobs: number;
}

/** The port `slicewatch serve` listens on unless told otherwise. */
export const DEFAULT_PORT = 6280;

export const SERVE_OPTIONS: CommandOptions<ServeCommandConfig> = {
  defaults: {
    store: 'runs/slicewatch.db',
    host: '127.0.0.1',
    port: DEFAULT_PORT,
    token: '',
    runs: 'runs',
    trainJobs: DEFAULT_JOB_LIMITS.train,
    videoJobs: DEFAULT_JOB_LIMITS.video,
    rerenderJobs: DEFAULT_JOB_LIMITS.rerender,
  },
  table: {
    store: storeRow('output-file'),
    host: {
      flag: 'host',
      arg: 'ADDRESS',
      help: 'address to listen on; any other than loopback (127.0.0.1, ::1, localhost) needs --token',
      kind: 'string',
    },
    port: { flag: 'port', arg: 'N', help: 'TCP port; 0 picks a free one', kind: 'int', min: 0, max: 65535 },
    token: {
      flag: 'token',
      arg: 'SECRET',
      help: 'secret every request must carry: open the printed link once (it sets a cookie) or send Authorization: Bearer SECRET',
      kind: 'string',
    },
    runs: {
      flag: 'runs',
      arg: 'FOLDER',
      help: "where training jobs' run folders go (their videos go to FOLDER/videos)",
      kind: 'path',
      role: 'output-folder',
    },
    trainJobs: {
      flag: 'train-jobs',
      arg: 'N',
      help: 'training jobs at once; the rest wait queued (one suits a 2-core machine)',
      kind: 'int',
      min: 1,
      max: 64,
    },
    videoJobs: { flag: 'video-jobs', arg: 'N', help: 'video renders at once', kind: 'int', min: 1, max: 64 },
    rerenderJobs: { flag: 'rerender-jobs', arg: 'N', help: 'rerenders at once', kind: 'int', min: 1, max: 64 },
  },
};
