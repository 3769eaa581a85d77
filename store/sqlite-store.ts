import type Database from 'better-sqlite3';
import { toRunId, toSliceSetId, type RunId, type SliceId, type SliceSetId } from '../core/ids.js';
import { decodeFrame, type FramePixels } from '../slices/frame-codec.js';
import type { Frame } from '../slices/frame.js';
import { StoreError } from './errors.js';
import { openDatabase, type OpenOptions } from './open.js';
import {
  packVectors,
  readStatus,
  runFromRow,
  setFromRow,
  sliceFromRow,
  type RunRow,
  type SetRow,
  type SliceRow,
} from './sqlite-rows.js';
import {
  HEARTBEAT_TIMEOUT_MS,
  type EndStatus,
  type FrameWrite,
  type NewRun,
  type NewSlice,
  type RunRecord,
  type RunStatus,
  type ScalarPoint,
  type SliceSetRecord,
  type StepRange,
  type StoreChanges,
  type StoreCursor,
  type StoredFrame,
  type StoreReader,
  type StoreWriter,
} from './types.js';

export { StoreError } from './errors.js';

/** Options of a store connection. */
export interface SqliteStoreOptions {
  /** The clock heartbeats are written and judged by, in milliseconds since the epoch; Date.now by default. */
  now?: () => number;
}

type CommitKind = 'created' | 'reopened' | 'ended' | 'step' | 'scalars';

/** Frames decoded per query when iterating a run's frames, so memory stays bounded on long runs. */
const FRAME_PAGE = 128;
const ALL = { from: Number.MIN_SAFE_INTEGER, to: Number.MAX_SAFE_INTEGER };

/**
 * What this connection knew when it last looked at the commit log: a poll that finds the same data
 * version, no own writes and no running run past its heartbeat deadline returns without a query.
 */
interface Seen {
  dataVersion: number;
  writes: number;
  cursor: StoreCursor;
  /** The earliest time at which a run seen running would read as interrupted, in ms. */
  staleAt: number;
}

/**
 * The run store on one SQLite file in WAL mode: every write is a transaction, so a writer killed at
 * any moment leaves every committed step readable, and any number of readers (the dashboard, other
 * machines' servers) read while one trainer writes. Reads never write.
 */
export class SqliteStore implements StoreWriter, StoreReader {
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly statements = new Map<string, Database.Statement>();
  /** Writes through this connection, which PRAGMA data_version does not count. */
  private writes = 0;
  private seen: Seen | undefined;

  /**
   * Opens the store at `path` for writing and reading, creating or migrating it; with `mustExist` or
   * `readonly` (reading only: nothing is ever written) a missing file is a StoreError instead.
   */
  constructor(
    readonly path: string,
    options: SqliteStoreOptions & OpenOptions = {},
  ) {
    this.db = openDatabase(path, options);
    this.now = options.now ?? Date.now;
  }

  /**
   * Opens a store that must already exist, failing with a one-line StoreError naming the path when
   * it does not; `readonly` opens it for reading only (reading commands).
   */
  static openExisting(path: string, options: SqliteStoreOptions & Pick<OpenOptions, 'readonly'> = {}): SqliteStore {
    return new SqliteStore(path, { ...options, mustExist: true });
  }

  close(): void {
    this.db.close();
  }

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (statement === undefined) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Runs `write` as one transaction (nested calls join the outer one). */
  private write<T>(write: () => T): T {
    const result = this.db.transaction(write)();
    this.writes++;
    return result;
  }

  private commit(runId: RunId, kind: CommitKind, step: number | null = null): void {
    this.sql('INSERT INTO commits (run_id, step, kind) VALUES (?, ?, ?)').run(runId, step, kind);
  }

  private requireRun(id: RunId, changes: number): void {
    if (changes === 0) throw new StoreError(`no run with id ${id} in ${this.path}`);
  }

  // ---- StoreWriter ----

  createSliceSet(name: string, dataset: string, slices: NewSlice[]): SliceSetId {
    for (const s of slices) {
      const d = s.vectors.a.length;
      if (s.vectors.b.length !== d || s.vectors.c.length !== d) {
        throw new StoreError(
          `slice ${s.name}: a, b and c have ${d}, ${s.vectors.b.length} and ${s.vectors.c.length} values; expected equal`,
        );
      }
    }
    try {
      return this.write(() => {
        const { lastInsertRowid } = this.sql('INSERT INTO slice_sets (name, dataset, created_at) VALUES (?, ?, ?)').run(
          name,
          dataset,
          this.iso(),
        );
        const setId = toSliceSetId(Number(lastInsertRowid));
        const insert = this.sql(
          'INSERT INTO slices (set_id, position, name, points, vectors, resolution) VALUES (?, ?, ?, ?, ?, ?)',
        );
        slices.forEach((s, position) => {
          insert.run(setId, position, s.name, JSON.stringify(s.points), packVectors(s.vectors), s.resolution);
        });
        return setId;
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new StoreError(`a slice set named ${name} already exists; choose another name`);
      }
      throw error;
    }
  }

  createRun(run: NewRun): RunId {
    const t = this.iso();
    try {
      return this.write(() => {
        const { lastInsertRowid } = this.sql(
          `INSERT INTO runs (name, set_id, config, backend, status, step, total_steps, created_at, updated_at, heartbeat_at)
           VALUES (?, ?, ?, ?, 'running', 0, ?, ?, ?, ?)`,
        ).run(run.name, run.setId, JSON.stringify(run.config), JSON.stringify(run.backend), run.totalSteps, t, t, t);
        const id = toRunId(Number(lastInsertRowid));
        this.commit(id, 'created');
        return id;
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new StoreError(`a run named ${run.name} already exists in ${this.path}; choose another name`);
      }
      throw error;
    }
  }

  reopenRun(id: RunId, totalSteps: number): void {
    const t = this.iso();
    this.write(() => {
      const { changes } = this.sql(
        "UPDATE runs SET status = 'running', error = NULL, total_steps = ?, updated_at = ?, heartbeat_at = ? WHERE id = ?",
      ).run(totalSteps, t, t, id);
      this.requireRun(id, changes);
      this.commit(id, 'reopened');
    });
  }

  heartbeat(id: RunId): void {
    this.write(() =>
      this.sql("UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'").run(this.iso(), id),
    );
  }

  putStep(runId: RunId, step: number, scalars: Record<string, number>, frames: FrameWrite[]): void {
    const t = this.iso();
    this.write(() => {
      this.insertScalars(runId, step, scalars);
      this.insertFrames(runId, step, frames);
      const { changes } = this.sql('UPDATE runs SET step = ?, updated_at = ?, heartbeat_at = ? WHERE id = ?').run(
        step,
        t,
        t,
        runId,
      );
      this.requireRun(runId, changes);
      this.commit(runId, 'step', step);
    });
  }

  putScalars(runId: RunId, step: number, scalars: Record<string, number>): void {
    this.write(() => {
      this.insertScalars(runId, step, scalars);
      this.commit(runId, 'scalars', step);
    });
  }

  private insertScalars(runId: RunId, step: number, scalars: Record<string, number>): void {
    const insert = this.sql('INSERT OR REPLACE INTO scalars (run_id, step, name, value) VALUES (?, ?, ?, ?)');
    for (const [name, value] of Object.entries(scalars)) insert.run(runId, step, name, value);
  }

  private insertFrames(runId: RunId, step: number, frames: FrameWrite[]): void {
    const insert = this.sql(
      'INSERT OR REPLACE INTO frames (run_id, slice_id, step, delta, data) VALUES (?, ?, ?, ?, ?)',
    );
    for (const f of frames) insert.run(runId, f.sliceId, step, f.delta ? 1 : 0, Buffer.from(f.data));
  }

  putFrames(runId: RunId, step: number, frames: FrameWrite[]): void {
    this.write(() => this.insertFrames(runId, step, frames));
  }

  putSnapshot(runId: RunId, step: number, path: string): void {
    this.write(() =>
      this.sql('INSERT OR REPLACE INTO snapshots (run_id, step, path) VALUES (?, ?, ?)').run(runId, step, path),
    );
  }

  endRun(id: RunId, status: EndStatus, error?: string): void {
    this.write(() => {
      const { changes } = this.sql('UPDATE runs SET status = ?, error = ?, updated_at = ? WHERE id = ?').run(
        status,
        error ?? null,
        this.iso(),
        id,
      );
      this.requireRun(id, changes);
      this.commit(id, 'ended');
    });
  }

  deleteSliceSet(id: SliceSetId): void {
    this.write(() => {
      const user = this.sql('SELECT name FROM runs WHERE set_id = ? LIMIT 1').get(id) as { name: string } | undefined;
      if (user !== undefined) {
        throw new StoreError(`slice set ${id} cannot be deleted: run ${user.name} was recorded on it`);
      }
      this.sql('DELETE FROM frames WHERE slice_id IN (SELECT id FROM slices WHERE set_id = ?)').run(id);
      this.sql('DELETE FROM slices WHERE set_id = ?').run(id);
      this.sql('DELETE FROM slice_sets WHERE id = ?').run(id);
    });
  }

  // ---- StoreReader ----

  runs(): RunRecord[] {
    const now = this.now();
    return (this.sql('SELECT * FROM runs ORDER BY id DESC').all() as RunRow[]).map((row) => runFromRow(row, now));
  }

  run(id: RunId): RunRecord | undefined {
    const row = this.sql('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row && runFromRow(row, this.now());
  }

  runByName(name: string): RunRecord | undefined {
    const row = this.sql('SELECT * FROM runs WHERE name = ?').get(name) as RunRow | undefined;
    return row && runFromRow(row, this.now());
  }

  sliceSets(): SliceSetRecord[] {
    return this.db.transaction(() => {
      const slices = (this.sql('SELECT * FROM slices ORDER BY set_id, position').all() as SliceRow[]).map(sliceFromRow);
      return (this.sql('SELECT * FROM slice_sets ORDER BY id').all() as SetRow[]).map((row) =>
        setFromRow(
          row,
          slices.filter((s) => s.setId === row.id),
        ),
      );
    })();
  }

  private setWhere(column: 'id' | 'name', value: unknown): SliceSetRecord | undefined {
    return this.db.transaction(() => {
      const row = this.sql(`SELECT * FROM slice_sets WHERE ${column} = ?`).get(value) as SetRow | undefined;
      if (row === undefined) return undefined;
      const slices = this.sql('SELECT * FROM slices WHERE set_id = ? ORDER BY position').all(row.id) as SliceRow[];
      return setFromRow(row, slices.map(sliceFromRow));
    })();
  }

  sliceSet(id: SliceSetId): SliceSetRecord | undefined {
    return this.setWhere('id', id);
  }

  sliceSetByName(name: string): SliceSetRecord | undefined {
    return this.setWhere('name', name);
  }

  scalarNames(runId: RunId): string[] {
    return this.sql('SELECT DISTINCT name FROM scalars WHERE run_id = ? ORDER BY name').pluck().all(runId) as string[];
  }

  scalars(runId: RunId, name: string, range: StepRange = {}): ScalarPoint[] {
    return this.sql(
      'SELECT step, value FROM scalars WHERE run_id = ? AND name = ? AND step BETWEEN ? AND ? ORDER BY step',
    ).all(runId, name, range.from ?? ALL.from, range.to ?? ALL.to) as ScalarPoint[];
  }

  /** The step of the newest key frame at or before `step`; index seek backwards, bounded by the key-frame interval. */
  private keyStepAtOrBefore(runId: RunId, sliceId: SliceId, step: number): number | undefined {
    const key = this.sql(
      'SELECT step FROM frames WHERE run_id = ? AND slice_id = ? AND step <= ? AND delta = 0 ORDER BY step DESC LIMIT 1',
    )
      .pluck()
      .get(runId, sliceId, step) as number | undefined;
    return key;
  }

  private frameRowsBetween(runId: RunId, sliceId: SliceId, from: number, to: number, limit = -1): StoredFrame[] {
    const rows = this.sql(
      'SELECT step, delta, data FROM frames WHERE run_id = ? AND slice_id = ? AND step BETWEEN ? AND ? ORDER BY step LIMIT ?',
    ).all(runId, sliceId, from, to, limit) as { step: number; delta: number; data: Buffer }[];
    return rows.map((r) => ({ step: r.step, delta: r.delta === 1, data: new Uint8Array(r.data) }));
  }

  frameRows(runId: RunId, sliceId: SliceId, range: StepRange = {}): StoredFrame[] {
    const to = range.to ?? ALL.to;
    if (range.from === undefined) return this.frameRowsBetween(runId, sliceId, ALL.from, to);
    return this.db.transaction(() => {
      const first = this.sql(
        'SELECT step FROM frames WHERE run_id = ? AND slice_id = ? AND step BETWEEN ? AND ? ORDER BY step LIMIT 1',
      )
        .pluck()
        .get(runId, sliceId, range.from, to) as number | undefined;
      if (first === undefined) return [];
      return this.frameRowsBetween(runId, sliceId, this.keyStepAtOrBefore(runId, sliceId, first) ?? first, to);
    })();
  }

  frameSteps(runId: RunId, sliceId: SliceId, range: StepRange = {}): number[] {
    return this.sql('SELECT step FROM frames WHERE run_id = ? AND slice_id = ? AND step BETWEEN ? AND ? ORDER BY step')
      .pluck()
      .all(runId, sliceId, range.from ?? ALL.from, range.to ?? ALL.to) as number[];
  }

  /**
   * Decodes in step order, a page of rows at a time. The first frame yielded is decoded exactly as
   * in a decode of the whole run: its flips count against the stored frame before it, so decoding
   * starts at the key frame at or before that one (at most two key-frame intervals back).
   */
  *frames(runId: RunId, sliceId: SliceId, range: StepRange = {}): Generator<{ step: number; frame: Frame }> {
    const from = range.from ?? ALL.from;
    const to = range.to ?? ALL.to;
    let next = ALL.from;
    if (range.from !== undefined) {
      const before = this.sql(
        'SELECT step FROM frames WHERE run_id = ? AND slice_id = ? AND step < ? ORDER BY step DESC LIMIT 1',
      )
        .pluck()
        .get(runId, sliceId, from) as number | undefined;
      next = before === undefined ? from : (this.keyStepAtOrBefore(runId, sliceId, before) ?? before);
    }
    let previous: FramePixels | undefined;
    for (;;) {
      const page = this.frameRowsBetween(runId, sliceId, next, to, FRAME_PAGE);
      for (const row of page) {
        const frame = decodeFrame(row.data, previous);
        previous = frame;
        if (row.step >= from) yield { step: row.step, frame };
      }
      if (page.length < FRAME_PAGE) return;
      next = page.at(-1)!.step + 1;
    }
  }

  snapshots(runId: RunId): { step: number; path: string }[] {
    return this.sql('SELECT step, path FROM snapshots WHERE run_id = ? ORDER BY step').all(runId) as {
      step: number;
      path: string;
    }[];
  }

  // ---- polling ----

  private dataVersion(): number {
    return this.sql('PRAGMA data_version').pluck().get() as number;
  }

  /** Every run's read status now, and when the first of those running will read as interrupted. */
  private heads(now: number): { statuses: Map<RunId, RunStatus>; staleAt: number } {
    const statuses = new Map<RunId, RunStatus>();
    let staleAt = Infinity;
    const rows = this.sql('SELECT id, status, heartbeat_at FROM runs ORDER BY id').all() as Pick<
      RunRow,
      'id' | 'status' | 'heartbeat_at'
    >[];
    for (const row of rows) {
      const status = readStatus(row.status, row.heartbeat_at, now);
      statuses.set(row.id as RunId, status);
      if (status === 'running') staleAt = Math.min(staleAt, Date.parse(row.heartbeat_at) + HEARTBEAT_TIMEOUT_MS);
    }
    return { statuses, staleAt };
  }

  cursor(): StoreCursor {
    const dataVersion = this.dataVersion();
    const now = this.now();
    return this.db.transaction(() => {
      const seq = this.sql('SELECT COALESCE(MAX(seq), 0) FROM commits').pluck().get() as number;
      const { statuses, staleAt } = this.heads(now);
      const cursor: StoreCursor = { seq, statuses };
      this.seen = { dataVersion, writes: this.writes, cursor, staleAt };
      return cursor;
    })();
  }

  changesSince(cursor: StoreCursor): StoreChanges {
    const dataVersion = this.dataVersion();
    const now = this.now();
    const seen = this.seen;
    if (
      seen !== undefined &&
      seen.cursor === cursor &&
      seen.dataVersion === dataVersion &&
      seen.writes === this.writes &&
      now <= seen.staleAt
    ) {
      return { cursor, steps: [], scalars: [], runs: [] };
    }
    return this.db.transaction(() => {
      const commits = this.sql('SELECT seq, run_id, step, kind FROM commits WHERE seq > ? ORDER BY seq').all(
        cursor.seq,
      ) as { seq: number; run_id: number; step: number | null; kind: CommitKind }[];
      const { statuses, staleAt } = this.heads(now);
      const steps: StoreChanges['steps'] = [];
      const scalars: StoreChanges['scalars'] = [];
      const changed = new Set<RunId>();
      for (const c of commits) {
        const runId = toRunId(c.run_id);
        if (c.kind === 'step') steps.push({ runId, step: c.step! });
        else if (c.kind === 'scalars') scalars.push({ runId, step: c.step! });
        else changed.add(runId);
      }
      for (const [id, status] of statuses) if (cursor.statuses.get(id) !== status) changed.add(id);
      const next: StoreCursor =
        commits.length === 0 && changed.size === 0 ? cursor : { seq: commits.at(-1)?.seq ?? cursor.seq, statuses };
      this.seen = { dataVersion, writes: this.writes, cursor: next, staleAt };
      return {
        cursor: next,
        steps,
        scalars,
        runs: [...changed]
          .sort((a, b) => a - b)
          .map((id) => runFromRow(this.sql('SELECT * FROM runs WHERE id = ?').get(id) as RunRow, now)),
      };
    })();
  }
}
