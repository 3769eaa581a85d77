/**
 * The planes of the slices on the page, each built once from its points (GET /api/slices/:id/points,
 * immutable) and shared by every cell of its row; a failed load is forgotten so a later call retries.
 */
import type { SliceId } from '../../core/ids.js';
import type { SliceDto } from '../../server/protocol.js';
import { api } from '../model/api.js';
import { slicePlane, type SlicePlane } from './plane-point.js';

const planes = new Map<SliceId, Promise<SlicePlane>>();

/** The plane of a slice, loaded on first use. Rejects when its points cannot be had or make no plane. */
export function loadSlicePlane(slice: SliceDto): Promise<SlicePlane> {
  let plane = planes.get(slice.id);
  if (plane === undefined) {
    plane = api.slicePoints(slice.id).then((points) => slicePlane(points, slice.resolution));
    plane.catch(() => planes.delete(slice.id));
    planes.set(slice.id, plane);
  }
  return plane;
}
