import { Router } from 'express';
import type { Jobs } from '../job-types.js';
import { HttpError, notFound, parseInput } from '../http-errors.js';
import { jobIdSchema, jobRequestSchema } from '../protocol.js';

/**
 * The job registry over REST: `GET /api/jobs`, `GET /api/jobs/:id`, `POST /api/jobs` (a JobRequest,
 * 202 with the queued job) and `DELETE /api/jobs/:id` (cancel). Without a registry every route is
 * 503 `NO_JOBS`. Finished videos are listed and downloaded under `/api/videos`.
 */
export function jobsRouter(jobs: Jobs | undefined): Router {
  const router = Router();
  const registry = (): Jobs => {
    if (jobs === undefined) throw new HttpError(503, 'NO_JOBS', 'this server runs no jobs');
    return jobs;
  };
  const find = (raw: unknown) => {
    const id = parseInput(jobIdSchema, raw, 'job id');
    const job = registry().get(id);
    if (job === undefined) throw notFound(`job ${id}`);
    return job;
  };
  router.get('/', (_req, res) => {
    res.json(registry().list());
  });
  router.get('/:id', (req, res) => {
    res.json(find(req.params.id));
  });
  router.post('/', (req, res) => {
    const request = parseInput(jobRequestSchema, req.body, 'job request');
    res.status(202).json(registry().start(request));
  });
  router.delete('/:id', (req, res) => {
    const job = find(req.params.id);
    res.json({ cancelled: registry().cancel(job.id) });
  });
  return router;
}
