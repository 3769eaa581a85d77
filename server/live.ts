import type { Server, Socket } from 'socket.io';
import type { RunId, SliceId } from '../core/ids.js';
import type { RunRecord, StoreCursor, StoreReader } from '../store/types.js';
import { describeIssues, errorReply, notFound } from './http-errors.js';
import {
  MAX_FRAME_SPAN,
  packFrameRows,
  unwatchSchema,
  watchSchema,
  type ClientToServerEvents,
  type ErrorReply,
  type FramePush,
  type ServerToClientEvents,
} from './protocol.js';
import { runSummary } from './routes/runs.js';

export type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** How long the server waits for a client to take a frame before sending it the newest as a key frame, in ms. */
const FRAME_ACK_TIMEOUT_MS = 10_000;
/** Runs one client may watch at once. */
const MAX_WATCHES = 16;
/** Steps of scalars a reconnecting client is sent at most; older ones it reads over REST. */
const MAX_REPLAY = 10_000;
/** Recent steps whose sent scalar names a watch remembers, so an evaluation pushed later adds only its own values. */
const SENT_MEMORY = 64;
/** Packets queued for one client before the server drops its connection (it reconnects and catches up). */
const MAX_BACKLOG = 20_000;

/** The newest frame of one slice waiting for a client, and the one it was sent last. */
interface FrameSlot {
  pending: number | undefined;
  /** The step of the frame the client holds, as far as the server knows. */
  sent: number | undefined;
  /** The newest step handed out (sent or in flight): older or equal frames are never sent again. */
  latest: number;
  inFlight: boolean;
}

interface Watch {
  run: RunRecord;
  /** Scalar steps up to here were replayed on watch; the poll does not send them again. */
  floor: number;
  /** The scalar names sent of each recent step (at most SENT_MEMORY steps). */
  sent: Map<number, Set<string>>;
  slots: Map<SliceId, FrameSlot>;
}

/** The values of a step not yet sent to a watcher, marked as sent; undefined when there are none. */
function unsent(watch: Watch, step: number, values: Record<string, number>): Record<string, number> | undefined {
  const names = watch.sent.get(step) ?? new Set<string>();
  const fresh = Object.entries(values).filter(([name]) => !names.has(name));
  if (fresh.length === 0) return undefined;
  for (const [name] of fresh) names.add(name);
  watch.sent.set(step, names);
  if (watch.sent.size > SENT_MEMORY) watch.sent.delete(watch.sent.keys().next().value!);
  return Object.fromEntries(fresh);
}

/**
 * Live push: one loop polls the store's changesSince every `pollMs` for every client, and sends each
 * watcher of a run its scalar rows (all of them, in commit order), its status changes, and the
 * newest frame of each slice (newest wins: a client that has not taken the previous frame gets only
 * the newest when it does). Memory is a few numbers per client, watched run and slice.
 */
export class Live {
  private cursor: StoreCursor;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly clients = new Map<LiveSocket, Map<RunId, Watch>>();
  /** Frame pushes made since the last poll, by run, slice, step and base: clients in step share one read and one packing. */
  private readonly pushes = new Map<string, FramePush>();

  constructor(
    private readonly store: StoreReader,
    private readonly io: Server<ClientToServerEvents, ServerToClientEvents>,
    pollMs: number,
  ) {
    this.cursor = store.cursor();
    this.timer = setInterval(() => this.poll(), pollMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Handles one client's watch requests until it disconnects. */
  attach(socket: LiveSocket): void {
    const watches = new Map<RunId, Watch>();
    this.clients.set(socket, watches);
    socket.on('disconnect', () => this.clients.delete(socket));
    socket.on('run:watch', (payload, ack) => {
      if (typeof ack !== 'function') return;
      const request = watchSchema.safeParse(payload);
      if (!request.success) return ack(badRequest(`invalid run:watch: ${describeIssues(request.error)}`));
      const run = this.store.run(request.data.runId);
      if (run === undefined) return ack({ ok: false, ...errorReply(notFound(`run ${request.data.runId}`)).body });
      if (!watches.has(run.id) && watches.size >= MAX_WATCHES)
        return ack({ ok: false, error: { code: 'TOO_MANY_WATCHES', message: `watch at most ${MAX_WATCHES} runs` } });
      const watch: Watch = { run, floor: -1, sent: new Map(), slots: new Map() };
      watches.set(run.id, watch);
      ack({ ok: true, run: runSummary(this.store, run) });
      if (request.data.fromStep !== undefined) this.replay(socket, watch, request.data.fromStep);
      for (const slice of this.slicesOf(run)) {
        const newest = this.store.frameSteps(run.id, slice.id, { from: Math.max(0, run.step - MAX_FRAME_SPAN) }).at(-1);
        watch.slots.set(slice.id, { pending: newest, sent: undefined, latest: -1, inFlight: false });
        this.pump(socket, watch, slice.id);
      }
    });
    socket.on('run:unwatch', (payload, ack) => {
      if (typeof ack !== 'function') return;
      const request = unwatchSchema.safeParse(payload);
      if (!request.success) return ack(badRequest(`invalid run:unwatch: ${describeIssues(request.error)}`));
      watches.delete(request.data.runId);
      ack({ ok: true });
    });
  }

  private slicesOf(run: RunRecord) {
    return run.setId === null ? [] : (this.store.sliceSet(run.setId)?.slices ?? []);
  }

  /** Sends the scalars after `fromStep` (at most MAX_REPLAY steps), in step order. */
  private replay(socket: LiveSocket, watch: Watch, fromStep: number): void {
    const from = Math.max(fromStep + 1, watch.run.step - MAX_REPLAY + 1);
    const rows = this.scalarRows(watch.run.id, from, Number.MAX_SAFE_INTEGER);
    for (const [step, values] of rows) {
      const fresh = unsent(watch, step, values);
      if (fresh !== undefined) socket.emit('scalar:new', { runId: watch.run.id, step, values: fresh });
    }
    watch.floor = Math.max(fromStep, ...rows.keys());
  }

  /** Every scalar of a run between two steps, by step in ascending order. */
  private scalarRows(runId: RunId, from: number, to: number): Map<number, Record<string, number>> {
    const rows = new Map<number, Record<string, number>>();
    for (const name of this.store.scalarNames(runId)) {
      for (const point of this.store.scalars(runId, name, { from, to })) {
        const values = rows.get(point.step) ?? {};
        values[name] = point.value;
        rows.set(point.step, values);
      }
    }
    return new Map([...rows].sort((x, y) => x[0] - y[0]));
  }

  /** One look at the store: what changed since the last look, pushed to the clients that watch. */
  poll(): void {
    this.pushes.clear();
    const changes = this.store.changesSince(this.cursor);
    this.cursor = changes.cursor;
    for (const run of changes.runs) {
      const summary = runSummary(this.store, run);
      this.io.emit('run:status', summary);
      for (const watches of this.clients.values()) {
        const watch = watches.get(run.id);
        if (watch === undefined) continue;
        watch.run = run;
        // A reopened run commits its steps again from its checkpoint.
        if (run.status === 'running') {
          watch.floor = Math.min(watch.floor, run.step);
          watch.sent.clear();
          for (const slot of watch.slots.values()) slot.latest = -1;
        }
      }
    }
    const committed = new Map<RunId, number[]>();
    for (const { runId, step } of [...changes.steps, ...changes.scalars]) {
      committed.set(runId, [...(committed.get(runId) ?? []), step]);
    }
    for (const [runId, steps] of committed) this.pushRun(runId, steps);
  }

  /** Scalars of the committed steps (in commit order) and the newest frame of each slice, to the run's watchers. */
  private pushRun(runId: RunId, steps: number[]): void {
    const watchers = [...this.clients].flatMap(([socket, watches]) => {
      const watch = watches.get(runId);
      return watch === undefined ? [] : [{ socket, watch }];
    });
    if (watchers.length === 0) return;
    const from = Math.min(...steps);
    const to = Math.max(...steps);
    const rows = this.scalarRows(runId, from, to);
    const run = watchers[0]!.watch.run;
    const newest = new Map<SliceId, number>();
    for (const slice of this.slicesOf(run)) {
      const step = this.store.frameSteps(runId, slice.id, { from, to }).at(-1);
      if (step !== undefined) newest.set(slice.id, step);
    }
    for (const { socket, watch } of watchers) {
      if (backlog(socket) > MAX_BACKLOG) {
        socket.conn.close();
        continue;
      }
      for (const step of steps) {
        const values = rows.get(step);
        const fresh = values === undefined || step <= watch.floor ? undefined : unsent(watch, step, values);
        if (fresh !== undefined) socket.emit('scalar:new', { runId, step, values: fresh });
      }
      for (const [sliceId, step] of newest) {
        const slot = watch.slots.get(sliceId);
        if (slot === undefined || step <= slot.latest) continue;
        slot.pending = step;
        this.pump(socket, watch, sliceId);
      }
    }
  }

  /** Sends a slice's pending frame unless the client has not yet taken the previous one. */
  private pump(socket: LiveSocket, watch: Watch, sliceId: SliceId): void {
    const slot = watch.slots.get(sliceId);
    if (slot === undefined || slot.inFlight || slot.pending === undefined || !socket.connected) return;
    const step = slot.pending;
    slot.pending = undefined;
    slot.latest = step;
    const push = this.framePush(watch.run.id, sliceId, step, slot.sent);
    slot.inFlight = true;
    socket.timeout(FRAME_ACK_TIMEOUT_MS).emit('frame:new', push, (error: Error | null) => {
      slot.inFlight = false;
      slot.sent = error ? undefined : step;
      if (this.clients.get(socket)?.get(watch.run.id) === watch) this.pump(socket, watch, sliceId);
    });
  }

  /** The rows that bring a client from the frame of step `sent` (or from nothing) to the frame of `step`. */
  private framePush(runId: RunId, sliceId: SliceId, step: number, sent: number | undefined): FramePush {
    const key = `${runId}:${sliceId}:${step}:${sent ?? 'key'}`;
    const made = this.pushes.get(key) ?? this.makeFramePush(runId, sliceId, step, sent);
    this.pushes.set(key, made);
    return made;
  }

  private makeFramePush(runId: RunId, sliceId: SliceId, step: number, sent: number | undefined): FramePush {
    const rows = this.store.frameRows(runId, sliceId, { from: step, to: step });
    const last = rows.at(-1);
    if (sent !== undefined && last?.delta) {
      const between = this.store.frameSteps(runId, sliceId, { from: sent, to: step });
      if (between.length === 2 && between[0] === sent)
        return { runId, sliceId, step, base: sent, rows: packFrameRows([last]) };
    }
    return { runId, sliceId, step, base: null, rows: packFrameRows(rows) };
  }
}

function badRequest(message: string): { ok: false } & ErrorReply {
  return { ok: false, error: { code: 'BAD_REQUEST', message } };
}

/** Packets engine.io has queued for a client and not yet written (its writeBuffer, public in JS but not typed). */
function backlog(socket: LiveSocket): number {
  return (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;
}
