import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadDataset } from '../../trainer/datasets/load.js';
import { assertPositiveInteger } from '../../core/assert.js';
import { InvalidArgumentError } from '../../core/errors.js';
import type { Frame } from '../../slices/frame.js';
import { renderLegend } from '../../slices/render.js';
import { slicePointPixel, sliceGeometry } from '../../slices/geometry.js';
import { composeVideoFrame, videoSteps } from '../../videos/compose.js';
import { encodeMp4 } from '../../videos/encode.js';
import { findFfmpeg } from '../../videos/locate-ffmpeg.js';
import { parseFlags } from '../args.js';
import { parseIndexList, VIDEO_DEFAULTS, VIDEO_OPTIONS } from '../config.js';
import { StoreError } from '../../store/errors.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { formatDuration } from '../progress.js';

const POINT_NAMES = ['a', 'b', 'c'] as const;

/**
 * The latest frame at or before each step asked (the first frame when there is none yet), for steps
 * asked in increasing order: frames are decoded as the steps advance, never all held at once.
 */
function frameCursor(
  frames: Iterator<{ step: number; frame: Frame }>,
): (step: number) => { step: number; frame: Frame } | undefined {
  let shown: { step: number; frame: Frame } | undefined;
  let next = frames.next();
  return (step) => {
    while (!next.done && (shown === undefined || next.value.step <= step)) {
      shown = next.value;
      next = frames.next();
    }
    return shown;
  };
}

/**
 * `slicewatch video`: the recorded frames of one or more runs on one or more slices as an MP4,
 * side by side and synchronised by step, with run name, step, loss and test accuracy over each
 * panel, the slice's points a, b and c marked and shown as images beside it, and the class legend
 * at the right.
 */
export async function videoCommand(argv: string[]): Promise<void> {
  const config = parseFlags(argv, VIDEO_DEFAULTS, VIDEO_OPTIONS);
  for (const key of ['fps', 'scale', 'frames'] as const)
    assertPositiveInteger(`--${VIDEO_OPTIONS[key].flag}`, config[key]);
  if (config.time !== 'every' && config.time !== 'log')
    throw new InvalidArgumentError(`invalid --time: ${config.time}; expected every or log`);
  if (config.runs === '')
    throw new InvalidArgumentError('--runs NAME[,NAME…] is required: the --out folders of recorded runs');
  const ffmpeg = findFfmpeg();
  const store = SqliteStore.openExisting(config.store, { readonly: true });
  try {
    const recorded = () => store.runs().map((r) => r.name);
    const runs = config.runs.split(',').map((name) => {
      const run = store.runByName(name);
      if (!run)
        throw new StoreError(
          `no recorded run named ${name} in ${config.store}; recorded runs: ${recorded().join(', ') || 'none'}`,
        );
      if (run.setId === null) throw new StoreError(`run ${name} recorded no slices`);
      return run;
    });
    if (new Set(runs.map((r) => r.setId)).size > 1)
      throw new InvalidArgumentError('runs side by side must have been recorded on the same slice set');
    const setId =
      config.sliceSet === ''
        ? runs[0]!.setId!
        : (store.sliceSetByName(config.sliceSet)?.id ?? fail(`no slice set named ${config.sliceSet}`));
    const slices = store.sliceSet(setId)!.slices;
    const positions = config.slices === 'all' ? slices.map((s) => s.position) : parseIndexList('slices', config.slices);
    const chosen = positions.map(
      (p) => slices.find((s) => s.position === p) ?? fail(`slice ${p} is not in the set (0-${slices.length - 1})`),
    );
    const dataset = loadDataset(runs[0]!.config.dataset);
    const markersOf = (slice: (typeof chosen)[number]) => {
      const geometry = sliceGeometry(slice.vectors.a, slice.vectors.b, slice.vectors.c, {
        resolution: slice.resolution,
      });
      return POINT_NAMES.map((name) => ({ name, ...slicePointPixel(geometry, name, slice.vectors[name]) }));
    };
    const thumbnailsOf = (slice: (typeof chosen)[number]) =>
      POINT_NAMES.map((name) => ({ name, image: slice.vectors[name], shape: dataset.imageShape }));
    const columns = runs.flatMap((run) =>
      chosen.map((slice) => ({
        run,
        slice,
        markers: markersOf(slice),
        thumbnails: thumbnailsOf(slice),
        frameSteps: store.frameSteps(run.id, slice.id),
        frameAt: frameCursor(store.frames(run.id, slice.id)),
        loss: new Map(store.scalars(run.id, 'loss').map((s) => [s.step, s.value])),
        epoch: new Map(store.scalars(run.id, 'epoch').map((s) => [s.step, s.value])),
        accuracy: store.scalars(run.id, 'testAccuracy'),
      })),
    );
    const steps = videoSteps(
      columns.flatMap((c) => c.frameSteps),
      config.time as 'every' | 'log',
      config.frames,
    );
    if (steps.length === 0) throw new StoreError('the chosen runs have no recorded frames');
    const legend = renderLegend(dataset.classNames);
    const frameAtStep = (step: number) =>
      composeVideoFrame(
        columns.map((c) => {
          const shown = c.frameAt(step)!;
          const accuracy = c.accuracy.filter((a) => a.step <= shown.step).at(-1);
          const loss = c.loss.get(shown.step);
          const epoch = c.epoch.get(shown.step);
          return {
            frame: shown.frame,
            markers: c.markers,
            thumbnails: c.thumbnails,
            caption: [
              `${c.run.name.split('/').at(-1)} - ${c.slice.name}`,
              `step ${shown.step}${epoch === undefined ? '' : `  epoch ${epoch.toFixed(2)}`}${loss === undefined ? '' : `  loss ${loss.toFixed(3)}`}`,
              accuracy ? `test acc ${(100 * accuracy.value).toFixed(1)}%` : '',
            ],
          };
        }),
        legend,
        config.scale,
      );
    const first = frameAtStep(steps[0]!);
    mkdirSync(dirname(config.out) || '.', { recursive: true });
    const started = performance.now();
    const tty = process.stdout.isTTY === true;
    const report = (written: number) => {
      if (!tty && written % Math.max(1, Math.round(steps.length / 10)) !== 0 && written !== steps.length) return;
      const elapsed = (performance.now() - started) / 1000;
      const line = `encoding ${written}/${steps.length} frames  ${(written / Math.max(elapsed, 1e-9)).toFixed(0)} frames/s  ETA ${formatDuration((elapsed / written) * (steps.length - written))}`;
      process.stdout.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    };
    function* rgbFrames() {
      for (const step of steps) yield step === steps[0] ? first.rgb : frameAtStep(step).rgb;
    }
    await encodeMp4(rgbFrames(), config.out, {
      width: first.width,
      height: first.height,
      fps: config.fps,
      onProgress: report,
      ffmpeg: ffmpeg.path,
    });
    if (tty) process.stdout.write('\n');
    process.stdout.write(
      `wrote ${config.out}: ${steps.length} frames, ${first.width}x${first.height}, ${config.fps} fps (steps ${steps[0]}-${steps.at(-1)}), encoded by ${ffmpeg.source} (${ffmpeg.path})\n`,
    );
  } finally {
    store.close();
  }
}

function fail(message: string): never {
  throw new InvalidArgumentError(message);
}
