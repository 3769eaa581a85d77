import { Router } from 'express';
import type { SliceId } from '../../core/ids.js';
import { encodePng } from '../../slices/png.js';
import { formatPoint } from '../../slices/points.js';
import { imageToRgb } from '../../slices/render.js';
import type { SliceSetRecord, StoredSlice, StoreReader } from '../../store/types.js';
import { HttpError, notFound, parseInput } from '../http-errors.js';
import { sliceIdSchema, sliceSetIdSchema, type SliceSetDto } from '../protocol.js';
import { IMMUTABLE } from './cache.js';

const POINTS = ['a', 'b', 'c'] as const;

/** A slice set as the dashboard gets it: slices with provenance and thumbnail links. */
export function sliceSetDto(set: SliceSetRecord): SliceSetDto {
  return {
    id: set.id,
    name: set.name,
    dataset: set.dataset,
    createdAt: set.createdAt,
    slices: set.slices.map((slice) => ({
      id: slice.id,
      position: slice.position,
      name: slice.name,
      resolution: slice.resolution,
      points: { a: formatPoint(slice.points.a), b: formatPoint(slice.points.b), c: formatPoint(slice.points.c) },
      thumbnails: {
        a: `/api/slices/${slice.id}/thumbnails/a.png`,
        b: `/api/slices/${slice.id}/thumbnails/b.png`,
        c: `/api/slices/${slice.id}/thumbnails/c.png`,
      },
    })),
  };
}

/** The slice or 404 (slices are few: a set holds tens). */
export function findSlice(store: StoreReader, raw: unknown): StoredSlice {
  const id: SliceId = parseInput(sliceIdSchema, raw, 'slice id');
  const slice = store
    .sliceSets()
    .flatMap((set) => set.slices)
    .find((s) => s.id === id);
  if (slice === undefined) throw notFound(`slice ${id}`);
  return slice;
}

/** The image shape of an input vector of length d: MNIST 28×28×1, CIFAR-10 32×32×3, else a square or a row. */
export function imageShape(d: number): [number, number, number] {
  if (d === 3072) return [32, 32, 3];
  const side = Math.round(Math.sqrt(d));
  return side * side === d ? [side, side, 1] : [1, d, 1];
}

/**
 * `GET /api/slice-sets`, `GET /api/slice-sets/:setId`, and a point's picture
 * `GET /api/slices/:sliceId/thumbnails/(a|b|c).png?scale=` (nearest neighbour, scale 1 to 8, default 4).
 */
export function slicesRouter(store: StoreReader): Router {
  const router = Router();
  router.get('/slice-sets', (_req, res) => {
    res.json(store.sliceSets().map(sliceSetDto));
  });
  router.get('/slice-sets/:setId', (req, res) => {
    const id = parseInput(sliceSetIdSchema, req.params.setId, 'slice set id');
    const set = store.sliceSet(id);
    if (set === undefined) throw notFound(`slice set ${id}`);
    res.json(sliceSetDto(set));
  });
  router.get('/slices/:sliceId/thumbnails/:point', (req, res) => {
    const slice = findSlice(store, req.params.sliceId);
    const point = POINTS.find((p) => `${p}.png` === req.params.point);
    if (point === undefined)
      throw new HttpError(404, 'NOT_FOUND', `thumbnail ${req.params.point} not found; expected a.png, b.png or c.png`);
    const scale = parseScale(req.query['scale']);
    const vector = slice.vectors[point];
    const image = imageToRgb(vector, imageShape(vector.length), scale);
    res.setHeader('Cache-Control', IMMUTABLE);
    res.type('png').send(Buffer.from(encodePng(image.rgb, image.width, image.height)));
  });
  return router;
}

/** `?scale=` of a PNG: an integer 1 to 8, 4 when absent. */
export function parseScale(raw: unknown): number {
  if (raw === undefined) return 4;
  if (typeof raw !== 'string' || !/^[1-8]$/.test(raw))
    throw new HttpError(400, 'BAD_REQUEST', `invalid scale: ${String(raw)}; expected an integer from 1 to 8`);
  return Number(raw);
}
