/**
 * The run store's records and its two interfaces: what trainers and recorders write (StoreWriter)
 * and what the CLI, the server and the video renderer read (StoreReader). Environment-neutral:
 * the SQLite implementation is store/sqlite-store.ts; the server and the dashboard share these types.
 */
import type { RunId, SliceId, SliceSetId } from '../core/ids.js';
import type { Frame } from '../slices/frame.js';
import type { PointSpec } from '../slices/points.js';
import type { BackendInfo } from '../trainer/backend-info.js';
import type { RunConfig } from '../trainer/run-config.js';

/**
 * A run's lifecycle. A writer creates it `running` and beats (StoreWriter.heartbeat); it ends it
 * `completed`, `failed` (with the error) or `stopped` (asked to stop). A `running` run whose
 * heartbeat is older than HEARTBEAT_TIMEOUT_MS reads as `interrupted` (the writer was killed or its
 * machine went away); resuming it makes it `running` again.
 */
export const RUN_STATUSES = ['running', 'completed', 'failed', 'interrupted', 'stopped'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** How a writer ends a run. */
export type EndStatus = Extract<RunStatus, 'completed' | 'failed' | 'stopped'>;

/** How often a writer beats, in milliseconds. */
export const HEARTBEAT_INTERVAL_MS = 1000;
/** A running run whose newest heartbeat is older than this reads as interrupted, in milliseconds. */
export const HEARTBEAT_TIMEOUT_MS = 5000;

/** A run as the store keeps it. Times are ISO 8601 strings (UTC). */
export interface RunRecord {
  id: RunId;
  /** Unique: the run folder (`--out`) for runs started from the CLI. */
  name: string;
  /** The slice set its frames are recorded on; null for a run that records no frames. */
  setId: SliceSetId | null;
  config: RunConfig;
  backend: BackendInfo;
  status: RunStatus;
  /** The newest committed step. */
  step: number;
  /** The run's planned length in steps. */
  totalSteps: number;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  heartbeatAt: string;
}

/** What a writer gives to start a run. */
export type NewRun = Pick<RunRecord, 'name' | 'setId' | 'config' | 'backend' | 'totalSteps'>;

/** The points a, b, c of a slice: how each was made, and its full vector in [0,1]^d. */
export interface SlicePoints<T> {
  a: T;
  b: T;
  c: T;
}

/** One slice of a set: a plane through a, b, c with provenance, rendered at `resolution` pixels (longer side). */
export interface StoredSlice {
  id: SliceId;
  setId: SliceSetId;
  /** 0-based order within the set. */
  position: number;
  name: string;
  points: SlicePoints<PointSpec>;
  vectors: SlicePoints<Float32Array>;
  resolution: number;
}

/** What a writer gives to fix a slice in a new set. */
export type NewSlice = Omit<StoredSlice, 'id' | 'setId' | 'position'>;

/** A named slice set: every run recorded on it is watched on identical slices. */
export interface SliceSetRecord {
  id: SliceSetId;
  name: string;
  /** The dataset spec its points come from, e.g. `mnist`. */
  dataset: string;
  createdAt: string;
  slices: StoredSlice[];
}

/** One value of a scalar series (loss, lr, epoch, attackMs, testAccuracy, robustAccuracy, …). */
export interface ScalarPoint {
  step: number;
  value: number;
}

/** A frame as stored: encoded by slices/frame-codec.ts, a delta against the previous stored frame or a key frame. */
export interface StoredFrame {
  step: number;
  delta: boolean;
  data: Uint8Array;
}

/** A frame for the writer to store. */
export interface FrameWrite {
  sliceId: SliceId;
  delta: boolean;
  data: Uint8Array;
}

/** Inclusive step bounds; either may be left out. */
export interface StepRange {
  from?: number;
  to?: number;
}

/** Where a reader is in the store's history of commits (StoreReader.changesSince). Treat as opaque. */
export interface StoreCursor {
  /** The newest commit seen. */
  readonly seq: number;
  /** The status each run had when last seen, so a run turning interrupted (a stale heartbeat) is reported once. */
  readonly statuses: ReadonlyMap<RunId, RunStatus>;
}

/**
 * The cursor before the first commit: changesSince(START_CURSOR) reports every run, and every step
 * committed since the store was created (or upgraded to schema version 2, which began the commit log).
 */
export const START_CURSOR: StoreCursor = { seq: 0, statuses: new Map() };

/** What changed since a cursor: committed steps in commit order, and runs that appeared or changed status. */
export interface StoreChanges {
  cursor: StoreCursor;
  /** Each committed step of each run, once, in commit order (a resumed run may commit a step again). */
  steps: { runId: RunId; step: number }[];
  /** Scalars written for a step apart from the step itself (StoreWriter.putScalars: evaluations), in commit order. */
  scalars: { runId: RunId; step: number }[];
  /** Runs that are new, were reopened or ended, or whose (read) status changed, by id. */
  runs: RunRecord[];
}

/** What trainers and recorders write. Every method is one transaction. */
export interface StoreWriter {
  /** Stores a named set with its slices' provenance and full vectors; throws StoreError if the name is taken. */
  createSliceSet(name: string, dataset: string, slices: NewSlice[]): SliceSetId;
  /** Starts a run, `running`, with a fresh heartbeat; throws StoreError if the name is taken. */
  createRun(run: NewRun): RunId;
  /** Takes over a run to resume it: `running` again, a fresh heartbeat, no error; the new planned length. */
  reopenRun(id: RunId, totalSteps: number): void;
  /** The writer is alive: called at least every HEARTBEAT_INTERVAL_MS while the run is running. */
  heartbeat(id: RunId): void;
  /** Everything one training step produced: its scalars, its frames and the run's step counter (and a heartbeat). */
  putStep(runId: RunId, step: number, scalars: Record<string, number>, frames: FrameWrite[]): void;
  /**
   * Scalars of a step measured apart from the step (test and robust accuracy), possibly before the
   * step itself is committed; the run's step counter is left alone.
   */
  putScalars(runId: RunId, step: number, scalars: Record<string, number>): void;
  /** Frames of a step for a slice rendered after the fact; the run's step counter is left alone. */
  putFrames(runId: RunId, step: number, frames: FrameWrite[]): void;
  /** Where a step's weight snapshot is. */
  putSnapshot(runId: RunId, step: number, path: string): void;
  /** Ends a run. */
  endRun(id: RunId, status: EndStatus, error?: string): void;
  /** Deletes a slice set that no run was recorded on (a command that failed halfway cleans up). */
  deleteSliceSet(id: SliceSetId): void;
}

/** What the CLI, the server and the video renderer read. Reads never write. */
export interface StoreReader {
  /** Runs, newest first, with their read status. */
  runs(): RunRecord[];
  run(id: RunId): RunRecord | undefined;
  runByName(name: string): RunRecord | undefined;
  sliceSets(): SliceSetRecord[];
  sliceSet(id: SliceSetId): SliceSetRecord | undefined;
  sliceSetByName(name: string): SliceSetRecord | undefined;
  /** The names of a run's scalar series. */
  scalarNames(runId: RunId): string[];
  /** A run's scalar series, by step, within the range. */
  scalars(runId: RunId, name: string, range?: StepRange): ScalarPoint[];
  /**
   * A run's stored frames on a slice, by step: those in the range, preceded by every frame back to
   * the key frame at or before the first of them, so they decode on their own (none when the range
   * holds no frame). The work is bounded by the key-frame interval, not by the run's length.
   */
  frameRows(runId: RunId, sliceId: SliceId, range?: StepRange): StoredFrame[];
  /** The steps that have a stored frame of a run on a slice, within the range, without reading the frames. */
  frameSteps(runId: RunId, sliceId: SliceId, range?: StepRange): number[];
  /**
   * The decoded frames of a run on a slice within the range, equal to those of a decode of the whole
   * run, flips included (decoding starts at a preceding key frame).
   */
  frames(runId: RunId, sliceId: SliceId, range?: StepRange): Generator<{ step: number; frame: Frame }>;
  /** A run's weight snapshots by step. */
  snapshots(runId: RunId): { step: number; path: string }[];
  /** The cursor of the store as it is now: changesSince(cursor()) reports only what comes after. */
  cursor(): StoreCursor;
  /** What was committed after the cursor; cheap when nothing was (PRAGMA data_version), so it can be polled every 100 ms. */
  changesSince(cursor: StoreCursor): StoreChanges;
}
