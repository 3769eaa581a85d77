/**
 * The writer protocol: what a remote trainer sends a server so that the server's store ends up
 * holding what the trainer's local store (its spool) committed. Each message is one store write,
 * addressed by names (a run by name, a slice set by name, a slice by its position in the set),
 * because the two stores number their records independently; applying a message twice leaves the
 * store as applying it once. Frames travel in the stored encoding with their delta flag, in step
 * order per slice, so the server's store decodes them exactly as the spool does.
 * Environment-neutral: the trainer and the server share it.
 */
import { z } from 'zod';
import type { PointSpec } from '../slices/points.js';
import type { BackendInfo } from '../trainer/backend-info.js';
import type { RunConfig } from '../trainer/run-config.js';

/** The socket.io namespace remote trainers connect to, with `auth: { token }`. */
export const WRITERS_NAMESPACE = '/writers';
/** The event every writer message travels on; the server acknowledges each with a WriteAck. */
export const WRITE_EVENT = 'store:write';

/** The prefix of the connection error a server gives a writer without the right token. */
export const UNAUTHORIZED = 'unauthorized';

const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const step = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const name = z.string().min(1).max(4096);
const scalars = z.record(z.string().min(1).max(200), z.number());
/** Records kept as the trainer wrote them (RunConfig, BackendInfo, PointSpec): checked to be objects, stored as JSON. */
const record = z.record(z.string(), z.unknown());
const vector = z.array(z.number()).min(1);
const bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected bytes');

const sliceSetMessage = z.object({
  kind: z.literal('sliceSet'),
  seq,
  name,
  dataset: name,
  slices: z
    .array(
      z.object({
        name,
        points: z.object({ a: record, b: record, c: record }),
        vectors: z.object({ a: vector, b: vector, c: vector }),
        resolution: z.number().int().min(1).max(100_000),
      }),
    )
    .min(1),
});

const runMessage = z.object({
  kind: z.literal('run'),
  seq,
  name,
  /** The run's slice set by name; null for a run that records no frames. */
  setName: name.nullable(),
  config: record,
  backend: record,
  totalSteps: step,
  /** `running` starts the run or takes it over again; the others end it. */
  status: z.enum(['running', 'completed', 'failed', 'stopped']),
  error: z.string().max(10_000).nullable(),
});

const stepMessage = z.object({
  kind: z.literal('step'),
  seq,
  run: name,
  step,
  scalars,
  /** The step's frames, one per slice at most: the slice's position in the run's set, the stored encoding. */
  frames: z.array(z.object({ slice: z.number().int().min(0), delta: z.boolean(), data: bytes })),
});

const scalarsMessage = z.object({
  kind: z.literal('scalars'),
  seq,
  run: name,
  step,
  scalars,
});

/** Every writer message, keyed on `kind`; `seq` increases by one per message of a writer. */
export const writerMessageSchema = z.discriminatedUnion('kind', [
  sliceSetMessage,
  runMessage,
  stepMessage,
  scalarsMessage,
]);
export type WriterMessage = z.output<typeof writerMessageSchema>;
export type SliceSetMessage = z.output<typeof sliceSetMessage>;
export type RunMessage = z.output<typeof runMessage>;
export type StepMessage = z.output<typeof stepMessage>;
export type ScalarsMessage = z.output<typeof scalarsMessage>;

/** The server's answer to one message: applied (possibly again), or refused with a stable code. */
export type WriteAck = { ok: true; seq: number } | { ok: false; seq: number; error: { code: string; message: string } };

/** The records a writer message carries as plain objects, typed as the store keeps them. */
export const asRunConfig = (value: Record<string, unknown>): RunConfig => value as unknown as RunConfig;
export const asBackendInfo = (value: Record<string, unknown>): BackendInfo => value as unknown as BackendInfo;
export const asPointSpec = (value: Record<string, unknown>): PointSpec => value as unknown as PointSpec;
