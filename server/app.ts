import { createServer, type Server as HttpServer } from 'node:http';
import express, { type Express } from 'express';
import { Server } from 'socket.io';
import type { StoreReader } from '../store/types.js';
import { errorHandler, unknownRoute } from './http-errors.js';
import type { Jobs } from './job-types.js';
import { Live } from './live.js';
import { MAX_BODY_BYTES, type ClientToServerEvents, type ServerToClientEvents } from './protocol.js';
import { framesRouter } from './routes/frames.js';
import { dashboardRouter } from './routes/dashboard.js';
import { jobsRouter } from './routes/jobs.js';
import { runsRouter } from './routes/runs.js';
import { scalarsRouter, scalarTableRouter } from './routes/scalars.js';
import { sliceMetricsRouter } from './routes/slice-metrics.js';
import { slicesRouter } from './routes/slices.js';
import { videosRouter } from './routes/videos.js';
import { checkBinding, handshakeAllowed, requireToken, securityHeaders } from './security.js';

/** What the server is made of. */
export interface AppComponents {
  /** The store it reads (never writes). */
  store: StoreReader;
  /** The job registry behind /api/jobs, /api/videos and `job:progress`; without it those answer 503 or nothing. */
  jobs?: Jobs;
  /** The address it will listen on: any but loopback needs a token. */
  host: string;
  /** When set, every request and socket handshake must carry it. */
  token?: string;
  /** How often the store is asked what changed, in ms (default 100). */
  pollMs?: number;
}

export interface App {
  app: Express;
  http: HttpServer;
  io: Server<ClientToServerEvents, ServerToClientEvents>;
  live: Live;
  /** Stops polling, closes every socket and the HTTP server (the store and jobs are the caller's). */
  close(): Promise<void>;
}

/**
 * The HTTP server and its live push, wired but not listening: REST under /api, the dashboard at /,
 * socket.io at /socket.io. Throws InvalidArgumentError for a non-loopback host without a token.
 */
export function createApp(components: AppComponents): App {
  const { store, jobs, host, token } = components;
  checkBinding(host, token);
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(securityHeaders);
  app.use(requireToken(token));
  app.use(express.json({ limit: MAX_BODY_BYTES }));
  app.use('/', dashboardRouter());
  app.use('/api/runs', runsRouter(store));
  app.use('/api/runs/:runId/scalars.csv', scalarTableRouter(store));
  app.use('/api/runs/:runId/scalars', scalarsRouter(store));
  app.use('/api/runs/:runId/slices/:sliceId/frames', framesRouter(store));
  app.use('/api/runs/:runId/slices/:sliceId/metrics', sliceMetricsRouter(store));
  app.use('/api', slicesRouter(store));
  app.use('/api/jobs', jobsRouter(jobs));
  app.use('/api/videos', videosRouter(jobs));
  app.use(unknownRoute);
  app.use(errorHandler);

  const http = createServer(app);
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, {
    maxHttpBufferSize: MAX_BODY_BYTES,
    serveClient: false,
  });
  io.use((socket, next) => {
    if (handshakeAllowed(token, socket.request, socket.handshake.auth)) return next();
    next(Object.assign(new Error('missing or wrong token'), { data: { code: 'UNAUTHORIZED' } }));
  });
  const live = new Live(store, io, components.pollMs ?? 100);
  io.on('connection', (socket) => live.attach(socket));
  const unsubscribe = jobs?.onChange((job) => io.emit('job:progress', job));

  return {
    app,
    http,
    io,
    live,
    close: async () => {
      live.stop();
      unsubscribe?.();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      if (http.listening) await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
