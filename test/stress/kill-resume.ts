/**
 * The kill -9 stress test: `slicewatch train --record` killed at random moments (before the first
 * checkpoint, between checkpoints, after training while the recorder catches up, and during
 * `--resume`), then resumed until it completes; every trial must end with steps 1..N each recorded
 * exactly once and a video of N frames.
 *
 *   node --import tsx test/stress/kill-resume.ts [--trials 20] [--steps 30] [--seed 1]
 *
 * `test/e2e/kill-resume.test.ts` runs a few trials in `npm test`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRng, type Rng } from '../../core/rng.js';
import { probeVideo } from '../fixtures/ffprobe.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { HEARTBEAT_TIMEOUT_MS, type RunRecord } from '../../store/types.js';

const CLI = ['--import', 'tsx', 'server/bin.ts'];

/** What one trial saw: where it was killed and what the store and the video held at the end. */
export interface TrialReport {
  /** The step the run had committed at each kill. */
  killedAt: number[];
  status: string;
  /** Per slice: the recorded steps, in order. */
  frameSteps: number[][];
  lossSteps: number[];
  videoFrames: number;
  problems: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function newestRun(db: string): RunRecord | undefined {
  try {
    const store = SqliteStore.openExisting(db, { readonly: true });
    try {
      return store.runs()[0];
    } finally {
      store.close();
    }
  } catch {
    return undefined;
  }
}

/**
 * Kills the child with SIGKILL once the store has committed `step` (0: at once), plus `extraMs`;
 * resolves with whether it was killed (false when it ended first).
 */
async function killAt(child: ChildProcess, db: string, step: number, extraMs: number): Promise<boolean> {
  let ended = false;
  child.once('exit', () => (ended = true));
  while (!ended && step > 0 && (newestRun(db)?.step ?? 0) < step) await sleep(50);
  await sleep(extraMs);
  if (ended) return false;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return true;
}

/** Waits until the run is no longer `running` (its heartbeat went stale after the kill). */
async function settled(db: string): Promise<RunRecord | undefined> {
  const deadline = Date.now() + HEARTBEAT_TIMEOUT_MS + 5000;
  let run = newestRun(db);
  while (run?.status === 'running' && Date.now() < deadline) {
    await sleep(200);
    run = newestRun(db);
  }
  return run;
}

/**
 * One trial: train `steps` steps recording every step with a checkpoint every `checkpointEvery`,
 * kill it after a random time (and, with `killResume`, the first resume too), resume until done.
 */
export async function killResumeTrial(
  rng: Rng,
  options: { steps: number; checkpointEvery: number; killResume: boolean },
): Promise<TrialReport> {
  const dir = mkdtempSync(join(tmpdir(), 'slicewatch-stress-'));
  const out = join(dir, 'run');
  const db = join(dir, 'store.db');
  const args = [
    ...CLI,
    'train',
    '--record',
    '--store',
    db,
    '--out',
    out,
    '--steps',
    String(options.steps),
    '--record-resolution',
    '16',
    '--checkpoint-every',
    String(options.checkpointEvery),
    '--eval-every',
    '0',
    '--eval-attack',
    'none',
  ];
  const killedAt: number[] = [];
  const problems: string[] = [];
  // Kill at a random committed step (0: during start-up), a little after it: between checkpoints,
  // just after one, or while the recorder is still behind the trainer.
  const at = () => rng.int(options.steps + 1);
  const killed = await killAt(spawn(process.execPath, args, { stdio: 'ignore' }), db, at(), rng.next() * 400);
  if (killed) killedAt.push((await settled(db))?.step ?? 0);
  if (killed && options.killResume && newestRun(db) !== undefined) {
    const resuming = spawn(process.execPath, [...args, '--resume'], { stdio: 'ignore' });
    if (await killAt(resuming, db, at(), rng.next() * 400)) killedAt.push((await settled(db))?.step ?? 0);
  }
  for (let attempt = 0; attempt < 3 && newestRun(db)?.status !== 'completed'; attempt++) {
    await settled(db);
    // Killed before the store was even made: start again; else resume.
    const again = newestRun(db) === undefined ? args : [...args, '--resume'];
    const result = spawnSync(process.execPath, again, { encoding: 'utf8' });
    if (result.status !== 0) problems.push(`resume exited ${result.status}: ${result.stderr.trim()}`);
  }
  const store = SqliteStore.openExisting(db, { readonly: true });
  const run = store.runs()[0]!;
  const frameSteps = store.sliceSet(run.setId!)!.slices.map((s) => [...store.frames(run.id, s.id)].map((f) => f.step));
  const lossSteps = store.scalars(run.id, 'loss').map((s) => s.step);
  store.close();
  const mp4 = join(dir, 'run.mp4');
  const video = spawnSync(
    process.execPath,
    [...CLI, 'video', '--store', db, '--runs', out, '--slices', 'all', '--out', mp4],
    {
      encoding: 'utf8',
    },
  );
  if (video.status !== 0) problems.push(`video exited ${video.status}: ${video.stderr.trim()}`);
  const every = Array.from({ length: options.steps }, (_, i) => i + 1);
  const same = (a: number[]) => a.length === every.length && a.every((s, i) => s === every[i]);
  if (run.status !== 'completed') problems.push(`status ${run.status}`);
  frameSteps.forEach((steps, i) => {
    if (!same(steps)) problems.push(`slice ${i}: frames at ${steps.length} steps, expected 1..${options.steps}`);
  });
  if (!same(lossSteps)) problems.push(`loss at ${lossSteps.length} steps, expected 1..${options.steps}`);
  const videoFrames = video.status === 0 ? Number(probeVideo(mp4, ['nb_read_frames'])) : 0;
  if (videoFrames !== options.steps) problems.push(`video has ${videoFrames} frames, expected ${options.steps}`);
  return { killedAt, status: run.status, frameSteps, lossSteps, videoFrames, problems };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      trials: { type: 'string', default: '20' },
      steps: { type: 'string', default: '30' },
      seed: { type: 'string', default: '1' },
    },
  });
  const trials = Number(values.trials);
  const steps = Number(values.steps);
  const rng = createRng(Number(values.seed));
  let failed = 0;
  const started = Date.now();
  for (let t = 1; t <= trials; t++) {
    const report = await killResumeTrial(rng, {
      steps,
      checkpointEvery: 5,
      killResume: t % 3 === 0,
    });
    if (report.problems.length > 0) failed++;
    const eta = ((Date.now() - started) / t) * (trials - t);
    process.stdout.write(
      `trial ${t}/${trials}: killed at steps ${report.killedAt.join(', ') || '(finished first)'}; ${report.problems.length ? `FAILED: ${report.problems.join('; ')}` : `ok, steps 1-${steps} recorded once, video ${report.videoFrames} frames`}  ETA ${Math.round(eta / 1000)} s\n`,
    );
  }
  process.stdout.write(`${trials - failed} passed, ${failed} failed\n`);
  process.exitCode = failed === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
