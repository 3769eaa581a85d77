import { join } from 'node:path';
import { renderVideo } from '../../app/render-video.js';
import { runSession, type RecordingOptions } from '../../app/train-session.js';
import { timestamp } from '../../core/timestamp.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { RUN_DEFAULTS, type RunConfig } from '../../trainer/run-config.js';
import { parseOptions } from '../options.js';
import { encodingPrinter, formatVideoResult, progressPrinter } from '../progress.js';
import { startBackend } from './common.js';
import { evaluationMode } from './common-options.js';
import { DEMO_OPTIONS } from './demo-options.js';
import { TRAIN_OPTIONS } from './train-options.js';
import { VIDEO_OPTIONS } from './video-options.js';

/**
 * The main job: on the embedded MNIST digits, a short warm-up model fixes a slice set (an image, its
 * PGD adversarial against the warm-up model, the grey centre; three digits of different classes; an
 * image, a random perturbation, the centre); a baseline CNN and a Madry adversarially trained CNN
 * are trained recording every step on it; and one side-by-side MP4 per slice shows the two runs'
 * decision regions step by step. Everything goes into one store in the demo's folder.
 */
export async function demoCommand(argv: string[]): Promise<void> {
  const config = parseOptions(argv, DEMO_OPTIONS);
  const out = config.out || join('runs', `demo-${timestamp(new Date())}`);
  const store = join(out, 'slicewatch.db');
  const section = (title: string) => process.stdout.write(`\n== ${title}\n`);
  const backend = await startBackend(config.backend);
  const common: RunConfig = {
    ...RUN_DEFAULTS,
    evalEvery: Math.max(10, Math.round(config.steps / 3)),
    robustLimit: 50,
  };
  const train = (name: string, runConfig: RunConfig, recording?: RecordingOptions) =>
    runSession(
      { config: runConfig, out: join(out, name), store, resume: false, backend, ...(recording ? { recording } : {}) },
      {
        onEvent: progressPrinter(process.stdout, Math.max(1, Math.round(runConfig.steps / 20))),
        log: (line) => process.stdout.write(`${line}\n`),
      },
    );
  const recording: RecordingOptions = {
    sliceSet: 'demo',
    resolution: TRAIN_OPTIONS.defaults.recordResolution,
    mode: evaluationMode(TRAIN_OPTIONS.defaults.recordMode),
    policy: TRAIN_OPTIONS.defaults.recordPolicy,
    every: 1,
    sliceModel: join(out, 'warmup'),
  };

  section(`warm-up: ${config.warmup} steps, the model the adversarial slice is computed against`);
  await train('warmup', { ...common, steps: config.warmup, evalAttack: 'none' });
  section(`baseline: ${config.steps} steps, recording every step`);
  await train('baseline', { ...common, steps: config.steps }, recording);
  section(
    `Madry adversarial training (PGD L-inf, eps 0.3, 7 steps of 0.1): ${config.steps} steps, recording every step`,
  );
  await train('madry', { ...common, steps: config.steps, adv: 'pgd-linf:steps=7,step=0.1' }, recording);

  const reader = SqliteStore.openExisting(store, { readonly: true });
  try {
    const videos: string[] = [];
    for (const slice of reader.sliceSetByName('demo')!.slices) {
      section(`video: ${slice.name}, baseline next to Madry`);
      const printer = encodingPrinter(process.stdout);
      const result = await renderVideo(
        reader,
        {
          runs: [join(out, 'baseline'), join(out, 'madry')],
          slices: [slice.position],
          time: 'every',
          frames: VIDEO_OPTIONS.defaults.frames,
          fps: VIDEO_OPTIONS.defaults.fps,
          scale: VIDEO_OPTIONS.defaults.scale,
          out: join(out, 'videos', `slice-${slice.position}.mp4`),
        },
        { onProgress: printer.onProgress },
      );
      printer.done();
      process.stdout.write(`${formatVideoResult(result)}\n`);
      videos.push(`${result.file} (${slice.name})`);
    }
    section('done');
    process.stdout.write(`store: ${store}\nvideos:\n${videos.map((v) => `  ${v}`).join('\n')}\n`);
  } finally {
    reader.close();
  }
}
