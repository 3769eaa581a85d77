/**
 * The store's rows as better-sqlite3 returns them, and their conversion to the records of
 * store/types.ts: ids branded, JSON parsed, vectors unpacked, and a run's status as it reads now.
 */
import { toRunId, toSliceId, toSliceSetId } from '../core/ids.js';
import type { BackendInfo } from '../trainer/backend-info.js';
import type { RunConfig } from '../trainer/run-config.js';
import {
  HEARTBEAT_TIMEOUT_MS,
  type RunRecord,
  type RunStatus,
  type SlicePoints,
  type SliceSetRecord,
  type StoredSlice,
} from './types.js';

export interface RunRow {
  id: number;
  name: string;
  set_id: number | null;
  config: string;
  backend: string;
  status: RunStatus;
  step: number;
  total_steps: number;
  error: string | null;
  created_at: string;
  updated_at: string;
  heartbeat_at: string;
}

export interface SliceRow {
  id: number;
  set_id: number;
  position: number;
  name: string;
  points: string;
  vectors: Buffer;
  resolution: number;
}

export interface SetRow {
  id: number;
  name: string;
  dataset: string;
  created_at: string;
}

/**
 * The status a run reads as at time `now` (ms): a stored `running` whose heartbeat (ISO 8601) is
 * more than HEARTBEAT_TIMEOUT_MS old is `interrupted`; any other stored status reads as itself.
 */
export function readStatus(stored: RunStatus, heartbeatAt: string, now: number): RunStatus {
  return stored === 'running' && now - Date.parse(heartbeatAt) > HEARTBEAT_TIMEOUT_MS ? 'interrupted' : stored;
}

export function runFromRow(row: RunRow, now: number): RunRecord {
  return {
    id: toRunId(row.id),
    name: row.name,
    setId: row.set_id === null ? null : toSliceSetId(row.set_id),
    config: JSON.parse(row.config) as RunConfig,
    backend: JSON.parse(row.backend) as BackendInfo,
    status: readStatus(row.status, row.heartbeat_at, now),
    step: row.step,
    totalSteps: row.total_steps,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    heartbeatAt: row.heartbeat_at,
  };
}

/** a, b and c as one float32 blob of 3·d values. */
export function packVectors(vectors: SlicePoints<Float32Array>): Buffer {
  const d = vectors.a.length;
  const packed = new Float32Array(3 * d);
  packed.set(vectors.a, 0);
  packed.set(vectors.b, d);
  packed.set(vectors.c, 2 * d);
  return Buffer.from(packed.buffer);
}

export function sliceFromRow(row: SliceRow): StoredSlice {
  // Copied out of the row's buffer, which may not be aligned for float32.
  const all = new Float32Array(
    row.vectors.buffer.slice(row.vectors.byteOffset, row.vectors.byteOffset + row.vectors.byteLength),
  );
  const d = all.length / 3;
  return {
    id: toSliceId(row.id),
    setId: toSliceSetId(row.set_id),
    position: row.position,
    name: row.name,
    points: JSON.parse(row.points) as StoredSlice['points'],
    vectors: { a: all.slice(0, d), b: all.slice(d, 2 * d), c: all.slice(2 * d) },
    resolution: row.resolution,
  };
}

export function setFromRow(row: SetRow, slices: StoredSlice[]): SliceSetRecord {
  return { id: toSliceSetId(row.id), name: row.name, dataset: row.dataset, createdAt: row.created_at, slices };
}
