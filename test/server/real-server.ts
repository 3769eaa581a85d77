import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createApp, type App } from '../../server/app.js';
import { SqliteStore } from '../../store/sqlite-store.js';

/** Starts listening on a free port of 127.0.0.1; the server's base URL. */
export async function listen(server: App): Promise<string> {
  server.http.listen(0, '127.0.0.1');
  await once(server.http, 'listening');
  return `http://127.0.0.1:${(server.http.address() as AddressInfo).port}`;
}

/** A JSON body, typed by the protocol (the test checks the values). */
export async function json<T>(response: Promise<Response> | Response): Promise<T> {
  return (await (await response).json()) as T;
}

/** A real server on port 0 reading the store at `path` (read-only), as `slicewatch serve` does. */
export async function serveStore(path: string): Promise<{ url: string; server: App; close(): Promise<void> }> {
  const reader = SqliteStore.openExisting(path, { readonly: true });
  const server = createApp({ store: reader, host: '127.0.0.1' });
  const url = await listen(server);
  return {
    url,
    server,
    close: async () => {
      await server.close();
      reader.close();
    },
  };
}
