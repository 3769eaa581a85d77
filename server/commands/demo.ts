import { join } from 'node:path';
import { assertPositiveInteger } from '../../core/assert.js';
import { parseFlags } from '../args.js';
import { DEMO_DEFAULTS, DEMO_OPTIONS } from '../config.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { timestamp } from '../../core/timestamp.js';
import { trainCommand } from './train.js';
import { videoCommand } from './video.js';

/**
 * The main job: on the embedded MNIST digits, a short warm-up model fixes a default slice set
 * (an image, its PGD adversarial against the warm-up model, the grey centre; three digits of
 * different classes; an image, a random perturbation, the centre); a baseline CNN and a Madry
 * adversarially trained CNN are trained recording every step on it; and one side-by-side MP4 per
 * slice shows the two runs' decision regions step by step.
 */
export async function demoCommand(argv: string[]): Promise<void> {
  const config = parseFlags(argv, DEMO_DEFAULTS, DEMO_OPTIONS);
  assertPositiveInteger('--steps', config.steps);
  assertPositiveInteger('--warmup', config.warmup);
  const out = config.out || join('runs', `demo-${timestamp(new Date())}`);
  const store = join(out, 'slicewatch.db');
  const common = [
    '--backend',
    config.backend,
    '--eval-every',
    String(Math.max(10, Math.round(config.steps / 3))),
    '--robust-limit',
    '50',
  ];
  const section = (title: string) => process.stdout.write(`\n== ${title}\n`);

  section(`warm-up: ${config.warmup} steps, the model the adversarial slice is computed against`);
  await trainCommand([
    '--steps',
    String(config.warmup),
    '--out',
    join(out, 'warmup'),
    '--eval-attack',
    'none',
    ...common,
  ]);
  const recorded = [
    '--record',
    '--store',
    store,
    '--slice-set',
    'demo',
    '--slice-model',
    join(out, 'warmup'),
    '--steps',
    String(config.steps),
    ...common,
  ];
  section(`baseline: ${config.steps} steps, recording every step`);
  await trainCommand(['--out', join(out, 'baseline'), ...recorded]);
  section(
    `Madry adversarial training (PGD L-inf, eps 0.3, 7 steps of 0.1): ${config.steps} steps, recording every step`,
  );
  await trainCommand(['--out', join(out, 'madry'), '--adv', 'pgd-linf:steps=7,step=0.1', ...recorded]);

  const opened = SqliteStore.openExisting(store, { readonly: true });
  const slices = opened.sliceSetByName('demo')!.slices;
  opened.close();
  const videos: string[] = [];
  for (const slice of slices) {
    section(`video: ${slice.name}, baseline next to Madry`);
    const file = join(out, 'videos', `slice-${slice.position}.mp4`);
    await videoCommand([
      '--store',
      store,
      '--runs',
      `${join(out, 'baseline')},${join(out, 'madry')}`,
      '--slices',
      String(slice.position),
      '--out',
      file,
    ]);
    videos.push(`${file} (${slice.name})`);
  }
  section('done');
  process.stdout.write(`store: ${store}\nvideos:\n${videos.map((v) => `  ${v}`).join('\n')}\n`);
}
