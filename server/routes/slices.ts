import { Router } from 'express';
import type { SliceId } from '../../core/ids.js';
import { encodePng } from '../../slices/png.js';
import { formatPoint } from '../../slices/points.js';
import { imageToRgb } from '../../slices/render.js';
import type { SliceSetRecord, StoredSlice, StoreReader } from '../../store/types.js';
import { classNamesOf } from '../../trainer/datasets/class-names.js';
import { HttpError, notFound, parseInput } from '../http-errors.js';
import { sliceIdSchema, sliceSetIdSchema, type SlicePointsDto, type SliceSetDto } from '../protocol.js';
import { IMMUTABLE } from './cache.js';

const POINTS = ['a', 'b', 'c'] as const;

/** The class count when neither the dataset spec nor a recorded frame tells it: every built-in dataset has 10. */
const DEFAULT_CLASS_COUNT = 10;

/**
 * The number of classes of a set's recorded frames (the first frame of the first run recorded on
 * it), or DEFAULT_CLASS_COUNT while none is recorded.
 */
function recordedClassCount(store: StoreReader, set: SliceSetRecord): number {
  const slice = set.slices[0];
  const run = store.runs().find((r) => r.setId === set.id);
  if (slice === undefined || run === undefined) return DEFAULT_CLASS_COUNT;
  const frames = store.frames(run.id, slice.id);
  const first = frames.next();
  frames.return(undefined);
  return first.done ? DEFAULT_CLASS_COUNT : first.value.frame.classes;
}

/** A slice set as the dashboard gets it: class names, image shape, slices with provenance and thumbnail links. */
export function sliceSetDto(store: StoreReader, set: SliceSetRecord): SliceSetDto {
  return {
    id: set.id,
    name: set.name,
    dataset: set.dataset,
    classNames: classNamesOf(set.dataset, () => recordedClassCount(store, set)),
    imageShape: imageShape(set.slices[0]?.vectors.a.length ?? 0),
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
 * Slice sets and their slices' points:
 * `GET /api/slice-sets` and `GET /api/slice-sets/:setId` (SliceSetDto: class names, image shape, slices);
 * `GET /api/slices/:sliceId/points` (SlicePointsDto: the stored vectors a, b, c and their image shape,
 * cached for good);
 * `GET /api/slices/:sliceId/thumbnails/(a|b|c).png?scale=` a point's picture (nearest neighbour,
 * scale 1 to 8, default 4).
 */
export function slicesRouter(store: StoreReader): Router {
  const router = Router();
  router.get('/slice-sets', (_req, res) => {
    res.json(store.sliceSets().map((set) => sliceSetDto(store, set)));
  });
  router.get('/slice-sets/:setId', (req, res) => {
    const id = parseInput(sliceSetIdSchema, req.params.setId, 'slice set id');
    const set = store.sliceSet(id);
    if (set === undefined) throw notFound(`slice set ${id}`);
    res.json(sliceSetDto(store, set));
  });
  router.get('/slices/:sliceId/points', (req, res) => {
    const { vectors } = findSlice(store, req.params.sliceId);
    const points: SlicePointsDto = {
      shape: imageShape(vectors.a.length),
      a: Array.from(vectors.a),
      b: Array.from(vectors.b),
      c: Array.from(vectors.c),
    };
    res.setHeader('Cache-Control', IMMUTABLE);
    res.json(points);
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
