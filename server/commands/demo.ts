import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runSession } from '../../app/train-session.js';
import { writeAtomically } from '../../core/files.js';
import { timestamp } from '../../core/timestamp.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { RUN_DEFAULTS } from '../../trainer/run-config.js';
import { createApp } from '../app.js';
import type { JobRecord, JobRequest, Jobs } from '../job-types.js';
import { createJobs } from '../jobs.js';
import { interrupted, listen, serverUrl } from '../listen.js';
import { parseOptions } from '../options.js';
import { progressPrinter } from '../progress.js';
import { startBackend } from './common.js';
import { DEMO_OPTIONS } from './demo-options.js';
import { VIDEO_OPTIONS } from './video-options.js';

/** Runs a job to its end, printing its progress every tenth and its end; rejects unless it is done. */
async function runJob(jobs: Jobs, request: JobRequest, label: string): Promise<JobRecord> {
  const job = jobs.start(request);
  let shown = -1;
  const ended = new Promise<JobRecord>((resolveJob) => {
    const unsubscribe = jobs.onChange((changed) => {
      if (changed.id !== job.id) return;
      const tenth = Math.floor(changed.progress * 10);
      if (changed.state === 'running' && tenth > shown) {
        shown = tenth;
        process.stdout.write(`${label}: ${changed.message}\n`);
      }
      if (changed.state === 'done' || changed.state === 'failed' || changed.state === 'cancelled') {
        unsubscribe();
        resolveJob(changed);
      }
    });
  });
  const end = await ended;
  if (end.state !== 'done') throw new Error(`${label} ${end.state}: ${end.error ?? 'cancelled'}`);
  process.stdout.write(`${label}: ${end.message}\n`);
  return end;
}

/**
 * The main job, as a live dashboard: it serves the demo's store and prints the URL; on the embedded
 * MNIST digits a short warm-up model fixes a slice set (an image, its PGD adversarial against the
 * warm-up model, the grey centre; three digits of different classes; an image, a random
 * perturbation, the centre); a baseline CNN and a Madry adversarially trained CNN train as jobs
 * recording every step on it, so the page shows the regions move; one side-by-side MP4 per slice is
 * rendered as a video job and copied into the demo's folder; then it serves until Ctrl-C (or ends,
 * with --exit).
 */
export async function demoCommand(argv: string[]): Promise<void> {
  const config = parseOptions(argv, DEMO_OPTIONS);
  const out = resolve(config.out || join('runs', `demo-${timestamp(new Date())}`));
  const storePath = join(out, 'slicewatch.db');
  const section = (title: string) => process.stdout.write(`\n== ${title}\n`);
  const backend = await startBackend(config.backend);
  const evalEvery = Math.max(10, Math.round(config.steps / 3));

  section(`warm-up: ${config.warmup} steps, the model the adversarial slice is computed against`);
  const warmup = join(out, 'warmup');
  await runSession(
    {
      config: { ...RUN_DEFAULTS, steps: config.warmup, evalEvery, evalAttack: 'none' },
      out: warmup,
      store: storePath,
      resume: false,
      backend,
    },
    { onEvent: progressPrinter(process.stdout, Math.max(1, Math.round(config.warmup / 5))) },
  );

  const reader = SqliteStore.openExisting(storePath, { readonly: true });
  const jobs = createJobs({
    storePath,
    runsFolder: out,
    videosFolder: join(out, 'video-cache'),
    trainFlags: [
      '--slice-model',
      warmup,
      '--eval-every',
      String(evalEvery),
      '--robust-limit',
      '50',
      '--backend',
      backend.kind,
    ],
  });
  const server = createApp({ store: reader, jobs, host: config.host });
  try {
    const port = await listen(server.http, config.host, config.port);
    section(`dashboard: ${serverUrl(config.host, port, '')} (the runs appear there as they train)`);
    const train = (preset: 'baseline' | 'madry') =>
      runJob(
        jobs,
        { kind: 'train', preset, name: preset, steps: config.steps, dataset: 'mnist', sliceSet: 'demo' },
        preset,
      );
    section(`baseline: ${config.steps} steps, recording every step`);
    await train('baseline');
    section(
      `Madry adversarial training (PGD L-inf, eps 0.3, 7 steps of 0.1): ${config.steps} steps, recording every step`,
    );
    await train('madry');

    const videos: string[] = [];
    mkdirSync(join(out, 'videos'), { recursive: true });
    for (const slice of reader.sliceSetByName('demo')!.slices) {
      section(`video: ${slice.name}, baseline next to Madry`);
      const { defaults } = VIDEO_OPTIONS;
      const job = await runJob(
        jobs,
        {
          kind: 'video',
          runs: [join(out, 'baseline'), join(out, 'madry')],
          slices: [slice.position],
          time: defaults.time,
          frames: defaults.frames,
          fps: defaults.fps,
          scale: defaults.scale,
        },
        'video',
      );
      const file = join(out, 'videos', `slice-${slice.position}.mp4`);
      await writeAtomically(file, (temporary) => copyFileSync(jobs.filePath(job.id)!, temporary));
      videos.push(`${file} (${slice.name})`);
    }
    section('done');
    process.stdout.write(`store: ${storePath}\nvideos:\n${videos.map((v) => `  ${v}`).join('\n')}\n`);
    if (!config.exit) {
      process.stdout.write(`serving ${serverUrl(config.host, port, '')} until Ctrl-C\n`);
      await interrupted();
    }
  } finally {
    await jobs.close();
    await server.close();
    reader.close();
  }
}
