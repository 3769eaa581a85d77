import { Router } from 'express';
import type { Jobs } from '../job-types.js';
import { notFound, parseInput } from '../http-errors.js';
import { jobIdSchema } from '../protocol.js';
import { IMMUTABLE } from './cache.js';

/**
 * Rendered videos, by job id (never by path): `GET /api/videos` lists finished video jobs,
 * `GET /api/videos/:jobId` downloads one as an attachment, with HTTP range requests.
 */
export function videosRouter(jobs: Jobs | undefined): Router {
  const router = Router();
  const videos = () => (jobs?.list() ?? []).filter((job) => job.kind === 'video' && job.state === 'done' && job.file);
  router.get('/', (_req, res) => {
    res.json(videos());
  });
  router.get('/:jobId', (req, res, next) => {
    const id = parseInput(jobIdSchema, req.params.jobId, 'job id');
    const job = videos().find((j) => j.id === id);
    const path = job && jobs?.filePath(id);
    if (job === undefined || path === undefined) throw notFound(`video ${id}`);
    res.setHeader('Cache-Control', IMMUTABLE);
    res.download(path, job.file ?? `${id}.mp4`, { dotfiles: 'deny', acceptRanges: true }, (error) => {
      if (error && !res.headersSent) next(notFound(`video ${id}`));
    });
  });
  return router;
}
