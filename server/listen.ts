import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The link to open: the server's address, with the token when there is one. */
export function serverUrl(host: string, port: number, token: string): string {
  const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return `http://${shown}:${port}/${token === '' ? '' : `?token=${encodeURIComponent(token)}`}`;
}

/** Listens on host:port (0 picks a free port) and resolves with the port, or rejects with the listen error. */
export async function listen(http: Server, host: string, port: number): Promise<number> {
  http.listen(port, host);
  await Promise.race([once(http, 'listening'), once(http, 'error').then(([error]) => Promise.reject(error as Error))]);
  return (http.address() as AddressInfo).port;
}

/** Resolves on the first SIGINT or SIGTERM. */
export async function interrupted(): Promise<void> {
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
}
