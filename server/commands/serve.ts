import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SqliteStore } from '../../store/sqlite-store.js';
import { createApp } from '../app.js';
import { createJobs } from '../jobs.js';
import { interrupted, listen, serverUrl } from '../listen.js';
import { parseOptions } from '../options.js';
import { checkBinding } from '../security.js';
import { attachWriters } from '../writers.js';
import { SERVE_OPTIONS } from './serve-options.js';

/**
 * `slicewatch serve`: serves a run store over HTTP and socket.io until SIGINT or SIGTERM, printing
 * the URL to open: the REST API and live push (reading), the job registry (training, video and
 * rerender jobs), and, with a token, the `/writers` namespace remote trainers record through. The
 * store is created when missing, so a fresh folder shows the empty dashboard.
 */
export async function serveCommand(argv: string[]): Promise<void> {
  const config = parseOptions(argv, SERVE_OPTIONS);
  const token = config.token === '' ? undefined : config.token;
  checkBinding(config.host, token);
  mkdirSync(dirname(config.store) || '.', { recursive: true });
  const writer = new SqliteStore(config.store);
  const reader = SqliteStore.openExisting(config.store, { readonly: true });
  const jobs = createJobs({
    storePath: config.store,
    runsFolder: config.runs,
    videosFolder: join(config.runs, 'videos'),
    limits: { train: config.trainJobs, video: config.videoJobs, rerender: config.rerenderJobs },
  });
  const server = createApp({ store: reader, jobs, host: config.host, ...(token ? { token } : {}) });
  attachWriters(server.io, writer, token ? { token } : {});
  try {
    const port = await listen(server.http, config.host, config.port);
    process.stdout.write(`slicewatch serving ${config.store} at ${serverUrl(config.host, port, config.token)}\n`);
    await interrupted();
  } finally {
    await jobs.close();
    await server.close();
    reader.close();
    writer.close();
  }
}
