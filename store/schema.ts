/**
 * The run store's tables (SQLite, WAL). One database file per workspace holds slice sets with their
 * points' full vectors and provenance, runs with configuration, backend, status and heartbeat,
 * scalars per step, frames (encoded by slices/frame-codec.ts), weight snapshots, and the log of
 * commits that readers poll (StoreReader.changesSince). A trainer writes while servers read.
 */
export const SCHEMA_VERSION = 2;

const RUNS_V2 = (table: string) => `
CREATE TABLE IF NOT EXISTS ${table} (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  set_id INTEGER REFERENCES slice_sets(id),
  config TEXT NOT NULL,        -- JSON RunConfig
  backend TEXT NOT NULL,       -- JSON BackendInfo
  -- 'interrupted' is only stored by version 1 files; version 2 reads it from a stale heartbeat.
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted', 'stopped')),
  step INTEGER NOT NULL DEFAULT 0,
  total_steps INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL   -- ISO 8601, the writer's newest beat
);`;

const COMMITS = `
CREATE TABLE IF NOT EXISTS commits (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  step INTEGER,                -- null for the run's own changes
  kind TEXT NOT NULL CHECK (kind IN ('created', 'reopened', 'ended', 'step', 'scalars'))
);`;

/** The whole schema of a new store. */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS slice_sets (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  dataset TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS slices (
  id INTEGER PRIMARY KEY,
  set_id INTEGER NOT NULL REFERENCES slice_sets(id),
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  points TEXT NOT NULL,        -- JSON: { a, b, c } point specs (provenance)
  vectors BLOB NOT NULL,       -- float32 a, b, c, each of d values
  resolution INTEGER NOT NULL,
  UNIQUE (set_id, position)
);
${RUNS_V2('runs')}
CREATE TABLE IF NOT EXISTS scalars (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  step INTEGER NOT NULL,
  name TEXT NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (run_id, name, step)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  step INTEGER NOT NULL,
  path TEXT NOT NULL,          -- float32 weights of the step (recorder/snapshots.ts)
  PRIMARY KEY (run_id, step)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS frames (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  slice_id INTEGER NOT NULL REFERENCES slices(id),
  step INTEGER NOT NULL,
  delta INTEGER NOT NULL,      -- 1: decodes against the previous stored frame of this run and slice
  data BLOB NOT NULL,
  PRIMARY KEY (run_id, slice_id, step)
) WITHOUT ROWID;
${COMMITS}
INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', '${SCHEMA_VERSION}');
`;

/**
 * From version 1 (runs with a pid, no heartbeat, no 'stopped'; no commit log) to version 2. SQLite
 * cannot change a CHECK constraint in place, so runs is rebuilt; the caller turns foreign keys off
 * around the transaction. A version 1 run's heartbeat is its last update, so a `running` run whose
 * writer is gone reads as interrupted; its planned length is its configured steps where known.
 */
export const MIGRATE_1_TO_2 = `
${RUNS_V2('runs_v2')}
INSERT INTO runs_v2 (id, name, set_id, config, backend, status, step, total_steps, error, created_at, updated_at, heartbeat_at)
  SELECT id, name, set_id, config, backend, status, step,
    CASE WHEN json_valid(config) AND json_type(config, '$.steps') = 'integer' AND COALESCE(json_extract(config, '$.epochs'), 0) = 0
      THEN MAX(step, json_extract(config, '$.steps')) ELSE step END,
    error, created_at, updated_at, updated_at
  FROM runs;
DROP TABLE runs;
ALTER TABLE runs_v2 RENAME TO runs;
${COMMITS}
UPDATE meta SET value = '2' WHERE key = 'schema_version';
`;
