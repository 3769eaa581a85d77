import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { HttpError } from '../http-errors.js';

/**
 * Where the built dashboard is: dist/client beside the compiled server (dist/server/routes → dist/client),
 * or under dist/ when the server runs from its sources (tests).
 */
export function dashboardFolder(): string | undefined {
  return ['../../client/', '../../dist/client/']
    .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
    .find((folder) => existsSync(`${folder}index.html`));
}

/**
 * The dashboard's static files at `/` (index.html, app.js and its source map). Without a build,
 * `/` answers 503 with the command that builds it.
 */
export function dashboardRouter(folder = dashboardFolder()): Router {
  const router = Router();
  if (folder === undefined) {
    router.get('/', () => {
      throw new HttpError(
        503,
        'NO_DASHBOARD',
        'the dashboard is not built: run npm run build (npm install does it too)',
      );
    });
    return router;
  }
  router.use(express.static(folder, { index: 'index.html', maxAge: 0, dotfiles: 'deny' }));
  return router;
}
