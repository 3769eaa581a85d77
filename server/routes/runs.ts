import { Router } from 'express';
import type { RunRecord, StoreReader } from '../../store/types.js';
import { notFound, parseInput } from '../http-errors.js';
import { runIdSchema, type RunDetail, type RunSummary } from '../protocol.js';

/** How far back the newest value of a series is looked for, in steps, so a summary costs the same on any run. */
const NEWEST_WINDOW = 100_000;

/** A run in the list: status, backend, step and the newest loss, test accuracy and robust accuracy. */
export function runSummary(store: StoreReader, run: RunRecord): RunSummary {
  const newest = (name: string) =>
    store.scalars(run.id, name, { from: Math.max(0, run.step - NEWEST_WINDOW) }).at(-1)?.value ?? null;
  return {
    id: run.id,
    name: run.name,
    status: run.status,
    backend: run.backend.kind,
    step: run.step,
    totalSteps: run.totalSteps,
    setId: run.setId,
    loss: newest('loss'),
    accuracy: newest('testAccuracy'),
    robustAccuracy: newest('robustAccuracy'),
    updatedAt: run.updatedAt,
  };
}

/** The run or 404. */
export function findRun(store: StoreReader, raw: unknown): RunRecord {
  const id = parseInput(runIdSchema, raw, 'run id');
  const run = store.run(id);
  if (run === undefined) throw notFound(`run ${id}`);
  return run;
}

/** `GET /api/runs` (newest first) and `GET /api/runs/:runId` (with its configuration). */
export function runsRouter(store: StoreReader): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.json(store.runs().map((run) => runSummary(store, run)));
  });
  router.get('/:runId', (req, res) => {
    const run = findRun(store, req.params.runId);
    const detail: RunDetail = {
      ...runSummary(store, run),
      config: run.config,
      backendInfo: run.backend,
      error: run.error,
      createdAt: run.createdAt,
      scalarNames: store.scalarNames(run.id),
    };
    res.json(detail);
  });
  return router;
}
