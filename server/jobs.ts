import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError } from '../core/errors.js';
import type { RunId } from '../core/ids.js';
import { checkJobRequest } from './job-requests.js';
import { defaultCli, runRerender, runTrain, runVideo, type JobOutcome, type RunnerSettings } from './job-runners.js';
import { JOB_KINDS, type JobKind, type JobRecord, type JobRequest, type Jobs } from './job-types.js';

/**
 * Jobs of each kind that run at once; the rest wait, queued, in order. One training child at a time
 * suits a 2-core machine (it uses both cores); a video and a rerender each take about one.
 */
export const DEFAULT_JOB_LIMITS: Record<JobKind, number> = { train: 1, video: 1, rerender: 1 };

/** The help sentence for the server's limits. */
export const JOB_LIMITS_HELP = `jobs run at once per kind (default: ${JOB_KINDS.map((k) => `${DEFAULT_JOB_LIMITS[k]} ${k}`).join(', ')}; one training run at a time suits a 2-core machine); the rest wait queued`;

/** Progress events per job are sent at most this often, in milliseconds (state changes at once). */
export const PROGRESS_INTERVAL_MS = 100;

/** Ended jobs the registry remembers (the oldest are forgotten first). */
export const FINISHED_JOBS_KEPT = 100;

const JOB_ID = /^[0-9a-f]{12}$/;

export interface JobsOptions {
  /** The SQLite run store every job reads and training children record into. */
  storePath: string;
  /** Where training jobs' run folders go (`<runsFolder>/<name>`). */
  runsFolder: string;
  /** Where video jobs write their MP4s, named by a hash of their content. */
  videosFolder: string;
  /** Jobs of a kind that run at once (DEFAULT_JOB_LIMITS for those left out). */
  limits?: Partial<Record<JobKind, number>>;
  /** The command that runs the slicewatch CLI (default: this installation's, with this Node). */
  cli?: string[];
  /** Flags added to every training child's command line, e.g. `--record-resolution 32`. */
  trainFlags?: string[];
  /** After SIGTERM, how long a cancelled training child may take to stop before SIGKILL, in ms (default 30 s). */
  killGraceMs?: number;
}

interface Entry {
  record: JobRecord;
  request: JobRequest;
  controller: AbortController;
  /** Settles when a started job has ended. */
  ended?: Promise<void>;
  /** When the newest progress event was sent (state changes are sent apart, at once). */
  lastProgress: number;
  pending?: NodeJS.Timeout;
}

/** The first line of an error's message. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim() || 'failed';
}

/**
 * The server's job registry: video, rerender and training jobs, queued per kind under concurrency
 * limits, each with a state, progress (0 to 1) and a message that listeners are told of, and
 * cancellable. Ended jobs are kept (the newest FINISHED_JOBS_KEPT) for the REST routes to read.
 */
export function createJobs(options: JobsOptions): Jobs {
  const fallback = defaultCli();
  const settings: RunnerSettings = {
    storePath: resolve(options.storePath),
    runsFolder: resolve(options.runsFolder),
    videosFolder: resolve(options.videosFolder),
    cli: options.cli ?? fallback.cli,
    cliCwd: options.cli ? process.cwd() : fallback.cwd,
    trainFlags: options.trainFlags ?? [],
    killGraceMs: options.killGraceMs ?? 30_000,
  };
  const limits = { ...DEFAULT_JOB_LIMITS, ...options.limits };
  for (const kind of JOB_KINDS) {
    const limit = limits[kind];
    if (!Number.isInteger(limit) || limit < 1)
      throw new InvalidArgumentError(`expected the ${kind} job limit to be a positive integer, received ${limit}`);
  }
  const jobs = new Map<string, Entry>();
  const finished: string[] = [];
  const listeners = new Set<(job: JobRecord) => void>();
  let closed = false;

  const send = (entry: Entry) => {
    clearTimeout(entry.pending);
    entry.pending = undefined;
    const copy = { ...entry.record };
    for (const listener of listeners) listener(copy);
  };

  /** Progress: at once when the last event is old enough, else once at the end of the interval. */
  const sendThrottled = (entry: Entry) => {
    if (entry.pending) return;
    const sendProgress = () => {
      entry.lastProgress = Date.now();
      send(entry);
    };
    const wait = entry.lastProgress + PROGRESS_INTERVAL_MS - Date.now();
    if (wait <= 0) sendProgress();
    else entry.pending = setTimeout(sendProgress, wait);
  };

  const runnerOf = (entry: Entry): Promise<JobOutcome> => {
    const id = entry.record.id;
    const context = {
      signal: entry.controller.signal,
      progress: (fraction: number | null, message: string) => {
        if (entry.record.state !== 'running') return;
        if (fraction !== null) entry.record.progress = Math.min(1, Math.max(0, fraction));
        entry.record.message = message;
        sendThrottled(entry);
      },
      runId: (runId: RunId) => {
        if (entry.record.runId === runId) return;
        entry.record.runId = runId;
        if (jobs.has(id)) sendThrottled(entry);
      },
    };
    const request = entry.request;
    switch (request.kind) {
      case 'video':
        return runVideo(settings, request, context);
      case 'rerender':
        return runRerender(settings, request, context);
      case 'train':
        return runTrain(settings, request, context);
      default: {
        const never: never = request;
        return never;
      }
    }
  };

  const finish = (entry: Entry, change: Partial<JobRecord>) => {
    Object.assign(entry.record, change);
    send(entry);
    finished.push(entry.record.id);
    while (finished.length > FINISHED_JOBS_KEPT) jobs.delete(finished.shift()!);
    pump();
  };

  const begin = (entry: Entry) => {
    entry.record.state = 'running';
    entry.record.message = 'starting';
    send(entry);
    entry.ended = (async () => {
      try {
        const outcome = await runnerOf(entry);
        finish(entry, { state: 'done', progress: 1, message: outcome.message, file: outcome.file ?? null });
      } catch (error) {
        if (entry.controller.signal.aborted) finish(entry, { state: 'cancelled', message: 'cancelled' });
        else finish(entry, { state: 'failed', message: 'failed', error: oneLine(error) });
      }
    })();
  };

  /** Starts queued jobs, oldest first, while their kind is under its limit. */
  function pump(): void {
    if (closed) return;
    const all = [...jobs.values()];
    for (const kind of JOB_KINDS) {
      let running = all.filter((e) => e.record.kind === kind && e.record.state === 'running').length;
      for (const entry of all) {
        if (running >= limits[kind]) break;
        if (entry.record.kind !== kind || entry.record.state !== 'queued') continue;
        begin(entry);
        running++;
      }
    }
  }

  return {
    list: () => [...jobs.values()].map((e) => ({ ...e.record })),
    get: (id) => {
      const entry = JOB_ID.test(id) ? jobs.get(id) : undefined;
      return entry && { ...entry.record };
    },
    start: (request) => {
      if (closed) throw new Error('the job registry is closed');
      checkJobRequest(request);
      if (request.kind === 'train') {
        const folder = join(settings.runsFolder, request.name);
        if (existsSync(folder))
          throw new InvalidArgumentError(`run folder ${folder} exists already; choose another name`);
        const clash = [...jobs.values()].find(
          (e) =>
            e.request.kind === 'train' &&
            e.request.name === request.name &&
            (e.record.state === 'queued' || e.record.state === 'running'),
        );
        if (clash)
          throw new InvalidArgumentError(
            `a training job for ${request.name} is already ${clash.record.state} (${clash.record.id})`,
          );
      }
      let id: string;
      do id = randomBytes(6).toString('hex');
      while (jobs.has(id));
      const entry: Entry = {
        record: {
          id,
          kind: request.kind,
          runId: null,
          state: 'queued',
          progress: 0,
          message: 'queued',
          error: null,
          file: null,
          createdAt: new Date().toISOString(),
        },
        request: structuredClone(request),
        controller: new AbortController(),
        lastProgress: 0,
      };
      jobs.set(id, entry);
      send(entry);
      // Started after the caller has the record, so listeners never hear of a job before its creator.
      queueMicrotask(pump);
      return { ...entry.record };
    },
    cancel: (id) => {
      const entry = JOB_ID.test(id) ? jobs.get(id) : undefined;
      if (!entry) return false;
      if (entry.record.state === 'queued') {
        entry.controller.abort();
        finish(entry, { state: 'cancelled', message: 'cancelled before it started' });
        return true;
      }
      if (entry.record.state !== 'running') return false;
      if (!entry.controller.signal.aborted) {
        entry.controller.abort();
        entry.record.message = 'cancelling';
        send(entry);
      }
      return true;
    },
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    filePath: (id) => {
      const record = JOB_ID.test(id) ? jobs.get(id)?.record : undefined;
      return record?.kind === 'video' && record.state === 'done' && record.file
        ? join(settings.videosFolder, record.file)
        : undefined;
    },
    close: async () => {
      closed = true;
      const entries = [...jobs.values()];
      for (const entry of entries) {
        if (entry.record.state === 'queued') {
          entry.controller.abort();
          Object.assign(entry.record, { state: 'cancelled', message: 'the server closed' });
          send(entry);
        } else if (entry.record.state === 'running') entry.controller.abort();
      }
      await Promise.all(entries.map((e) => e.ended));
      for (const entry of entries) clearTimeout(entry.pending);
    },
  };
}
