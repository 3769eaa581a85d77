/**
 * The dashboard's one model: the view (URL-backed), the runs and their slice sets, the compared
 * runs' scalars and frames, the jobs, the live connection and playback. Elements read it and call
 * its methods; it announces changes with two events: `view` (the cursor or a setting moved; cheap,
 * up to once per animation frame) and `data` (runs, scalars, frames or jobs arrived).
 */
import { io, type Socket } from 'socket.io-client';
import type { RunId, SliceId } from '../../core/ids.js';
import type { JobRecord, JobRequest } from '../../server/job-types.js';
import type {
  ClientToServerEvents,
  RunDetail,
  RunSummary,
  ServerToClientEvents,
  SliceDto,
  SliceSetDto,
} from '../../server/protocol.js';
import { unpackFrameRows } from '../../server/wire-format.js';
import type { Frame } from '../../slices/frame.js';
import { api, ApiError } from './api.js';
import { CHUNK_STEPS, FrameWindow } from './frame-window.js';
import { ScalarStore } from './scalar-store.js';
import { advance, clampStep, cursorStep, type Timeline } from './time-cursor.js';
import { formatView, parseView, type ViewState } from './view-state.js';

/** Run colours, stable across every chart: picked by run id, distinct from the class palette's order. */
export const RUN_COLOURS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#008080', '#9a6324', '#800000'];
/** Runs the page compares at most. */
export const MAX_COMPARED = 6;
/** Steps before the newest held that a (re)watch asks the server to send again. */
const CATCH_UP_STEPS = 16;
/** How often, at most, the URL follows a moving cursor, in ms. */
const URL_EVERY_MS = 250;

export type DashboardEvent = 'view' | 'data';

export class Dashboard extends EventTarget {
  private state: ViewState;
  runs: RunSummary[] = [];
  readonly details = new Map<RunId, RunDetail>();
  sliceSets: SliceSetDto[] = [];
  readonly scalars = new ScalarStore();
  readonly frames: FrameWindow;
  jobs: JobRecord[] = [];
  /** Whether the first list of runs has arrived. */
  loaded = false;
  /** Whether the server runs jobs (training, videos): it answered `GET /api/jobs`. */
  jobsEnabled = false;
  /** A one-line problem for the page to show (the server is unreachable, a request failed), or null. */
  error: string | null = null;
  connected = false;
  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private readonly watched = new Set<RunId>();
  private playFrame = 0;
  private lastTick = 0;
  private carryMs = 0;
  private urlTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly location: Location = window.location) {
    super();
    this.state = parseView(location.search);
    this.frames = new FrameWindow(
      (run, slice, from, to) => api.frameRows(run, slice, from, to),
      () => this.emit('data'),
    );
    this.socket = io({ transports: ['websocket'] });
    this.socket.on('connect', () => {
      this.connected = true;
      for (const run of this.watched) this.watch(run);
      this.emit('data');
    });
    this.socket.on('disconnect', () => {
      this.connected = false;
      this.emit('data');
    });
    this.socket.on('run:status', (run) => this.updateRun(run));
    this.socket.on('scalar:new', ({ runId, step, values }) => {
      if (!this.watched.has(runId)) return;
      this.scalars.push(runId, step, values);
      this.advanceRun(runId, step, values);
      this.emit('data');
    });
    this.socket.on('frame:new', (push, received) => {
      received();
      // socket.io hands binary to the browser as an ArrayBuffer.
      const rows = push.rows instanceof Uint8Array ? push.rows : new Uint8Array(push.rows as ArrayBuffer);
      if (this.watched.has(push.runId))
        this.frames.push(push.runId, push.sliceId, push.step, push.base, unpackFrameRows(rows));
    });
    this.socket.on('job:progress', (job) => {
      this.jobs = [job, ...this.jobs.filter((j) => j.id !== job.id)];
      this.emit('data');
    });
    window.addEventListener('popstate', () => this.setView(parseView(this.location.search), 'none'));
  }

  /** Loads the runs, slice sets and jobs, then the compared runs' data. */
  async start(): Promise<void> {
    await this.guard(async () => {
      const [runs, sets, jobs] = await Promise.all([
        api.runs(),
        api.sliceSets(),
        api
          .jobs()
          .then((jobs) => {
            this.jobsEnabled = true;
            return jobs;
          })
          .catch(() => [] as JobRecord[]),
      ]);
      this.runs = runs;
      this.sliceSets = sets;
      this.jobs = jobs;
      this.loaded = true;
      if (this.state.runs.length === 0) this.setView({ runs: defaultComparison(runs) }, 'replace');
      await Promise.all(this.state.runs.map((id) => this.open(id)));
      this.emit('data');
      if (this.state.play === 'playing') this.startPlayback();
    });
  }

  get view(): ViewState {
    return this.state;
  }

  /**
   * Changes the view. `history`: `push` a new history entry (choosing runs), `replace` the current
   * one (settings), `throttle` the URL (a moving cursor), or `none` (restoring from history).
   */
  setView(patch: Partial<ViewState>, history: 'push' | 'replace' | 'throttle' | 'none' = 'replace'): void {
    const before = this.state;
    this.state = { ...before, ...patch };
    if (patch.runs !== undefined) this.syncRuns(before.runs);
    if (patch.play !== undefined && patch.play !== before.play) {
      if (patch.play === 'playing') this.startPlayback();
      else cancelAnimationFrame(this.playFrame);
    }
    this.writeUrl(history);
    this.emit('view');
  }

  /** The compared runs that the store knows, in column order. */
  get compared(): RunSummary[] {
    return this.state.runs.flatMap((id) => this.runs.find((r) => r.id === id) ?? []);
  }

  /** The slice set the grid shows: the first compared run's (runs on another set are flagged, not drawn). */
  get sliceSet(): SliceSetDto | undefined {
    const setId = this.compared.find((r) => r.setId !== null)?.setId;
    return this.sliceSets.find((s) => s.id === setId);
  }

  /** The slice whose profiles and metrics are charted. */
  get focusedSlice(): SliceDto | undefined {
    const slices = this.sliceSet?.slices ?? [];
    return slices.find((s) => s.id === this.state.slice) ?? slices[0];
  }

  get timeline(): Timeline {
    const steps = this.compared.map((r) => r.step);
    const last = steps.length > 0 ? Math.max(...steps) : 0;
    return { first: Math.min(1, last), last };
  }

  /** The step the cursor is on. */
  get step(): number {
    return cursorStep(this.timeline, this.state.step, this.state.play);
  }

  /** Whether any compared run is still training. */
  get live(): boolean {
    return this.compared.some((r) => r.status === 'running');
  }

  colour(run: RunId): string {
    return RUN_COLOURS[(run - 1) % RUN_COLOURS.length]!;
  }

  /** The frame a cell shows at the cursor (the newest recorded at or before it), or undefined while it loads. */
  frame(run: RunId, slice: SliceId, step = this.step): Frame | undefined {
    const newest = this.runs.find((r) => r.id === run)?.step ?? 0;
    return this.frames.at(run, slice, step, newest);
  }

  /** The recorded step of the frame `frame(run, slice, step)` returns, or undefined while it loads. */
  frameStep(run: RunId, slice: SliceId, step = this.step): number | undefined {
    const newest = this.runs.find((r) => r.id === run)?.step ?? 0;
    return this.frames.recordedStep(run, slice, step, newest);
  }

  /** Moves the cursor to a step; the user moved it, so follow-live and playback end. */
  seek(step: number): void {
    this.setView({ step: clampStep(this.timeline, step), play: 'paused' }, 'throttle');
  }

  /** Moves the cursor by `delta` steps. */
  stepBy(delta: number): void {
    this.seek(this.step + delta);
  }

  /** Follow the newest step again (the "live" button). */
  follow(): void {
    this.setView({ play: 'following', step: null });
  }

  togglePlay(): void {
    if (this.state.play === 'playing') this.setView({ play: 'paused', step: this.step });
    else this.setView({ play: 'playing', step: this.step >= this.timeline.last ? this.timeline.first : this.step });
  }

  /** Steps per epoch of a run, from its `epoch` series (epoch = step / steps per epoch); 0 when unknown. */
  stepsPerEpoch(run: RunId): number {
    const epoch = this.scalars.get(run, 'epoch');
    const i = epoch ? epoch.values.findLastIndex((v) => v > 0) : -1;
    return i < 0 ? 0 : epoch!.steps[i]! / epoch!.values[i]!;
  }

  async startJob(request: JobRequest): Promise<JobRecord | undefined> {
    return this.guard(async () => {
      const job = await api.startJob(request);
      this.jobs = [job, ...this.jobs.filter((j) => j.id !== job.id)];
      this.emit('data');
      return job;
    });
  }

  async cancelJob(id: string): Promise<void> {
    await this.guard(() => api.cancelJob(id));
  }

  /** Reports a failure on the page instead of throwing. */
  async guard<T>(work: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await work();
      if (this.error !== null) {
        this.error = null;
        this.emit('data');
      }
      return result;
    } catch (error) {
      this.error = error instanceof ApiError || error instanceof Error ? error.message : String(error);
      this.emit('data');
      return undefined;
    }
  }

  private emit(event: DashboardEvent): void {
    this.dispatchEvent(new Event(event));
  }

  private updateRun(run: RunSummary): void {
    const known = this.runs.find((r) => r.id === run.id);
    // A resumed run commits its steps again from its checkpoint: what the page holds past it is stale.
    if (known !== undefined && run.step < known.step && this.watched.has(run.id)) {
      this.frames.forget(run.id);
      void this.open(run.id);
    }
    this.runs = known === undefined ? [run, ...this.runs] : this.runs.map((r) => (r.id === run.id ? run : r));
    if (known === undefined && run.setId !== null && !this.sliceSets.some((s) => s.id === run.setId))
      void this.guard(async () => (this.sliceSets = await api.sliceSets()));
    this.emit('data');
  }

  /**
   * A watched run committed `step`: `run:status` comes only when a run's status changes, so its
   * newest step (the timeline's end, which follow-live shows) and newest loss advance with its scalars.
   */
  private advanceRun(id: RunId, step: number, values: Record<string, number>): void {
    const loss = values['loss'];
    this.runs = this.runs.map((r) =>
      r.id === id && step > r.step ? { ...r, step, ...(loss === undefined ? {} : { loss }) } : r,
    );
  }

  private syncRuns(before: RunId[]): void {
    for (const id of this.state.runs) if (!before.includes(id)) void this.open(id);
    for (const id of before) {
      if (this.state.runs.includes(id)) continue;
      this.watched.delete(id);
      this.scalars.forget(id);
      this.frames.forget(id);
      this.socket.emit('run:unwatch', { runId: id }, () => undefined);
    }
  }

  /** Loads a compared run's detail and scalars, then watches it for what comes next. */
  private async open(id: RunId): Promise<void> {
    await this.guard(async () => {
      const detail = await api.run(id);
      this.details.set(id, detail);
      await this.scalars.load(id, detail.scalarNames, detail.step, async (run, name, from, to) => {
        return (await api.scalars(run, name, from, to)).points;
      });
      if (!this.state.runs.includes(id)) return;
      this.watched.add(id);
      this.watch(id);
      this.emit('data');
    });
  }

  private watch(id: RunId): void {
    if (!this.socket.connected) return;
    // An evaluation is committed after its step's other scalars: catch up from a little before the
    // newest step the page holds, so one that landed in between is not missed.
    const fromStep = Math.max(0, this.scalars.newestStep(id) - CATCH_UP_STEPS);
    this.socket.emit('run:watch', { runId: id, fromStep }, (reply) => {
      if (reply.ok) this.updateRun(reply.run);
      else {
        this.error = reply.error.message;
        this.emit('data');
      }
    });
  }

  private startPlayback(): void {
    cancelAnimationFrame(this.playFrame);
    this.lastTick = performance.now();
    this.carryMs = 0;
    const tick = (now: number) => {
      if (this.state.play !== 'playing') return;
      const moved = advance(this.timeline, this.step, this.state.fps, this.carryMs + now - this.lastTick);
      this.lastTick = now;
      this.carryMs = moved.carryMs;
      if (moved.step > this.step + 1) {
        // At most one step per drawn frame: a page that cannot keep up plays slower, never skipping.
        moved.step = this.step + 1;
        moved.ended = moved.step >= this.timeline.last;
        this.carryMs = 0;
      }
      if (moved.step !== this.step && !this.framesReady(moved.step)) {
        // Buffering: the cursor waits until every shown cell has its frame, then goes on at the
        // same rate (no burst to catch up), so playback never shows steps whose frames it skipped.
        this.carryMs = 0;
        this.prefetchAhead();
        this.playFrame = requestAnimationFrame(tick);
        return;
      }
      if (moved.ended) {
        this.setView({ step: moved.step, play: this.live ? 'following' : 'paused' });
        return;
      }
      if (moved.step !== this.step) {
        this.state = { ...this.state, step: moved.step };
        this.prefetchAhead();
        this.writeUrl('throttle');
        this.emit('view');
      }
      this.playFrame = requestAnimationFrame(tick);
    };
    this.playFrame = requestAnimationFrame(tick);
  }

  /** Playback reads the next two ranges of every shown slice before the cursor gets there. */
  private prefetchAhead(): void {
    const slices = this.sliceSet?.slices ?? [];
    for (const run of this.compared) {
      for (const slice of slices)
        this.frames.prefetch(run.id, slice.id, this.step, this.step + 2 * CHUNK_STEPS, run.step);
    }
  }

  /** Whether every cell of the grid has its frame for `step` decoded (a run that ended shows its last one). */
  private framesReady(step: number): boolean {
    const slices = this.sliceSet?.slices ?? [];
    return this.compared.every(
      (run) =>
        run.setId !== this.sliceSet?.id ||
        slices.every((slice) => this.frameStep(run.id, slice.id, Math.min(step, run.step)) !== undefined),
    );
  }

  private writeUrl(history: 'push' | 'replace' | 'throttle' | 'none'): void {
    if (history === 'none') return;
    const write = (how: 'push' | 'replace') => {
      const url = `${this.location.pathname}${formatView(this.state)}`;
      if (how === 'push') window.history.pushState(null, '', url);
      else window.history.replaceState(null, '', url);
    };
    clearTimeout(this.urlTimer);
    if (history === 'throttle') this.urlTimer = setTimeout(() => write('replace'), URL_EVERY_MS);
    else write(history);
  }
}

/** What the page compares when the URL says nothing: the newest run and the runs on its slice set, up to three. */
export function defaultComparison(runs: RunSummary[]): RunId[] {
  const newest = runs.find((r) => r.setId !== null) ?? runs[0];
  if (newest === undefined) return [];
  return runs
    .filter((r) => r.setId === newest.setId)
    .slice(0, 3)
    .map((r) => r.id)
    .sort((a, b) => a - b);
}
