/**
 * The server's REST API as typed functions. Every failure becomes an ApiError carrying the server's
 * one-line message (or what went wrong on the way), so the page can show it as it is.
 */
import type { RunId, SliceId } from '../../core/ids.js';
import type { JobRecord, JobRequest } from '../../server/job-types.js';
import type {
  ErrorReply,
  RunDetail,
  RunSummary,
  ScalarSeries,
  SliceMetricSeries,
  SlicePointsDto,
  SliceSetDto,
} from '../../server/protocol.js';
import { unpackFrameRows, type FrameRow } from '../../server/wire-format.js';

/** A failed request, with the server's error code when it sent one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function request(path: string, init?: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiError(`cannot reach the slicewatch server (${String(error)}); is it still running?`, 'OFFLINE', 0);
  }
  if (response.ok) return response;
  const body = (await response.json().catch(() => undefined)) as Partial<ErrorReply> | undefined;
  throw new ApiError(
    body?.error?.message ?? `${init?.method ?? 'GET'} ${path} failed: HTTP ${response.status}`,
    body?.error?.code ?? 'HTTP_ERROR',
    response.status,
  );
}

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  return (await (await request(path, init)).json()) as T;
}

export const api = {
  runs: () => json<RunSummary[]>('/api/runs'),
  run: (id: RunId) => json<RunDetail>(`/api/runs/${id}`),
  sliceSets: () => json<SliceSetDto[]>('/api/slice-sets'),
  scalars: (id: RunId, name: string, from: number, to: number) =>
    json<ScalarSeries>(`/api/runs/${id}/scalars/${encodeURIComponent(name)}?from=${from}&to=${to}`),
  /** Stored frame rows of a slice from the key frame at or before `from` to `to`, in step order. */
  frameRows: async (id: RunId, slice: SliceId, from: number, to: number): Promise<FrameRow[]> => {
    const response = await request(`/api/runs/${id}/slices/${slice}/frames?from=${from}&to=${to}`);
    return unpackFrameRows(new Uint8Array(await response.arrayBuffer()));
  },
  /** A slice's points a, b, c as stored (immutable: fetch once). */
  slicePoints: (slice: SliceId) => json<SlicePointsDto>(`/api/slices/${slice}/points`),
  /** A run's slice metrics (area, components, boundary, flipped) of the recorded steps in [from, to]. */
  sliceMetrics: (id: RunId, slice: SliceId, from: number, to: number) =>
    json<SliceMetricSeries>(`/api/runs/${id}/slices/${slice}/metrics?from=${from}&to=${to}`),
  jobs: () => json<JobRecord[]>('/api/jobs'),
  startJob: (job: JobRequest) =>
    json<JobRecord>('/api/jobs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(job),
    }),
  cancelJob: (id: string) => json<{ cancelled: boolean }>(`/api/jobs/${encodeURIComponent(id)}`, { method: 'DELETE' }),
};

/** The download link of a finished video job. */
export const videoUrl = (jobId: string) => `/api/videos/${encodeURIComponent(jobId)}`;
/** The download link of a scalar series as CSV. */
export const scalarCsvUrl = (id: RunId, name: string) =>
  `/api/runs/${id}/scalars/${encodeURIComponent(name)}?format=csv`;
/** The download link of all of a run's scalar series as one wide CSV (`step,<name>,…`). */
export const scalarTableUrl = (id: RunId) => `/api/runs/${id}/scalars.csv`;
