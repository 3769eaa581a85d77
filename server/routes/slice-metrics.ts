import { Router } from 'express';
import type { StoreReader } from '../../store/types.js';
import { parseInput } from '../http-errors.js';
import { MAX_METRIC_SPAN, metricQuerySchema, type SliceMetricSeries } from '../protocol.js';
import { IMMUTABLE, REVALIDATE } from './cache.js';
import { findRun } from './runs.js';
import { findSlice } from './slices.js';

/** How many committed ranges the server keeps measured, newest use last (about 40 KB each at full span). */
const CACHED_RANGES = 128;

/**
 * A run's slice metrics over time, mounted at `/api/runs/:runId/slices/:sliceId/metrics`:
 * `GET ?from=&to=` a SliceMetricSeries (area and components per class, boundary and flipped pixels)
 * of the recorded frames in the range, decoded from the key frame at or before `from` so that the
 * first step's flips count against the frame before it; at most MAX_METRIC_SPAN steps; without `to`
 * the range ends MAX_METRIC_SPAN − 1 steps after `from`. A range that ends at or before the run's
 * step never changes: it is cached for good, and kept measured in memory (the newest CACHED_RANGES).
 * Measuring yields to other requests every few frames.
 */
export function sliceMetricsRouter(store: StoreReader): Router {
  const router = Router({ mergeParams: true });
  const cache = new Map<string, SliceMetricSeries>();
  router.get('/', async (req, res) => {
    const params = req.params as Record<string, string>;
    const run = findRun(store, params['runId']);
    const slice = findSlice(store, params['sliceId']);
    const { from = 0, to = from + MAX_METRIC_SPAN - 1 } = parseInput(metricQuerySchema, req.query, 'query');
    const committed = to <= run.step;
    const key = `${run.id}/${slice.id}/${from}/${to}`;
    let series = committed ? cache.get(key) : undefined;
    if (series === undefined) {
      series = { runId: run.id, sliceId: slice.id, steps: [], area: [], components: [], boundary: [], flipped: [] };
      let measured = 0;
      for (const { step, frame } of store.frames(run.id, slice.id, { from, to })) {
        // Measuring takes a millisecond or more a frame: let other requests (the page's frame
        // ranges) in between, so a chart filling in a long run never holds up playback.
        if (++measured % 8 === 0) await new Promise((resolve) => setImmediate(resolve));
        series.steps.push(step);
        series.area.push(frame.metrics.area);
        series.components.push(frame.metrics.components);
        series.boundary.push(frame.metrics.boundary);
        series.flipped.push(frame.metrics.flipped);
      }
    }
    if (committed) {
      cache.delete(key);
      cache.set(key, series);
      if (cache.size > CACHED_RANGES) cache.delete(cache.keys().next().value!);
    }
    res.setHeader('Cache-Control', committed ? IMMUTABLE : REVALIDATE);
    res.json(series);
  });
  return router;
}
