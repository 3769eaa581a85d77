import { io } from 'socket.io-client';
import { SlicewatchError } from '../core/errors.js';
import type { RunId } from '../core/ids.js';
import { START_CURSOR, type RunRecord, type StoredSlice, type StoreReader, type StoreCursor } from '../store/types.js';
import {
  UNAUTHORIZED,
  WRITE_EVENT,
  WRITERS_NAMESPACE,
  type RunMessage,
  type WriteAck,
  type WriterMessage,
} from '../store/wire.js';

/** Replication that cannot go on: refused by the server, or the server unreachable when flushing. */
export class RemoteWriteError extends SlicewatchError {}

export type ReplicationStatus =
  | { kind: 'connected' }
  | { kind: 'disconnected'; reason: string; backlog: number }
  | { kind: 'failed'; error: RemoteWriteError };

export interface ReplicationOptions {
  /** The local store the run is trained into (its file named in messages); only read. */
  spool: StoreReader & { readonly path: string };
  /** The run to replicate, by name (its `--out`). */
  runName: string;
  /** The server, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** The server's writer token. */
  token: string;
  onStatus?: (status: ReplicationStatus) => void;
  /** How often the spool is polled for commits, in ms. */
  pollMs?: number;
  /** The most messages sent and not yet acknowledged. */
  window?: number;
  /** How long a message waits for its acknowledgement before it is sent again, in ms. */
  ackTimeoutMs?: number;
  /** How long flush() waits for an unreachable server, in ms. */
  flushTimeoutMs?: number;
}

export interface Replication {
  /** Messages read from the spool and not yet acknowledged. */
  readonly backlog: number;
  /** Resolves once everything the spool committed so far is acknowledged; rejects with RemoteWriteError. */
  flush(): Promise<void>;
  /** Stops polling and disconnects; what is not acknowledged stays in the spool. */
  close(): Promise<void>;
}

/**
 * Ships a run's commits from its spool (the local store it is trained into) to a server's
 * `/writers` namespace, in commit order: each commit becomes one writer message (store/wire.ts),
 * at most `window` are in flight, and a message leaves the backlog only when the server
 * acknowledges it. When the connection breaks (the server stopped or restarted) everything not
 * acknowledged is sent again, in order, once it is back; the server applies each message
 * idempotently, so nothing is lost and nothing is duplicated.
 */
export function startReplication(options: ReplicationOptions): Replication {
  const { spool, runName, url, token, onStatus = () => {} } = options;
  const pollMs = options.pollMs ?? 100;
  const window = options.window ?? 32;
  const ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
  const flushTimeoutMs = options.flushTimeoutMs ?? 60_000;

  const socket = io(new URL(WRITERS_NAMESPACE, url).href, {
    auth: { token },
    reconnectionDelay: 250,
    reconnectionDelayMax: 2000,
  });
  let cursor: StoreCursor = START_CURSOR;
  let runId: RunId | undefined;
  let slices: StoredSlice[] = [];
  let nextSeq = 0;
  /** Messages not yet acknowledged, in order; the first `inFlight` of them are sent on this connection. */
  let pending: WriterMessage[] = [];
  let inFlight = 0;
  /** Bumped whenever the connection breaks, so late acknowledgements of an old connection are ignored. */
  let generation = 0;
  let failure: RemoteWriteError | undefined;
  let closed = false;
  /** Whether the user was told the server is unreachable since the last connection. */
  let toldUnreachable = false;

  const fail = (error: RemoteWriteError) => {
    failure ??= error;
    onStatus({ kind: 'failed', error });
    socket.disconnect();
  };

  const resend = () => {
    generation++;
    inFlight = 0;
    socket.sendBuffer.length = 0;
  };

  const pump = () => {
    while (failure === undefined && socket.connected && inFlight < Math.min(window, pending.length)) {
      const message = pending[inFlight++]!;
      const sentIn = generation;
      socket.timeout(ackTimeoutMs).emit(WRITE_EVENT, message, (error: Error | null, ack: WriteAck) => {
        if (sentIn !== generation) return;
        if (error) {
          resend();
          pump();
          return;
        }
        if (!ack.ok) {
          fail(new RemoteWriteError(ack.error.code, `the server refused record ${ack.seq}: ${ack.error.message}`));
          return;
        }
        // Acknowledgements come in order; one acknowledges everything up to it.
        let done = 0;
        while (pending[done] !== undefined && pending[done]!.seq <= ack.seq) done++;
        pending = pending.slice(done);
        inFlight = Math.max(0, inFlight - done);
        pump();
      });
    }
  };

  const runMessage = (run: RunRecord, status: RunMessage['status']): RunMessage => ({
    kind: 'run',
    seq: nextSeq++,
    name: run.name,
    setName: run.setId === null ? null : (spool.sliceSet(run.setId)?.name ?? null),
    config: { ...run.config },
    backend: { ...run.backend },
    totalSteps: run.totalSteps,
    status,
    error: status === 'running' ? null : run.error,
  });

  const scalarsAt = (id: RunId, step: number): Record<string, number> => {
    const values: Record<string, number> = {};
    for (const name of spool.scalarNames(id)) {
      const point = spool.scalars(id, name, { from: step, to: step })[0];
      if (point !== undefined) values[name] = point.value;
    }
    return values;
  };

  /** Turns what the spool committed since the last poll into messages, in commit order. */
  const poll = () => {
    if (failure !== undefined) return;
    const changes = spool.changesSince(cursor);
    cursor = changes.cursor;
    const run = changes.runs.find((r) => (runId === undefined ? r.name === runName : r.id === runId));
    if (run !== undefined && runId === undefined) {
      runId = run.id;
      const set = run.setId === null ? undefined : spool.sliceSet(run.setId);
      if (set !== undefined) {
        slices = set.slices;
        pending.push({
          kind: 'sliceSet',
          seq: nextSeq++,
          name: set.name,
          dataset: set.dataset,
          slices: set.slices.map((s) => ({
            name: s.name,
            points: { a: { ...s.points.a }, b: { ...s.points.b }, c: { ...s.points.c } },
            vectors: { a: [...s.vectors.a], b: [...s.vectors.b], c: [...s.vectors.c] },
            resolution: s.resolution,
          })),
        });
      }
      pending.push(runMessage(run, 'running'));
    } else if (run?.status === 'running') {
      pending.push(runMessage(run, 'running'));
    }
    const id = runId;
    if (id === undefined) return;
    for (const { step } of changes.steps.filter((s) => s.runId === id)) {
      const frames = [];
      for (const slice of slices) {
        const row = spool.frameRows(id, slice.id, { from: step, to: step }).find((r) => r.step === step);
        if (row !== undefined) frames.push({ slice: slice.position, delta: row.delta, data: row.data });
      }
      pending.push({ kind: 'step', seq: nextSeq++, run: runName, step, scalars: scalarsAt(id, step), frames });
    }
    for (const { step } of changes.scalars.filter((s) => s.runId === id))
      pending.push({ kind: 'scalars', seq: nextSeq++, run: runName, step, scalars: scalarsAt(id, step) });
    if (run?.status === 'completed' || run?.status === 'failed' || run?.status === 'stopped')
      pending.push(runMessage(run, run.status));
    pump();
  };

  const tick = () => {
    try {
      poll();
    } catch {
      // The spool busy for longer than its timeout: the next tick reads the same commits.
    }
  };
  const timer = setInterval(tick, pollMs);
  tick();

  socket.on('connect', () => {
    toldUnreachable = false;
    onStatus({ kind: 'connected' });
    pump();
  });
  socket.on('disconnect', (reason) => {
    resend();
    if (failure !== undefined || closed) return;
    toldUnreachable = true;
    onStatus({ kind: 'disconnected', reason, backlog: pending.length });
    // A server that closes the connection itself is not reconnected to by socket.io; it may be restarting.
    if (reason === 'io server disconnect') socket.connect();
  });
  socket.on('connect_error', (error) => {
    if (error.message.startsWith(UNAUTHORIZED)) {
      fail(new RemoteWriteError('UNAUTHORIZED', `${url}: ${error.message}`));
      return;
    }
    if (!toldUnreachable && !closed) {
      toldUnreachable = true;
      onStatus({ kind: 'disconnected', reason: error.message, backlog: pending.length });
    }
    if (!socket.active) socket.connect();
  });

  return {
    get backlog() {
      return pending.length;
    },
    async flush() {
      const deadline = Date.now() + flushTimeoutMs;
      for (;;) {
        poll();
        if (failure !== undefined) throw failure;
        if (pending.length === 0) return;
        if (Date.now() > deadline)
          throw new RemoteWriteError(
            'SERVER_UNREACHABLE',
            `${url} did not acknowledge ${pending.length} records of run ${runName} within ${flushTimeoutMs / 1000} s; the whole run is kept in ${spool.path}`,
          );
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    },
    async close() {
      closed = true;
      clearInterval(timer);
      socket.disconnect();
    },
  };
}
