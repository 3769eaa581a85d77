import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SqliteStore } from '../../store/sqlite-store.js';
import { createApp } from '../app.js';
import { parseOptions } from '../options.js';
import { checkBinding } from '../security.js';
import { SERVE_OPTIONS } from './serve-options.js';

/** The link to open: the server's address, with the token when there is one. */
export function serverUrl(host: string, port: number, token: string): string {
  const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return `http://${shown}:${port}/${token === '' ? '' : `?token=${encodeURIComponent(token)}`}`;
}

/**
 * `slicewatch serve`: serves a run store (read only) over HTTP and socket.io until SIGINT or
 * SIGTERM, printing the URL to open.
 */
export async function serveCommand(argv: string[]): Promise<void> {
  const config = parseOptions(argv, SERVE_OPTIONS);
  const token = config.token === '' ? undefined : config.token;
  checkBinding(config.host, token);
  const store = SqliteStore.openExisting(config.store, { readonly: true });
  const server = createApp({ store, host: config.host, token });
  try {
    server.http.listen(config.port, config.host);
    await Promise.race([
      once(server.http, 'listening'),
      once(server.http, 'error').then(([error]) => Promise.reject(error as Error)),
    ]);
    const { port } = server.http.address() as AddressInfo;
    process.stdout.write(`slicewatch serving ${config.store} at ${serverUrl(config.host, port, config.token)}\n`);
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  } finally {
    await server.close();
    store.close();
  }
}
