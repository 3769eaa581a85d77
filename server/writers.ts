import { timingSafeEqual } from 'node:crypto';
import type { Namespace, Server, Socket } from 'socket.io';
import { SlicewatchError } from '../core/errors.js';
import type { RunId, SliceId } from '../core/ids.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { HEARTBEAT_INTERVAL_MS, type SliceSetRecord } from '../store/types.js';
import {
  asBackendInfo,
  asPointSpec,
  asRunConfig,
  UNAUTHORIZED,
  WRITE_EVENT,
  WRITERS_NAMESPACE,
  writerMessageSchema,
  type RunMessage,
  type SliceSetMessage,
  type StepMessage,
  type WriteAck,
} from '../store/wire.js';
import { describeIssues } from './http-errors.js';

export interface WritersOptions {
  /** The token every writer must present (`auth: { token }`); absent or empty: every writer is refused. */
  token?: string;
}

/** A writer message the server cannot apply: a stable code and a one-line message. */
export class WriteRefusedError extends SlicewatchError {}

/**
 * The `/writers` namespace: remote trainers (`slicewatch train --server URL --token T`) connect
 * with the writer token and send their store's commits as writer messages (store/wire.ts), in
 * order. Each is validated, applied in one store transaction and acknowledged; applying one again
 * changes nothing, so a writer resends whatever was not acknowledged when its connection broke.
 * While a writer is connected, the runs it wrote to beat; when it goes away they read as
 * interrupted until it is back.
 */
export function attachWriters(io: Server, store: SqliteStore, options: WritersOptions = {}): Namespace {
  const writers = io.of(WRITERS_NAMESPACE);
  writers.use((socket, next) => {
    const refusal = checkToken(options.token, (socket.handshake.auth as { token?: unknown }).token);
    if (refusal === undefined) next();
    else next(Object.assign(new Error(`${UNAUTHORIZED}: ${refusal}`), { data: { code: 'UNAUTHORIZED' } }));
  });
  writers.on('connection', (socket) => serveWriter(socket, store));
  return writers;
}

function checkToken(expected: string | undefined, given: unknown): string | undefined {
  if (expected === undefined || expected === '')
    return 'this server accepts no remote trainers; start it with a writer token';
  if (typeof given !== 'string' || given === '') return 'a writer token is required; pass --token T';
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b))
    return 'wrong writer token; pass the token the server was started with';
  return undefined;
}

function serveWriter(socket: Socket, store: SqliteStore): void {
  const beating = new Set<RunId>();
  /** Slice ids by position, per run, once looked up. */
  const slicesOf = new Map<RunId, SliceId[]>();
  const timer = setInterval(() => {
    for (const id of beating) store.heartbeat(id);
  }, HEARTBEAT_INTERVAL_MS);
  timer.unref();
  socket.on('disconnect', () => clearInterval(timer));

  socket.on(WRITE_EVENT, (payload: unknown, ack: unknown) => {
    const reply = (answer: WriteAck) => {
      if (typeof ack === 'function') (ack as (answer: WriteAck) => void)(answer);
    };
    const seq = (payload as { seq?: unknown } | null)?.seq;
    const seqOf = typeof seq === 'number' ? seq : -1;
    const parsed = writerMessageSchema.safeParse(payload);
    if (!parsed.success) {
      reply({
        ok: false,
        seq: seqOf,
        error: { code: 'INVALID_MESSAGE', message: `invalid writer message: ${describeIssues(parsed.error)}` },
      });
      return;
    }
    const message = parsed.data;
    try {
      switch (message.kind) {
        case 'sliceSet':
          applySliceSet(store, message);
          break;
        case 'run':
          beating.add(applyRun(store, message));
          break;
        case 'step': {
          const runId = runNamed(store, message.run);
          beating.add(runId);
          store.putStep(runId, message.step, message.scalars, framesOf(store, slicesOf, runId, message));
          break;
        }
        case 'scalars':
          store.putScalars(runNamed(store, message.run), message.step, message.scalars);
          break;
        default: {
          const never: never = message;
          throw new Error(`unknown message ${String(never)}`);
        }
      }
      reply({ ok: true, seq: message.seq });
    } catch (error) {
      const known = error instanceof SlicewatchError;
      reply({
        ok: false,
        seq: message.seq,
        error: {
          code: known ? error.code : 'INTERNAL',
          message: known ? error.message : 'the server could not store this message; see its log',
        },
      });
      if (!known) console.error(error);
    }
  });
}

/** A set the server does not have is created; one it has must hold the same slices. */
function applySliceSet(store: SqliteStore, message: SliceSetMessage): void {
  const existing = store.sliceSetByName(message.name);
  if (existing === undefined) {
    store.createSliceSet(
      message.name,
      message.dataset,
      message.slices.map((s) => ({
        name: s.name,
        points: { a: asPointSpec(s.points.a), b: asPointSpec(s.points.b), c: asPointSpec(s.points.c) },
        vectors: {
          a: Float32Array.from(s.vectors.a),
          b: Float32Array.from(s.vectors.b),
          c: Float32Array.from(s.vectors.c),
        },
        resolution: s.resolution,
      })),
    );
    return;
  }
  if (!sameSlices(existing, message))
    throw new WriteRefusedError(
      'SLICE_SET_CONFLICT',
      `the server already holds a different slice set named ${message.name}; record on another one with --slice-set NAME`,
    );
}

function sameSlices(set: SliceSetRecord, message: SliceSetMessage): boolean {
  const same = (a: Float32Array, b: number[]) => a.length === b.length && a.every((v, i) => v === Math.fround(b[i]!));
  return (
    set.dataset === message.dataset &&
    set.slices.length === message.slices.length &&
    set.slices.every((s, i) => {
      const m = message.slices[i]!;
      return (
        s.resolution === m.resolution &&
        same(s.vectors.a, m.vectors.a) &&
        same(s.vectors.b, m.vectors.b) &&
        same(s.vectors.c, m.vectors.c)
      );
    })
  );
}

/** Creates the run, takes it over again (`running`) or ends it, as the writer's store did. */
function applyRun(store: SqliteStore, message: RunMessage): RunId {
  const existing = store.runByName(message.name);
  let id: RunId;
  if (existing === undefined) {
    const set = message.setName === null ? undefined : store.sliceSetByName(message.setName);
    if (message.setName !== null && set === undefined)
      throw new WriteRefusedError('UNKNOWN_SLICE_SET', `no slice set named ${message.setName}; send it before the run`);
    id = store.createRun({
      name: message.name,
      setId: set?.id ?? null,
      config: asRunConfig(message.config),
      backend: asBackendInfo(message.backend),
      totalSteps: message.totalSteps,
    });
  } else {
    id = existing.id;
    if (message.status === 'running' && existing.status !== 'running') store.reopenRun(id, message.totalSteps);
  }
  if (message.status !== 'running') store.endRun(id, message.status, message.error ?? undefined);
  return id;
}

function runNamed(store: SqliteStore, name: string): RunId {
  const run = store.runByName(name);
  if (run === undefined)
    throw new WriteRefusedError('UNKNOWN_RUN', `no run named ${name}; send the run before its steps`);
  return run.id;
}

function framesOf(store: SqliteStore, slicesOf: Map<RunId, SliceId[]>, runId: RunId, message: StepMessage) {
  if (message.frames.length === 0) return [];
  let slices = slicesOf.get(runId);
  if (slices === undefined) {
    const setId = store.run(runId)?.setId ?? null;
    if (setId === null) throw new WriteRefusedError('NO_SLICE_SET', `run ${message.run} records no frames`);
    slices = store.sliceSet(setId)!.slices.map((s) => s.id);
    slicesOf.set(runId, slices);
  }
  return message.frames.map((f) => {
    const sliceId = slices[f.slice];
    if (sliceId === undefined)
      throw new WriteRefusedError(
        'UNKNOWN_SLICE',
        `run ${message.run}'s slice set has no slice at position ${f.slice}`,
      );
    return { sliceId, delta: f.delta, data: f.data };
  });
}
