/** What every time chart reads from the model the same way: the x axis's scale, the markers, a run's label. */
import type { RunSummary } from '../../server/protocol.js';
import type { Dashboard } from '../model/dashboard.js';
import { axisScale, type AxisScale } from './axis.js';
import { timeMarkers, type Marker } from './markers.js';

/**
 * The scale of the chosen axis, from the first compared run (steps per epoch from its `epoch`
 * series, its batch size): compared runs are drawn on one axis.
 */
export function chartScale(model: Dashboard): AxisScale {
  const first = model.compared[0];
  if (first === undefined) return axisScale('step', 0, 0);
  return axisScale(model.view.axis, model.stepsPerEpoch(first.id), model.details.get(first.id)?.config.batchSize ?? 0);
}

const markerCache = new WeakMap<Dashboard, { key: string; markers: Marker[] }>();

/** Epoch boundaries, learning-rate jumps and evaluations of the compared runs (computed once per change of the scalars, for every chart). */
export function chartMarkers(model: Dashboard): Marker[] {
  const key = `${model.scalars.version}:${model.compared.map((r) => r.id).join()}`;
  const cached = markerCache.get(model);
  if (cached?.key === key) return cached.markers;
  const markers = timeMarkers(
    model.compared.map(({ id }) => ({
      epoch: model.scalars.get(id, 'epoch'),
      lr: model.scalars.get(id, 'lr'),
      testAccuracy: model.scalars.get(id, 'testAccuracy'),
    })),
  );
  markerCache.set(model, { key, markers });
  return markers;
}

/** A run as charts name it: the last part of its run folder. */
export const runLabel = (run: RunSummary): string => run.name.split('/').filter(Boolean).pop() ?? `run ${run.id}`;
