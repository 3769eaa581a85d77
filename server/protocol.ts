/**
 * The one protocol between the server and the dashboard: REST payloads, the socket.io event maps and
 * the error reply, with zod schemas for everything that arrives at the server. Environment-neutral
 * (neither Node nor DOM types), so the client imports it too; frames travel in the stored encoding
 * and decode with slices/frame-codec.ts on either side.
 */
import { z } from 'zod';
import { MAX_FRAME_SPAN, MAX_METRIC_SPAN, MAX_SCALAR_SPAN } from './wire-format.js';
import type { RunId, SliceId, SliceSetId } from '../core/ids.js';
import { PALETTE_NAMES } from '../slices/palette.js';
import type { RunStatus, ScalarPoint } from '../store/types.js';
import type { BackendInfo } from '../trainer/backend-info.js';
import type { RunConfig } from '../trainer/run-config.js';
import { TRAIN_PRESETS, type JobRecord, type JobRequest } from './job-types.js';

/** The limits and the packed frame rows, which the browser needs without zod (see wire-format.ts). */
export {
  FRAME_ROWS_TYPE,
  MAX_BODY_BYTES,
  MAX_FRAME_SPAN,
  MAX_METRIC_SPAN,
  MAX_SCALAR_SPAN,
  packFrameRows,
  unpackFrameRows,
  type FrameRow,
} from './wire-format.js';

/** Every error reply, HTTP body or socket ack: a stable code (e.g. `NOT_FOUND`) and a one-line message. */
export interface ErrorBody {
  code: string;
  message: string;
}
export interface ErrorReply {
  error: ErrorBody;
}

/** A step as it arrives in a query string or payload: a non-negative safe integer. */
const stepNumber = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const stepText = z
  .string()
  .regex(/^\d{1,15}$/, 'expected a non-negative integer')
  .transform(Number);
/** A positive id, given as a number or as decimal text (a path segment). */
const idText = z.union([z.number().int().positive().max(Number.MAX_SAFE_INTEGER), z.string().regex(/^[1-9]\d{0,14}$/)]);
export const runIdSchema = idText.transform((v) => Number(v) as RunId);
export const sliceIdSchema = idText.transform((v) => Number(v) as SliceId);
export const sliceSetIdSchema = idText.transform((v) => Number(v) as SliceSetId);

/** An inclusive step range, either end optional: never reversed, at most `span` steps. */
function checkRange<T extends { from?: number | undefined; to?: number | undefined }>(
  schema: z.ZodType<T>,
  span: number,
) {
  return schema
    .refine((r) => r.from === undefined || r.to === undefined || r.from <= r.to, {
      message: 'reversed step range: from must not exceed to',
    })
    .refine((r) => r.from === undefined || r.to === undefined || r.to - r.from < span, {
      message: `step range too large: at most ${span} steps`,
    });
}

/** A palette by name (slices/palette.ts): `default` or `colour-blind`. */
export const paletteSchema = z.enum(PALETTE_NAMES);

/** `/api/runs/:runId/scalars/:name`: a scalar series name is a short identifier. */
export const scalarNameSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'expected a scalar name');
export const scalarQuerySchema = checkRange(
  z.object({ from: stepText.optional(), to: stepText.optional(), format: z.enum(['json', 'csv']).optional() }).strict(),
  MAX_SCALAR_SPAN,
);
const stepRange = z.object({ from: stepText.optional(), to: stepText.optional() }).strict();
/** `/api/runs/:runId/scalars.csv` takes no query. */
export const scalarTableQuerySchema = z.object({}).strict();
/** `?from=&to=` of a slice's frames. */
export const frameQuerySchema = checkRange(stepRange, MAX_FRAME_SPAN);
/** `?from=&to=` of a slice's metrics over time. */
export const metricQuerySchema = checkRange(stepRange, MAX_METRIC_SPAN);

/** A job request as the dashboard posts it (server/job-types.ts JobRequest). */
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected a name of letters, digits, _ . -');
/**
 * A run's name in the store: its run folder as the trainer was given it (`runs/base`, an absolute
 * path for a server-trained run). Only ever looked up in the store, never opened; no `..` segment.
 */
const runName = z
  .string()
  .min(1)
  .max(512)
  .refine((s) => !s.split(/[\\/]/).includes('..') && !s.includes('\0'), 'expected a run name without .. segments');
/** A dataset the server reads: the embedded `mnist`, or `idx:FOLDER` / `cifar10:PATH` without `..` segments. */
const datasetSpec = z
  .string()
  .max(512)
  .regex(/^(mnist|idx:.+|cifar10:.+)$/, 'expected mnist, idx:FOLDER or cifar10:PATH')
  .refine((s) => !s.split(/[\\/]/).includes('..'), 'expected a dataset path without .. segments');
const pointText = z
  .string()
  .max(200)
  .refine((s) => !s.includes('..') && !s.includes('/') && !s.includes('\\'), 'expected a point spec, not a path');
export const jobRequestSchema: z.ZodType<JobRequest> = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('video'),
      runs: z.array(runName).min(1).max(8),
      slices: z.union([z.array(z.number().int().min(0).max(1000)).min(1).max(64), z.literal('all')]),
      sliceSet: name.optional(),
      time: z.enum(['every', 'log']),
      frames: z.number().int().min(1).max(100_000),
      fps: z.number().int().min(1).max(240),
      scale: z.number().int().min(1).max(32),
      palette: paletteSchema.optional(),
      from: stepNumber.optional(),
      to: stepNumber.optional(),
    })
    .strict()
    .refine((r) => r.from === undefined || r.to === undefined || r.from <= r.to, {
      message: 'reversed step range: from must not exceed to',
    }),
  z
    .object({
      kind: z.literal('rerender'),
      run: runName,
      a: pointText,
      b: pointText,
      c: pointText,
      name,
      resolution: z.number().int().min(8).max(2048),
      mode: z.enum(['full', 'adaptive']),
    })
    .strict(),
  z
    .object({
      kind: z.literal('train'),
      preset: z.enum(TRAIN_PRESETS),
      name,
      steps: z.number().int().min(1).max(10_000_000),
      dataset: datasetSpec,
      sliceSet: name.optional(),
    })
    .strict(),
]);
export const jobIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a job id');

/** A run in the list: its status, backend and newest numbers. */
export interface RunSummary {
  id: RunId;
  name: string;
  status: RunStatus;
  backend: BackendInfo['kind'];
  step: number;
  totalSteps: number;
  setId: SliceSetId | null;
  loss: number | null;
  accuracy: number | null;
  robustAccuracy: number | null;
  updatedAt: string;
}

/** One run with its configuration. */
export interface RunDetail extends RunSummary {
  config: RunConfig;
  backendInfo: BackendInfo;
  error: string | null;
  createdAt: string;
  scalarNames: string[];
}

/** A slice with its points' provenance (point specs as the CLI writes them) and thumbnail links. */
export interface SliceDto {
  id: SliceId;
  position: number;
  name: string;
  resolution: number;
  points: { a: string; b: string; c: string };
  thumbnails: { a: string; b: string; c: string };
}
/** A slice set with what the dashboard needs to label it. */
export interface SliceSetDto {
  id: SliceSetId;
  name: string;
  dataset: string;
  /** The name of each class, by label: MNIST's digits, Fashion-MNIST's or CIFAR-10's names, else "0" to "K−1". */
  classNames: string[];
  /** [height, width, channels] of an input image, so a vector of [0,1]^d (d = h·w·c) can be drawn. */
  imageShape: [number, number, number];
  createdAt: string;
  slices: SliceDto[];
}

/**
 * `GET /api/slices/:sliceId/points`: a slice's points a, b, c as stored, vectors in [0,1]^d
 * (d = h·w·c, row-major as `shape`), from which slices/geometry.ts gives the image at any pixel.
 */
export interface SlicePointsDto {
  shape: [number, number, number];
  a: number[];
  b: number[];
  c: number[];
}

/**
 * `GET /api/runs/:runId/slices/:sliceId/metrics`: the metrics of a run's recorded frames on a slice
 * (slices/metrics.ts), one entry per recorded step in the range, by step.
 */
export interface SliceMetricSeries {
  runId: RunId;
  sliceId: SliceId;
  steps: number[];
  /** Per step, per class: the share of the feasible pixels in the class's region (0 to 1). */
  area: number[][];
  /** Per step, per class: connected components of the class's region (4-connectivity). */
  components: number[][];
  /** Per step: feasible pixels with a feasible 4-neighbour of another class. */
  boundary: number[];
  /** Per step: feasible pixels whose class differs from the previous recorded frame's (0 for a run's first). */
  flipped: number[];
}

export interface ScalarSeries {
  runId: RunId;
  name: string;
  points: ScalarPoint[];
}

/**
 * `scalar:new`: scalars of one step of a run, in commit order; each (step, name) is sent once, so an
 * evaluation committed after its step (testAccuracy) comes as a second push for that step with its own values.
 */
export interface ScalarPush {
  runId: RunId;
  step: number;
  values: Record<string, number>;
}

/**
 * `frame:new`: the newest frame of a slice. `rows` (packFrameRows: one binary, since socket.io
 * clients refuse a packet with more than 10 binary attachments) decode in order: from a key frame
 * when `base` is null, else the first row is a delta on the frame of step `base` this client was
 * sent last.
 */
export interface FramePush {
  runId: RunId;
  sliceId: SliceId;
  step: number;
  base: number | null;
  rows: Uint8Array;
}

/** `run:watch`: watch a run; with `fromStep`, the scalars after that step are sent first (a reconnect). */
export const watchSchema = z.object({ runId: runIdSchema, fromStep: stepNumber.optional() }).strict();
export const unwatchSchema = z.object({ runId: runIdSchema }).strict();
export type WatchRequest = z.input<typeof watchSchema>;

/** A socket ack: the run on success, or the error reply. */
export type WatchAck = ({ ok: true } & { run: RunSummary }) | ({ ok: false } & ErrorReply);
export type Ack = { ok: true } | ({ ok: false } & ErrorReply);

export interface ServerToClientEvents {
  'scalar:new': (push: ScalarPush) => void;
  /** The client calls `received` once it has taken the frame; until then newer frames replace older ones. */
  'frame:new': (push: FramePush, received: () => void) => void;
  'run:status': (run: RunSummary) => void;
  'job:progress': (job: JobRecord) => void;
}

export interface ClientToServerEvents {
  'run:watch': (request: WatchRequest, ack: (reply: WatchAck) => void) => void;
  'run:unwatch': (request: { runId: number }, ack: (reply: Ack) => void) => void;
}
