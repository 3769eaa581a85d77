import Database from 'better-sqlite3';
import { decodeFrame, type FramePixels } from '../slices/frame-codec.js';
import type { Frame } from '../slices/frame.js';
import type { PointSpec } from '../slices/points.js';
import { SlicewatchError } from '../core/errors.js';
import { SCHEMA, SCHEMA_VERSION } from './schema.js';

export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted';

export interface StoredSlice {
  id: number;
  position: number;
  name: string;
  points: { a: PointSpec; b: PointSpec; c: PointSpec };
  vectors: { a: Float32Array; b: Float32Array; c: Float32Array };
  resolution: number;
}

export interface StoredRun {
  id: number;
  name: string;
  setId: number | null;
  config: unknown;
  backend: unknown;
  status: RunStatus;
  step: number;
  error: string | null;
}

/** A frame as stored, before decoding. */
export interface StoredFrame {
  step: number;
  delta: boolean;
  data: Uint8Array;
}

/** The store could not be opened or used (code STORE). */
export class StoreError extends SlicewatchError {
  constructor(message: string) {
    super('STORE', message);
  }
}

/** Whether a process id is alive on this machine. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const now = () => new Date().toISOString();

/**
 * The run store on one SQLite file in WAL mode: every write is a transaction, so a trainer killed
 * at any moment leaves every committed frame readable, and any number of readers (the dashboard)
 * read while one trainer writes.
 */
export class SqliteStore {
  readonly db: Database.Database;

  constructor(readonly path: string) {
    try {
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('foreign_keys = ON');
      this.db.exec(SCHEMA);
    } catch (error) {
      throw new StoreError(`${path}: cannot open the run store (${(error as Error).message})`);
    }
    const version = this.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
      { value: string } | undefined;
    if (version === undefined) {
      this.db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?)").run(String(SCHEMA_VERSION));
    } else if (Number(version.value) !== SCHEMA_VERSION) {
      throw new StoreError(
        `${path}: store schema version ${version.value}, this slicewatch reads version ${SCHEMA_VERSION}`,
      );
    }
  }

  close(): void {
    this.db.close();
  }

  /** Stores a named slice set with its slices' point provenance and full vectors; returns its id. */
  createSliceSet(name: string, dataset: string, slices: Omit<StoredSlice, 'id' | 'position'>[]): number {
    const insert = this.db.transaction(() => {
      const { lastInsertRowid } = this.db
        .prepare('INSERT INTO slice_sets (name, dataset, created_at) VALUES (?, ?, ?)')
        .run(name, dataset, now());
      const setId = Number(lastInsertRowid);
      const statement = this.db.prepare(
        'INSERT INTO slices (set_id, position, name, points, vectors, resolution) VALUES (?, ?, ?, ?, ?, ?)',
      );
      slices.forEach((s, position) => {
        const vectors = new Float32Array(s.vectors.a.length * 3);
        vectors.set(s.vectors.a, 0);
        vectors.set(s.vectors.b, s.vectors.a.length);
        vectors.set(s.vectors.c, 2 * s.vectors.a.length);
        statement.run(setId, position, s.name, JSON.stringify(s.points), Buffer.from(vectors.buffer), s.resolution);
      });
      return setId;
    });
    try {
      return insert();
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new StoreError(`a slice set named ${name} already exists; choose another name`);
      }
      throw error;
    }
  }

  /** The id of the slice set with this name, if any. */
  sliceSetByName(name: string): number | undefined {
    const row = this.db.prepare('SELECT id FROM slice_sets WHERE name = ?').get(name) as { id: number } | undefined;
    return row?.id;
  }

  slicesOf(setId: number): StoredSlice[] {
    const rows = this.db.prepare('SELECT * FROM slices WHERE set_id = ? ORDER BY position').all(setId) as {
      id: number;
      position: number;
      name: string;
      points: string;
      vectors: Buffer;
      resolution: number;
    }[];
    return rows.map((row) => {
      const all = new Float32Array(
        row.vectors.buffer.slice(row.vectors.byteOffset, row.vectors.byteOffset + row.vectors.byteLength),
      );
      const d = all.length / 3;
      return {
        id: row.id,
        position: row.position,
        name: row.name,
        points: JSON.parse(row.points) as StoredSlice['points'],
        vectors: { a: all.slice(0, d), b: all.slice(d, 2 * d), c: all.slice(2 * d) },
        resolution: row.resolution,
      };
    });
  }

  /** Starts a run owned by this process. */
  createRun(name: string, config: unknown, backend: unknown, setId: number | null): number {
    const t = now();
    const { lastInsertRowid } = this.db
      .prepare(
        "INSERT INTO runs (name, set_id, config, backend, status, pid, created_at, updated_at) VALUES (?, ?, ?, ?, 'running', ?, ?, ?)",
      )
      .run(name, setId, JSON.stringify(config), JSON.stringify(backend), process.pid, t, t);
    return Number(lastInsertRowid);
  }

  /** The id of the run with this name, if any. */
  runByName(name: string): number | undefined {
    const row = this.db.prepare('SELECT id FROM runs WHERE name = ?').get(name) as { id: number } | undefined;
    return row?.id;
  }

  /** Takes over an interrupted run for resuming: running again, owned by this process. */
  reopenRun(id: number): void {
    this.db
      .prepare("UPDATE runs SET status = 'running', pid = ?, error = NULL, updated_at = ? WHERE id = ?")
      .run(process.pid, now(), id);
  }

  setRunStatus(id: number, status: RunStatus, error: string | null = null): void {
    this.db.prepare('UPDATE runs SET status = ?, error = ?, updated_at = ? WHERE id = ?').run(status, error, now(), id);
  }

  /**
   * Writes everything one training step produced in one transaction: its scalars, its frames and
   * the run's step counter. Either all of it is committed or none.
   */
  putStep(
    runId: number,
    step: number,
    scalars: Record<string, number>,
    frames: { sliceId: number; delta: boolean; data: Uint8Array }[],
  ): void {
    this.db.transaction(() => {
      const scalar = this.db.prepare('INSERT OR REPLACE INTO scalars (run_id, step, name, value) VALUES (?, ?, ?, ?)');
      for (const [name, value] of Object.entries(scalars)) scalar.run(runId, step, name, value);
      const frame = this.db.prepare(
        'INSERT OR REPLACE INTO frames (run_id, slice_id, step, delta, data) VALUES (?, ?, ?, ?, ?)',
      );
      for (const f of frames) frame.run(runId, f.sliceId, step, f.delta ? 1 : 0, Buffer.from(f.data));
      this.db.prepare('UPDATE runs SET step = ?, updated_at = ? WHERE id = ?').run(step, now(), runId);
    })();
  }

  /** Records where a step's weight snapshot is. */
  putSnapshot(runId: number, step: number, path: string): void {
    this.db.prepare('INSERT OR REPLACE INTO snapshots (run_id, step, path) VALUES (?, ?, ?)').run(runId, step, path);
  }

  /** A run's weight snapshots by step. */
  snapshots(runId: number): { step: number; path: string }[] {
    return this.db.prepare('SELECT step, path FROM snapshots WHERE run_id = ? ORDER BY step').all(runId) as {
      step: number;
      path: string;
    }[];
  }

  /** Stores frames of a step for slices rendered after the fact; the run's step counter is left alone. */
  putFrames(runId: number, step: number, frames: { sliceId: number; delta: boolean; data: Uint8Array }[]): void {
    this.db.transaction(() => {
      const frame = this.db.prepare(
        'INSERT OR REPLACE INTO frames (run_id, slice_id, step, delta, data) VALUES (?, ?, ?, ?, ?)',
      );
      for (const f of frames) frame.run(runId, f.sliceId, step, f.delta ? 1 : 0, Buffer.from(f.data));
    })();
  }

  /** Runs, newest first; a 'running' run whose process is gone is reported (and stored) as interrupted. */
  listRuns(): StoredRun[] {
    const rows = this.db.prepare('SELECT * FROM runs ORDER BY id DESC').all() as {
      id: number;
      name: string;
      set_id: number | null;
      config: string;
      backend: string;
      status: RunStatus;
      step: number;
      pid: number | null;
      error: string | null;
    }[];
    return rows.map((row) => {
      let status = row.status;
      if (status === 'running' && row.pid !== null && !isAlive(row.pid)) {
        status = 'interrupted';
        this.setRunStatus(row.id, status);
      }
      return {
        id: row.id,
        name: row.name,
        setId: row.set_id,
        config: JSON.parse(row.config),
        backend: JSON.parse(row.backend),
        status,
        step: row.step,
        error: row.error,
      };
    });
  }

  /** A run's scalar series `name`, by step. */
  scalars(runId: number, name: string): { step: number; value: number }[] {
    return this.db
      .prepare('SELECT step, value FROM scalars WHERE run_id = ? AND name = ? ORDER BY step')
      .all(runId, name) as {
      step: number;
      value: number;
    }[];
  }

  /** The stored frames of a run on a slice, by step. */
  frameRows(runId: number, sliceId: number, afterStep = -1): StoredFrame[] {
    const rows = this.db
      .prepare('SELECT step, delta, data FROM frames WHERE run_id = ? AND slice_id = ? AND step > ? ORDER BY step')
      .all(runId, sliceId, afterStep) as { step: number; delta: number; data: Buffer }[];
    return rows.map((r) => ({ step: r.step, delta: r.delta === 1, data: new Uint8Array(r.data) }));
  }

  /** Decodes a run's frames on a slice in step order: deltas against their predecessor, flips counted against it. */
  *frames(runId: number, sliceId: number): Generator<{ step: number; frame: Frame }> {
    let previous: FramePixels | undefined;
    for (const row of this.frameRows(runId, sliceId)) {
      const frame = decodeFrame(row.data, previous);
      previous = frame;
      yield { step: row.step, frame };
    }
  }
}
