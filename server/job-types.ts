/**
 * Jobs the server runs for its users: rendering a video, rerendering a slice through a run's
 * snapshots, and training a run as a child process. Environment-neutral, so the protocol (and the
 * dashboard) share it. The registry itself is server/jobs.ts.
 */
import type { RunId } from '../core/ids.js';
import type { PaletteName } from '../slices/palette.js';

export const JOB_KINDS = ['video', 'rerender', 'train'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** `queued` → `running` → `done` | `failed` | `cancelled`. */
export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Training presets the dashboard offers. */
export const TRAIN_PRESETS = ['baseline', 'madry', 'mixup'] as const;
export type TrainPreset = (typeof TRAIN_PRESETS)[number];

/** What a user asks the server to do. */
export type JobRequest =
  | {
      kind: 'video';
      /** Run names side by side (recorded on one slice set). */
      runs: string[];
      slices: number[] | 'all';
      sliceSet?: string;
      time: 'every' | 'log';
      frames: number;
      fps: number;
      scale: number;
      /** The class colours (default `default`). */
      palette?: PaletteName;
      /** The first step shown (inclusive; default the first recorded). */
      from?: number;
      /** The last step shown (inclusive; default the newest recorded). */
      to?: number;
    }
  | {
      kind: 'rerender';
      run: string;
      /** Point specs as the CLI writes them (`test:3`, `adv(test:3;pgd-linf)`, `grey`, …). */
      a: string;
      b: string;
      c: string;
      name: string;
      resolution: number;
      mode: 'full' | 'adaptive';
    }
  | {
      kind: 'train';
      preset: TrainPreset;
      /** The run's name (its folder under the server's runs folder). */
      name: string;
      steps: number;
      /** `mnist`, `idx:FOLDER` or `cifar10:PATH` the server can read. */
      dataset: string;
      sliceSet?: string;
    };

/** A job as the registry reports it. */
export interface JobRecord {
  id: string;
  kind: JobKind;
  /** The run it belongs to (a video's first run, the rerendered run, the trained run), once known. */
  runId: RunId | null;
  state: JobState;
  /** 0 to 1. */
  progress: number;
  /** What it is doing now, e.g. "encoding 120/240 frames". */
  message: string;
  /** Why it failed, in one line. */
  error: string | null;
  /** For a finished video job, the file's name to download (by job id, never by path). */
  file: string | null;
  createdAt: string;
}

/** The job registry the server wires to its REST routes and socket events. */
export interface Jobs {
  list(): JobRecord[];
  get(id: string): JobRecord | undefined;
  /** Queues a job (respecting the per-kind concurrency limits) and returns it. */
  start(request: JobRequest): JobRecord;
  /** Cancels a queued or running job; false when it had already ended or does not exist. */
  cancel(id: string): boolean;
  /** Called on every change of any job (state, progress); returns a function that unsubscribes. */
  onChange(listener: (job: JobRecord) => void): () => void;
  /** The path of a finished video job's file, for the download route. */
  filePath(id: string): string | undefined;
  /** Cancels everything and waits for the children to end. */
  close(): Promise<void>;
}
