import { Router } from 'express';
import type { StoreReader } from '../../store/types.js';
import { parseInput } from '../http-errors.js';
import {
  MAX_SCALAR_SPAN,
  scalarNameSchema,
  scalarQuerySchema,
  scalarTableQuerySchema,
  type ScalarSeries,
} from '../protocol.js';
import { findRun } from './runs.js';

/**
 * `GET /api/runs/:runId/scalars/:name?from=&to=[&format=csv]`: a scalar series by step, as JSON or
 * as a CSV download (`step,value`). A range spans at most MAX_SCALAR_SPAN steps; without `to` it
 * ends MAX_SCALAR_SPAN − 1 steps after `from`.
 */
export function scalarsRouter(store: StoreReader): Router {
  const router = Router({ mergeParams: true });
  router.get('/:name', (req, res) => {
    const run = findRun(store, (req.params as Record<string, string>)['runId']);
    const name = parseInput(scalarNameSchema, req.params.name, 'scalar name');
    const { format, from = 0, to = from + MAX_SCALAR_SPAN - 1 } = parseInput(scalarQuerySchema, req.query, 'query');
    const points = store.scalars(run.id, name, { from, to });
    if (format === 'csv') {
      res.type('text/csv');
      res.attachment(`run-${run.id}-${name}.csv`);
      res.send(`step,value\n${points.map((p) => `${p.step},${p.value}\n`).join('')}`);
      return;
    }
    const series: ScalarSeries = { runId: run.id, name, points };
    res.json(series);
  });
  return router;
}

/**
 * `GET /api/runs/:runId/scalars.csv`: every scalar series of a run as one wide CSV download,
 * `step,<name>,…` with the names in alphabetical order, one row per step that has any value, and an
 * empty cell where a series has no value at that step.
 */
export function scalarTableRouter(store: StoreReader): Router {
  const router = Router({ mergeParams: true });
  router.get('/', (req, res) => {
    const run = findRun(store, (req.params as Record<string, string>)['runId']);
    parseInput(scalarTableQuerySchema, req.query, 'query');
    const names = store.scalarNames(run.id);
    const rows = new Map<number, string[]>();
    names.forEach((name, column) => {
      for (const { step, value } of store.scalars(run.id, name)) {
        let row = rows.get(step);
        if (row === undefined) rows.set(step, (row = new Array<string>(names.length).fill('')));
        row[column] = String(value);
      }
    });
    const lines = [...rows].sort(([p], [q]) => p - q).map(([step, row]) => `${step},${row.join(',')}\n`);
    res.type('text/csv');
    res.attachment(`run-${run.id}-scalars.csv`);
    res.send(`${['step', ...names].join(',')}\n${lines.join('')}`);
  });
  return router;
}
