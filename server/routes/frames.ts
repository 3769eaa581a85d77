import { Router } from 'express';
import { encodePng } from '../../slices/png.js';
import { renderRegions } from '../../slices/render.js';
import type { StoreReader } from '../../store/types.js';
import { HttpError, notFound, parseInput } from '../http-errors.js';
import { FRAME_ROWS_TYPE, frameQuerySchema, MAX_FRAME_SPAN, packFrameRows, paletteSchema } from '../protocol.js';
import { IMMUTABLE, REVALIDATE } from './cache.js';
import { findRun } from './runs.js';
import { findSlice, parseScale } from './slices.js';

/**
 * A run's frames on a slice, mounted at `/api/runs/:runId/slices/:sliceId/frames`:
 * `GET ?from=&to=` the stored rows (packFrameRows, the stored encoding), starting at the key frame at
 * or before `from` so they decode on their own; at most MAX_FRAME_SPAN steps; without `to` the range
 * ends MAX_FRAME_SPAN − 1 steps after `from`.
 * `GET /:step.png?scale=&palette=` one frame as a lossless PNG of its decision regions, in the palette
 * `default` or `colour-blind` (slices/palette.ts; default `default`).
 * Committed frames never change, so a range that ends at or before the run's step is cached for good.
 */
export function framesRouter(store: StoreReader): Router {
  const router = Router({ mergeParams: true });
  const target = (params: Record<string, string>) => ({
    run: findRun(store, params['runId']),
    slice: findSlice(store, params['sliceId']),
  });
  router.get('/', (req, res) => {
    const { run, slice } = target(req.params as Record<string, string>);
    const { from = 0, to = from + MAX_FRAME_SPAN - 1 } = parseInput(frameQuerySchema, req.query, 'query');
    const rows = store.frameRows(run.id, slice.id, { from, to });
    res.setHeader('Cache-Control', to <= run.step ? IMMUTABLE : REVALIDATE);
    res.type(FRAME_ROWS_TYPE).send(Buffer.from(packFrameRows(rows)));
  });
  router.get('/:file', (req, res) => {
    const { run, slice } = target(req.params as Record<string, string>);
    const match = /^(\d{1,15})\.png$/.exec(req.params.file);
    if (match === null) throw new HttpError(404, 'NOT_FOUND', `frame ${req.params.file} not found; expected STEP.png`);
    const step = Number(match[1]);
    const scale = parseScale(req.query['scale']);
    const palette = parseInput(paletteSchema.optional(), req.query['palette'], 'palette');
    const found = store.frames(run.id, slice.id, { from: step, to: step }).next();
    if (found.done) throw notFound(`frame of run ${run.id} on slice ${slice.id} at step ${step}`);
    const { frame } = found.value;
    const image = renderRegions(frame.labels, frame.confidence, frame.width, frame.height, { scale, palette });
    res.setHeader('Cache-Control', IMMUTABLE);
    res.type('png').send(Buffer.from(encodePng(image.rgb, image.width, image.height)));
  });
  return router;
}
