import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderVideo } from '../app/render-video.js';
import { rerender } from '../app/rerender.js';
import type { RunId } from '../core/ids.js';
import { StoreError } from '../store/errors.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { backendFromEnv, initBackend } from '../trainer/backend.js';
import type { BackendInfo } from '../trainer/backend-info.js';
import { evaluationMode } from './commands/common-options.js';
import { PRESET_FLAGS, requestPoints } from './job-requests.js';
import type { JobRequest } from './job-types.js';

/** What a running job may tell the registry. */
export interface JobContext {
  signal: AbortSignal;
  /** `fraction` 0 to 1, or null to keep it and change only the message. */
  progress(fraction: number | null, message: string): void;
  runId(id: RunId): void;
}

/** How a job ended well: its file (videos) and a closing message. */
export interface JobOutcome {
  file?: string;
  message: string;
}

/** Where the runners read and write; every path absolute. */
export interface RunnerSettings {
  storePath: string;
  runsFolder: string;
  videosFolder: string;
  /** The command that runs the slicewatch CLI, e.g. [node, dist/server/bin.js]. */
  cli: string[];
  /** The working folder for `cli`. */
  cliCwd: string;
  /** Flags added to every `train` child (after the preset's). */
  trainFlags: string[];
  /** After SIGTERM, how long a training child may take to checkpoint before SIGKILL, in milliseconds. */
  killGraceMs: number;
}

/**
 * The slicewatch CLI as this process runs it: from the TypeScript sources (tests, tsx) through tsx's
 * loader in the repository folder, where `--import tsx` resolves; from the build, the built bin.js.
 */
export function defaultCli(): { cli: string[]; cwd: string } {
  const typescript = import.meta.url.endsWith('.ts');
  const bin = fileURLToPath(new URL(`./bin.${typescript ? 'ts' : 'js'}`, import.meta.url));
  const root = fileURLToPath(new URL(typescript ? '..' : '../..', import.meta.url));
  return { cli: typescript ? [process.execPath, '--import', 'tsx', bin] : [process.execPath, bin], cwd: root };
}

/** The video file's name: a hash of what it shows, so the same request on the same steps is the same file. */
function videoKey(request: Extract<JobRequest, { kind: 'video' }>, steps: number[]): string {
  const canonical = JSON.stringify([
    request.runs,
    request.slices,
    request.sliceSet ?? '',
    request.time,
    request.frames,
    request.fps,
    request.scale,
    request.palette ?? 'default',
    request.from ?? null,
    request.to ?? null,
    steps,
  ]);
  return `${createHash('sha256').update(canonical).digest('hex').slice(0, 32)}.mp4`;
}

/** Renders recorded runs as an MP4 in the videos folder, or finds the one already rendered. */
export async function runVideo(
  settings: RunnerSettings,
  request: Extract<JobRequest, { kind: 'video' }>,
  context: JobContext,
): Promise<JobOutcome> {
  const store = SqliteStore.openExisting(settings.storePath, { readonly: true });
  try {
    const runs = request.runs.map((name) => {
      const run = store.runByName(name);
      if (!run) throw new StoreError(`no run named ${name} in the store`);
      return run;
    });
    context.runId(runs[0]!.id);
    const file = videoKey(
      request,
      runs.map((r) => r.step),
    );
    const out = join(settings.videosFolder, file);
    if (existsSync(out)) return { file, message: 'cached' };
    mkdirSync(settings.videosFolder, { recursive: true });
    const result = await renderVideo(
      store,
      { ...request, out },
      {
        signal: context.signal,
        onProgress: ({ written, total }) => context.progress(written / total, `encoding ${written}/${total} frames`),
      },
    );
    return {
      file,
      message: `${result.frames} frames, ${result.width}x${result.height}, encoded by ${result.ffmpeg.source}`,
    };
  } finally {
    store.close();
  }
}

let backend: Promise<BackendInfo> | undefined;

/** Renders a new slice through a run's weight snapshots, in this process (its compute backend started once). */
export async function runRerender(
  settings: RunnerSettings,
  request: Extract<JobRequest, { kind: 'rerender' }>,
  context: JobContext,
): Promise<JobOutcome> {
  backend ??= initBackend(backendFromEnv());
  await backend;
  context.signal.throwIfAborted();
  const store = SqliteStore.openExisting(settings.storePath);
  try {
    const run = store.runByName(request.run);
    if (run) context.runId(run.id);
    const result = await rerender(
      store,
      {
        run: request.run,
        points: requestPoints(request),
        name: request.name,
        resolution: request.resolution,
        mode: evaluationMode(request.mode),
      },
      {
        signal: context.signal,
        onProgress: ({ done, total }) => context.progress(done / total, `snapshot ${done}/${total}`),
      },
    );
    return { message: `${result.frames} frames, steps ${result.firstStep}-${result.lastStep}` };
  } finally {
    store.close();
  }
}

/** The run a training child records, once the store holds it. */
function findRun(storePath: string, name: string): RunId | undefined {
  if (!existsSync(storePath)) return undefined;
  try {
    const store = SqliteStore.openExisting(storePath, { readonly: true });
    try {
      return store.runByName(name)?.id;
    } finally {
      store.close();
    }
  } catch {
    return undefined; // being created by the child: try again on its next line
  }
}

/**
 * Trains a run as a child `slicewatch train --record` into the server's store. Cancelling sends
 * SIGTERM (the child finishes its step, checkpoints and ends the run `stopped`), then SIGKILL after
 * the grace period.
 */
export function runTrain(
  settings: RunnerSettings,
  request: Extract<JobRequest, { kind: 'train' }>,
  context: JobContext,
): Promise<JobOutcome> {
  const out = join(settings.runsFolder, request.name);
  const args = [
    ...settings.cli.slice(1),
    'train',
    '--record',
    '--store',
    settings.storePath,
    '--out',
    out,
    '--steps',
    String(request.steps),
    '--dataset',
    request.dataset,
    ...(request.sliceSet ? ['--slice-set', request.sliceSet] : []),
    ...PRESET_FLAGS[request.preset],
    ...settings.trainFlags,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(settings.cli[0]!, args, { cwd: settings.cliCwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let runId: RunId | undefined;
    let lastError = '';
    let killTimer: NodeJS.Timeout | undefined;
    const lookUp = () => {
      if (runId !== undefined) return;
      runId = findRun(settings.storePath, out);
      if (runId !== undefined) context.runId(runId);
    };
    const lines = (stream: NodeJS.ReadableStream, onLine: (line: string) => void) => {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (rest + chunk).split(/\r?\n|\r/);
        rest = parts.pop()!;
        for (const part of parts) if (part.trim() !== '') onLine(part.trim());
      });
    };
    lines(child.stdout!, (line) => {
      const step = /^step (\d+)\/(\d+)/.exec(line);
      if (step) {
        lookUp();
        context.progress(Number(step[1]) / Number(step[2]), line);
      } else if (/^(stopping|stopped|done|training|resuming)/.test(line)) {
        lookUp();
        context.progress(null, line);
      }
    });
    lines(child.stderr!, (line) => {
      lastError = line.replace(/^slicewatch: /, '');
    });
    const stop = () => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), settings.killGraceMs);
    };
    context.signal.addEventListener('abort', stop, { once: true });
    child.on('error', (error) => {
      lastError = `cannot start ${settings.cli[0]}: ${error.message}`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(killTimer);
      context.signal.removeEventListener('abort', stop);
      lookUp();
      if (context.signal.aborted) reject(context.signal.reason);
      else if (code === 0) resolve({ message: `trained ${request.steps} steps` });
      else reject(new Error(lastError || `slicewatch train ended with ${signal ?? `exit code ${code}`}`));
    });
  });
}
