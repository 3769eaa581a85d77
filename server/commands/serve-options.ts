import type { CommandOptions } from '../options.js';
import { storeRow } from './common-options.js';

/** `slicewatch serve`: the dashboard's HTTP server and live push over a run store. */
export interface ServeCommandConfig {
  store: string;
  /** Address to listen on; anything but loopback needs a token. */
  host: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Secret every request must carry; empty = none (loopback only). */
  token: string;
}

/** The port `slicewatch serve` listens on unless told otherwise. */
export const DEFAULT_PORT = 6280;

export const SERVE_OPTIONS: CommandOptions<ServeCommandConfig> = {
  defaults: { store: 'runs/slicewatch.db', host: '127.0.0.1', port: DEFAULT_PORT, token: '' },
  table: {
    store: storeRow('input-file'),
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
  },
};
