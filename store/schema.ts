/**
 * The run store's tables (SQLite, WAL). One database file per workspace holds slice sets with their
 * points' full vectors and provenance, runs with configuration, backend and status, scalars per
 * step, and frames (encoded by slices/frame-codec.ts). A trainer writes while servers read.
 */
export const SCHEMA_VERSION = 1;

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
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  set_id INTEGER REFERENCES slice_sets(id),
  config TEXT NOT NULL,        -- JSON RunConfig
  backend TEXT NOT NULL,       -- JSON BackendInfo
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
  step INTEGER NOT NULL DEFAULT 0,
  pid INTEGER,
  error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
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
  path TEXT NOT NULL,          -- float32 weights of the step (trainer/snapshots.ts)
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
`;
